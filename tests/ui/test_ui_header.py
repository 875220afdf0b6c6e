"""The header on every screen: station, inspector, scanner and sync state, queued count."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from screens.checklist import ChecklistScreen
from screens.login import LoginScreen
from screens.request import RequestView
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    confirm_an_inspection,
    header,
    log_in,
    on_screen,
    scan,
    wait_until,
)


class TestHeader(SeededStation):
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
            await on_screen(pilot, RequestView)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            await scan(pilot, "WYZECP22301595691")
            await on_screen(pilot, ChecklistScreen)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            assert header(app)["station"] == "BENCH B-07"

    async def test_a_confirmed_inspection_is_sent_at_once_when_online(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            await wait_until(pilot, lambda: app.session.store.queued_count() == 0)
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE")
        central = sqlite3.connect(station.central_url.removeprefix("sqlite:///"))
        assert central.execute("SELECT count(*) FROM inspections").fetchone() == (1,)
        central.close()

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
        with caplog.at_level(logging.WARNING):
            async with app.run_test(size=SIZE) as pilot:
                await on_screen(pilot, LoginScreen)
                assert header(app)["sync"].startswith("OFFLINE")

        messages = [r.getMessage() for r in caplog.records]
        assert any("unreachable" in m and "notaport" in m for m in messages)
        assert not any("s3cret" in m for m in messages)


class TestRefused(SeededStation):
    async def test_a_refused_inspection_is_flagged_and_listed_on_f9(self, station: Station) -> None:
        from sqlalchemy import update

        from screens.refused import RefusedScreen
        from store.local import LocalStore, outbox_table
        from tests.support.inspections import finished

        local = LocalStore.open(station.folder / "station.db")
        poison = finished(5, item="TI-000003-01")
        local.finish_inspection(poison)
        with local.engine.begin() as conn:  # central refuses negative money
            payload = conn.execute(outbox_table.select()).mappings().one()["payload"]
            conn.execute(update(outbox_table).values(payload={**payload, "final_cents": -5}))
        local.close()
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE · 1 REFUSED (F9)")
            assert app.screen.query_one("StationHeader #sync").has_class("-bad")
            await pilot.press("f9")
            await on_screen(pilot, RefusedScreen)
            table = app.screen.query_one("#refused-table")
            row = [str(cell) for cell in table.get_row_at(0)]  # type: ignore[attr-defined]
            assert row[1] == "TI-000003-01"
            assert row[2] == poison.started.id[:8]
            assert "final_cents" in row[3]
            await pilot.press("escape")
            await on_screen(pilot, LoginScreen)
