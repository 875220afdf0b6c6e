"""Shared fixtures: a fresh PostgreSQL database per test run, taken from BENCH_TEST_PG_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

PG_ENV = "BENCH_TEST_PG_URL"


def _admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests need a server (see README)")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    from tests.support.pgtools import scratch_database

    with scratch_database(_admin_url()) as url:
        yield url


# -- CI must not pass by skipping PostgreSQL ---------------------------------------------

REQUIRE_PG_ENV = "BENCH_REQUIRE_PG"
_skipped_postgres: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that takes a PostgreSQL database is marked `postgres`, automatically."""
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords:
        _skipped_postgres.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get(REQUIRE_PG_ENV) and _skipped_postgres:
        print(
            f"\n{len(_skipped_postgres)} PostgreSQL tests were skipped but {REQUIRE_PG_ENV} "
            "is set: failing the run. First: " + _skipped_postgres[0]
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def head_revision(schema: str) -> str:
    """The newest migration of a schema ("local" or "central"), as Alembic sees it."""
    from alembic.script import ScriptDirectory

    from store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(schema)).get_current_head()  # type: ignore[arg-type]
    assert head is not None
    return head


@pytest.fixture(autouse=True)
def _thread_errors_reach_pytest() -> Iterator[None]:
    """`setup_logging` sends dying threads' tracebacks to the log; after each test, pytest
    sees them again, so one test's logging cannot hide another's thread errors."""
    import threading

    before = threading.excepthook
    yield
    threading.excepthook = before
