"""The site of tests/support/supervision.py as the supervisor's tabs see it: station B-01
at the end of the shift (16:00 in New York, a fixed clock), central on SQLite or
PostgreSQL with the site's inspections and three stations' heartbeats (B-02 silent for
half an hour: stale), or central out of reach and the station's own file seeded instead.
A supervisor EMP-0009 (PIN 9999) is known at central and in the station's replica.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.cli.station import station_app
from bench.config import Config, parse_config
from bench.pins import hash_pin
from screens.app import BenchApp
from store.central import central_engine, heartbeat_table, init_central, inspector_table
from store.local import LocalStore
from tests.support import supervision as site

NOW = site.UNTIL  # 16:00 in New York, Tuesday 24 November 2026
SUPERVISOR, PIN = "EMP-0009", "9999"
# A closed port: nothing listens on the discard port here, so central is unreachable.
UNREACHABLE = "postgresql://bench@127.0.0.1:9/nowhere?connect_timeout=1"
HEARTBEATS = (("B-01", 1, 0), ("B-02", 30, 4), ("B-03", 2, 3))  # station, minutes ago, queue
STALE = "B-02"


def supervisor_row() -> dict[str, Any]:
    return {"id": SUPERVISOR, "name": "Sue Visor", "role": "supervisor",
            "pin_hash": hash_pin(PIN), "active": True}  # fmt: skip


@dataclass(frozen=True)
class Site:
    """A station of the site; `rows` are the inspections its figures count."""

    folder: Path
    central_url: str
    rows: list[dict[str, Any]]
    local: site.Station | None = None

    def config(self) -> Config:
        return parse_config(
            {
                "station": {"id": "B-01", "country": "US"},
                "site": {"time_zone": "America/New_York", "heartbeat_stale_minutes": 5},
                "scanner": {"kind": "simulated"},
                "store": {
                    "local_path": str(self.folder / "station.db"),
                    "central_url": self.central_url,
                },
                "log": {"path": str(self.folder / "bench.log")},
                "printer": {"kind": "file", "folder": str(self.folder / "labels")},
            },
            base_dir=self.folder,
            name="test settings",
        )

    def app(self) -> BenchApp:
        return station_app(self.config(), clock=lambda: NOW)


def central_site(folder: Path, url: str) -> Site:
    """Central with the site's inspections, a supervisor and the stations' heartbeats."""
    init_central(url)
    engine = central_engine(url)
    try:
        rows = site.seed_central(engine)
        with engine.begin() as conn:
            conn.execute(insert(inspector_table), [supervisor_row() | {"updated_at": NOW}])
            conn.execute(insert(heartbeat_table), [
                {"station_id": station, "last_seen": NOW - timedelta(minutes=minutes),
                 "queue_depth": depth, "app_version": "0.1.0"}
                for station, minutes, depth in HEARTBEATS
            ])  # fmt: skip
    finally:
        engine.dispose()
    return Site(folder, url, rows)


def offline_site(folder: Path) -> Site:
    """Central out of reach; the station's file holds B-01's share of the site and a
    replica in which the supervisor is known."""
    store = LocalStore.open(folder / "station.db")
    try:
        local = site.seed_station(store, "B-01")
        store.write_replica_rows("inspectors", [supervisor_row() | {"updated_at": NOW}])
        store.write_replica_rows("catalog_models", [{
            "sku": "WYZE-PAN-V2", "program_code": "WYZE-UP", "brand": "Wyze",
            "name": "Wyze Cam Pan v2", "released_on": datetime(2020, 1, 1).date(),
            "base_value_cents": 1500, "has_storage": False, "gtins": [],
            "updated_at": NOW,
        }])  # fmt: skip
    finally:
        store.close()
    return Site(folder, UNREACHABLE, local.rows, local)
