"""Fixtures every store test file takes: a central on SQLite and PostgreSQL, an empty station,
and the demo warehouse at central with the station syncing with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from store.local import LocalStore
from store.sync import SyncEngine
from tests.support import demo_site


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def central_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite central and (marked) on a PostgreSQL one, both empty."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalStore]:
    """A station's local store with nothing in it yet."""
    store = LocalStore.open(tmp_path / "station.db")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def demo_central(central_url: str) -> Iterator[Engine]:
    """The central of `central_url` seeded with the demo warehouse."""
    engine = demo_site.demo_central(central_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sync(local: LocalStore, central_url: str, demo_central: Engine) -> Iterator[SyncEngine]:
    """The station B-07's sync with the demo central, its replica pulled."""
    engine = demo_site.synced(local, central_url)
    yield engine
    engine.close()
