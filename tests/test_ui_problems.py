"""What goes wrong shows on screen in plain words with the bell, and never crashes the bench."""

from __future__ import annotations

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
    SeededStation,
    Station,
    log_in,
    on_screen,
    open_checklist,
    open_request,
    problem_text,
    scan,
    scan_expecting_problem,
)

OUTDOOR_V2_GTIN = "2100400000223"  # item 2 of TI-000002, matched by model


class TestProblemsOnScreen(SeededStation):
    @pytest.mark.parametrize(
        ("code", "words"),
        [
            pytest.param("TI-999999", ("Unknown request", "TI-999999"), id="unknown"),
            # TI-000008 is the demo's cancelled request.
            pytest.param("TI-000008", ("Request cancelled",), id="cancelled"),
        ],
    )
    async def test_unknown_or_cancelled_request_is_not_opened(
        self, station: Station, code: str, words: tuple[str, ...]
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan_expecting_problem(pilot, code, *words)

            assert isinstance(app.screen, HomeScreen)
            assert app.session.request is None

    async def test_device_matching_no_item_of_a_multi_item_request(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot, "TI-000002")
            assert app.session.request is not None and len(app.session.request.items) == 3

            await scan_expecting_problem(
                pilot, "NOSUCHSERIAL123", "Device matches no item", "NOSUCHSERIAL123"
            )

            assert isinstance(app.screen, RequestScreen)
            assert app.session.active is None
            assert app.session.store.unfinished_inspections("B-07") == []

    async def test_item_already_inspected(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot, "TI-000002", OUTDOOR_V2_GTIN)
            assert app.session.active is not None
            assert app.session.active.started.request_item_id == "TI-000002-02"
            await pilot.press("enter", "enter", "n", "n", "y", "y")
            await on_screen(pilot, OutcomeScreen)
            await pilot.press("enter")
            await on_screen(pilot, RequestScreen)
            table = app.screen.query_one("#items", DataTable)
            assert str(table.get_row("TI-000002-02")[-1]) == "ACCEPT $19.20"
            assert str(table.get_row("TI-000002-01")[-1]) == "waiting"

            await scan_expecting_problem(
                pilot, OUTDOOR_V2_GTIN, "Already inspected", "TI-000002-02"
            )

            assert isinstance(app.screen, RequestScreen)
            assert app.session.active is None

    async def test_unreadable_scan(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            audit_before = len(app.session.store.audit_events())

            await scan_expecting_problem(pilot, "AB\x07CD", "Unreadable scan", "control characters")

            assert isinstance(app.screen, HomeScreen)
            assert len(app.session.store.audit_events()) == audit_before

    async def test_unreadable_scan_mid_checklist_keeps_the_question(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)

            await scan_expecting_problem(pilot, "\x1b[A", "Unreadable scan")

            assert app.session.active is not None
            assert app.session.active.checklist.current is Question.MODEL_LISTED
            assert app.session.active.checklist.records == ()

    async def test_badge_scanned_mid_checklist(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter")

            await scan_expecting_problem(pilot, "EMP-0002", "Finish this device first", "EMP-0002")

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
