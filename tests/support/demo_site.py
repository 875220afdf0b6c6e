"""A central seeded with the demo warehouse, and stations that sync with it for real: what
the store tests of reopens, second gradings and disputes start from."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bench import __version__
from bench.cli.demo import seed_central
from bench.demo_data import demo_dataset
from store.central import central_engine
from store.local import LocalStore
from store.sync import SyncEngine

ITEM = "TI-000001-01"
PAN_V2_SERIAL = "WYZECP22301595691"  # TI-000001's one item, a trade-up Pan v2


def demo_central(url: str) -> Engine:
    """The central at `url`, seeded with the demo warehouse (20 requests)."""
    seed_central(url, demo_dataset(date(2026, 11, 29), request_count=20))
    return central_engine(url)


def synced(local: LocalStore, central_url: str, station_id: str = "B-07") -> SyncEngine:
    """The station's sync with central, after a first round pulled its replica."""
    engine = SyncEngine(local, central_url, station_id, app_version=__version__)
    assert engine.run_once().online  # the replica: programs, requests, inspectors
    return engine


def pushed_station(path: Path, central_url: str, station_id: str) -> tuple[LocalStore, SyncEngine]:
    """A new station at `path` with its replica pulled from central, and its sync."""
    local = LocalStore.open(path)
    return local, synced(local, central_url, station_id)


def settlement(central: Engine, request_id: str) -> dict[str, Any]:
    """Central's `request_settlements` row of the request."""
    with central.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM request_settlements WHERE request_id = :id"), {"id": request_id}
        )
        return dict(row.mappings().one())
