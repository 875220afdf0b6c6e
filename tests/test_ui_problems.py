"""What goes wrong shows on screen in plain words with the bell, and never crashes the bench."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from bench.checklist import Question
from screens.checklist import ChecklistScreen
from screens.home import HomeScreen
from screens.outcome import OutcomeScreen
from screens.request import RequestScreen
from screens.widgets import ProblemPanel
from tests.station import (
    SIZE,
    Station,
    count_bells,
    log_in,
    on_screen,
    problem_text,
    scan,
    seeded_station,
)

OUTDOOR_V2_GTIN = "2100400000223"  # item 2 of TI-000002, matched by model


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return seeded_station(tmp_path)


class TestProblemsOnScreen:
    async def test_unknown_request(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            bells = count_bells(app)
            await scan(pilot, "TI-999999")

            assert "Unknown request" in problem_text(app)
            assert "TI-999999" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, HomeScreen)
            assert app.session.request is None

    async def test_cancelled_request_is_not_opened(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            bells = count_bells(app)
            await scan(pilot, "TI-000008")  # the demo's cancelled request

            assert "Request cancelled" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, HomeScreen)
            assert app.session.request is None

    async def test_device_matching_no_item_of_a_multi_item_request(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-000002")
            await on_screen(pilot, RequestScreen)
            assert app.session.request is not None and len(app.session.request.items) == 3
            bells = count_bells(app)

            await scan(pilot, "NOSUCHSERIAL123")

            assert "Device matches no item" in problem_text(app)
            assert "NOSUCHSERIAL123" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, RequestScreen)
            assert app.session.active is None
            assert app.session.store.unfinished_inspections("B-07") == []

    async def test_item_already_inspected(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-000002")
            await scan(pilot, OUTDOOR_V2_GTIN)
            await on_screen(pilot, ChecklistScreen)
            assert app.session.active is not None
            assert app.session.active.started.request_item_id == "TI-000002-02"
            await pilot.press("enter", "enter", "n", "n", "y", "y")
            await on_screen(pilot, OutcomeScreen)
            await pilot.press("enter")
            await on_screen(pilot, RequestScreen)
            table = app.screen.query_one("#items", DataTable)
            assert str(table.get_row("TI-000002-02")[-1]) == "ACCEPT $19.20"
            assert str(table.get_row("TI-000002-01")[-1]) == "waiting"
            bells = count_bells(app)

            await scan(pilot, OUTDOOR_V2_GTIN)

            assert "Already inspected" in problem_text(app)
            assert "TI-000002-02" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, RequestScreen)
            assert app.session.active is None

    async def test_unreadable_scan(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            audit_before = len(app.session.store.audit_events())
            bells = count_bells(app)

            await scan(pilot, "AB\x07CD")

            assert "Unreadable scan" in problem_text(app)
            assert "control characters" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, HomeScreen)
            assert len(app.session.store.audit_events()) == audit_before

    async def test_unreadable_scan_mid_checklist_keeps_the_question(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-000001")
            await scan(pilot, "WYZECP22301595691")
            await on_screen(pilot, ChecklistScreen)
            bells = count_bells(app)

            await scan(pilot, "\x1b[A")

            assert "Unreadable scan" in problem_text(app)
            assert len(bells) == 1
            assert app.session.active is not None
            assert app.session.active.checklist.current is Question.MODEL_LISTED
            assert app.session.active.checklist.records == ()

    async def test_badge_scanned_mid_checklist(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-000001")
            await scan(pilot, "WYZECP22301595691")
            await on_screen(pilot, ChecklistScreen)
            await pilot.press("enter")
            bells = count_bells(app)

            await scan(pilot, "EMP-0002")

            assert "Finish this device first" in problem_text(app)
            assert "EMP-0002" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, ChecklistScreen)
            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0001"
            assert app.session.active is not None
            assert len(app.session.active.checklist.records) == 1

    async def test_the_next_good_step_clears_the_problem(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-999999")
            assert "Unknown request" in problem_text(app)

            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestScreen)

            assert problem_text(app) == ""
            # The home screen, left behind, does not keep the old problem for the next visit.
            home = app.get_screen("home")
            assert home.query_one(ProblemPanel).has_class("-visible") is False
