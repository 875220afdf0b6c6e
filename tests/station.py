"""A seeded station for UI tests: central SQLite with the demo data, a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from textual.pilot import Pilot

from bench.app import BenchApp, make_app
from bench.config import Config, parse_config
from bench.demo import seed_central
from bench.demo_data import DemoDataset, demo_dataset
from bench.messages import ScanRead
from bench.scans import Scan, ScanSource

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 10, 30).astimezone()
_DATASETS: dict[int, DemoDataset] = {}


def dataset() -> DemoDataset:
    if not _DATASETS:
        _DATASETS[0] = demo_dataset(TODAY, request_count=40)
    return _DATASETS[0]


@dataclass(frozen=True)
class Station:
    folder: Path
    central_url: str

    def config(self, scanner: str = "simulated", **store: str) -> Config:
        return parse_config(
            {
                "station": {"id": "B-07"},
                "scanner": {"kind": scanner},
                "store": {
                    "local_path": str(self.folder / "station.db"),
                    "central_url": self.central_url,
                    **store,
                },
                "log": {"path": str(self.folder / "bench.log")},
            },
            base_dir=self.folder,
            name="test settings",
        )

    def app(self, scanner: str = "simulated") -> BenchApp:
        hints = [(h.code, h.description) for h in dataset().scan_hints]
        return make_app(self.config(scanner), hints=hints, clock=lambda: NOW)


def seeded_station(folder: Path) -> Station:
    url = f"sqlite:///{folder / 'central.db'}"
    seed_central(url, dataset())
    return Station(folder, url)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10
) -> None:
    """Let the app run until `condition` holds (workers run in threads)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


async def scan(pilot: Pilot[None], code: str) -> None:
    """What a serial or simulated scanner does: post one Scan to the app."""
    pilot.app.post_message(ScanRead(Scan.now(code, ScanSource.SIMULATED)))
    await pilot.pause()
    await asyncio.sleep(0)
