"""The header on every screen: station, inspector, scanner and sync state, queued count."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Label

from bench.cli.demo import seed_central
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.request import RequestView
from screens.widgets import StationAlert
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    confirm_an_inspection,
    dataset,
    header,
    log_in,
    on_screen,
    on_show,
    scan,
    screen_lines,
    station_open,
    wait_until,
)

NO_SCHEMA = "central has no bench schema: run `bench central init`"


class TestHeader(SeededStation):
    async def test_before_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)

            assert header(app) == {
                "station": "BENCH B-07",
                "inspector": "nobody logged in",
                "scanner": "SCANNER ● simulated",
                "printer": "PRINTER ●",
                "sync": "ONLINE",
            }

    async def test_a_new_status_repaints_only_the_parts_it_changes(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            app.status = replace(app.status, sync="ONLINE · 3 queued")
            await pilot.pause()
            # The header's parts, and the alerts that also show the status (hidden here).
            parts = app.screen.query("StationHeader Label, StationAlert, PrinterAlert")
            assert {type(part).__name__ for part in parts} == {
                "Label", "StationAlert", "PrinterAlert"
            }  # fmt: skip
            refreshed: list[str | None] = []
            for part in parts:

                def noted(*regions: Any, part: Widget = part, **flags: Any) -> Widget:
                    refreshed.append(part.id)
                    return Label.refresh(part, *regions, **flags)

                part.refresh = noted  # type: ignore[method-assign]
            screen = app.screen
            whole: list[tuple[object, ...]] = []

            def screen_noted(*regions: Any, **flags: Any) -> Any:
                whole.append(regions)
                return type(screen).refresh(screen, *regions, **flags)

            screen.refresh = screen_noted  # type: ignore[method-assign]
            # As a save changes the queue count: the same width, the other parts the same.
            app.status = replace(app.status, sync="ONLINE · 4 queued")
            await pilot.pause()
            assert set(refreshed) == {"sync"}
            assert () not in whole  # nor is the whole screen repainted
            assert header(app)["sync"] == "ONLINE · 4 queued"

    async def test_names_the_inspector_on_every_screen(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestView)
            assert header(app)["inspector"] == "Ana Inspector (EMP-0001)"
            await scan(pilot, "WYZECP22301595691")
            await on_screen(pilot, ChecklistView)
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
            await station_open(pilot)

            assert header(app)["sync"] == "OFFLINE since 10:30"
            assert app.screen.query_one("StationHeader #sync").has_class("-bad")

    async def test_offline_never_logs_the_central_password(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        url = "postgresql+psycopg://bench:s3cret@127.0.0.1:notaport/central"
        app = Station(tmp_path, url).app()
        with caplog.at_level(logging.WARNING):
            async with app.run_test(size=SIZE) as pilot:
                await station_open(pilot)
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
        from tests.support.store_helpers import rechain

        local = LocalStore.open(station.folder / "station.db")
        poison = finished(5, item="TI-000003-01")
        local.finish_inspection(poison)
        with local.engine.begin() as conn:  # central refuses negative money
            payload = conn.execute(outbox_table.select()).mappings().one()["payload"]
            conn.execute(update(outbox_table).values(payload={**payload, "final_cents": -5}))
        rechain(local, poison.started.id)  # so central refuses it, not the tamper check
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
            assert "final_cents" in row[3] and "TAMPERED" not in row[3]
            await pilot.press("escape")
            await station_open(pilot)

    async def test_a_tampered_inspection_is_listed_on_f9_with_what_to_do(
        self, station: Station
    ) -> None:
        from screens.refused import RefusedScreen
        from store.local import LocalStore
        from tests.support.inspections import finished

        local = LocalStore.open(station.folder / "station.db")
        edited = finished(6, item="TI-000003-01")
        local.finish_inspection(edited)
        with local.engine.begin() as conn:  # someone with the file raises the payout
            conn.exec_driver_sql(
                "UPDATE outbox SET payload = json_set(payload, '$.final_cents', 99999)"
            )
        local.close()
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE · 1 REFUSED (F9)")
            await pilot.press("f9")
            await on_screen(pilot, RefusedScreen)
            row = [str(cell) for cell in app.screen.query_one("#refused-table").get_row_at(0)]  # type: ignore[attr-defined]
            assert row[1] == "TI-000003-01" and row[3].startswith("TAMPERED, not sent")
            shown = " ".join(" ".join(line.strip("█▉ ").split()) for line in screen_lines(app))
            assert "1 TAMPERED: changed in this bench's file after they were saved" in shown
            assert "Do not pay from them; the supervisor runs `bench audit verify`" in shown


def sync_alert_shows(app: object, words: str) -> bool:
    """The alert under the header is on show, on its own line, and says `words`."""
    assert isinstance(app, BenchApp)
    alert = app.screen.query_one(StationAlert)
    return alert.has_class("-visible") and alert.region.y == 1 and on_show(app, words)


class TestCentralWithoutTheBenchSchema:
    """The repository's own config.toml points at a SQLite file that `bench` creates empty:
    OFFLINE alone sent people to check a network that was fine."""

    async def test_an_empty_sqlite_central_says_why_and_what_to_do(self, tmp_path: Path) -> None:
        central = tmp_path / "central.db"
        sqlite3.connect(central).execute("VACUUM").connection.close()  # a real, empty file
        station = Station(tmp_path, f"sqlite:///{central}", sync_interval=0.2)
        app = station.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await station_open(pilot)
            await wait_until(pilot, lambda: sync_alert_shows(app, NO_SCHEMA))
            assert header(app)["sync"].startswith("OFFLINE since")

            seed_central(station.central_url, dataset())  # someone ran `bench central init`
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE")
            assert not app.screen.query_one(StationAlert).has_class("-visible")
            assert not on_show(app, NO_SCHEMA)

    async def test_an_empty_postgresql_central_says_why_and_what_to_do(
        self, tmp_path: Path, pg_url: str
    ) -> None:
        app = Station(tmp_path, pg_url).app()
        async with app.run_test(size=(80, 24)) as pilot:
            await station_open(pilot)
            await wait_until(pilot, lambda: sync_alert_shows(app, NO_SCHEMA))
            assert header(app)["sync"].startswith("OFFLINE since")

    async def test_an_unreachable_central_is_an_outage_with_no_alert(self, tmp_path: Path) -> None:
        station = Station(tmp_path, f"sqlite:///{tmp_path / 'missing' / 'central.db'}")
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            assert header(app)["sync"].startswith("OFFLINE since")
            assert not app.screen.query_one(StationAlert).has_class("-visible")
