"""Fixtures every store test file takes: a central on SQLite and PostgreSQL, an empty station."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.local import LocalStore


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
