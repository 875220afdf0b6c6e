"""The header on every screen: station, inspector, scanner and sync state, queued count."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from screens.checklist import ChecklistScreen
from screens.login import LoginScreen
from screens.outcome import OutcomeScreen
from screens.request import RequestScreen
from tests.station import SIZE, Station, log_in, on_screen, scan, seeded_station, shown


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return seeded_station(tmp_path)


def header(app: object) -> dict[str, str]:
    from bench.app import BenchApp

    assert isinstance(app, BenchApp)
    return {
        part: shown(app.screen.query_one(f"StationHeader #{part}"))
        for part in ("station", "inspector", "scanner", "sync")
    }


class TestHeader:
    async def test_before_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)

            assert header(app) == {
                "station": "BENCH B-07",
                "inspector": "nobody logged in",
                "scanner": "SCANNER ● simulated",
                "sync": "ONLINE",
            }

    async def test_names_the_inspector_on_every_screen(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestScreen)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            await scan(pilot, "WYZECP22301595691")
            await on_screen(pilot, ChecklistScreen)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            assert header(app)["station"] == "BENCH B-07"

    async def test_shows_the_queued_count_after_a_confirmed_inspection(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-000001")
            await scan(pilot, "WYZECP22301595691")
            await on_screen(pilot, ChecklistScreen)
            await pilot.press("enter", "enter", "enter", "n", "n", "y", "y")
            await on_screen(pilot, OutcomeScreen)
            assert "queued" not in header(app)["sync"]

            await pilot.press("enter")
            await on_screen(pilot, RequestScreen)

            assert header(app)["sync"] == "ONLINE · 1 queued"
            assert app.session.store.queued_count() == 1

    async def test_offline_when_central_cannot_be_reached(self, tmp_path: Path) -> None:
        station = Station(tmp_path, f"sqlite:///{tmp_path / 'missing' / 'central.db'}")
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)

            assert header(app)["sync"] == "OFFLINE since 10:30"
            assert app.screen.query_one("StationHeader #sync").has_class("-bad")

    async def test_offline_never_logs_the_central_password(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        url = "postgresql+psycopg://bench:s3cret@127.0.0.1:notaport/central"
        app = Station(tmp_path, url).app()
        with caplog.at_level(logging.WARNING, logger="bench.app"):
            async with app.run_test(size=SIZE) as pilot:
                await on_screen(pilot, LoginScreen)
                assert header(app)["sync"].startswith("OFFLINE")

        unreachable = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(unreachable) == 1
        assert "s3cret" not in unreachable[0]
        assert "notaport" in unreachable[0]
