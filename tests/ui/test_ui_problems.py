"""What goes wrong shows on screen in plain words with the bell, and never crashes the bench."""

from __future__ import annotations

import pytest
from textual.widget import Widget

from bench.checklist import Question
from screens.checklist import ChecklistView
from screens.home import HomeView
from screens.items import ItemList
from screens.outcome import OutcomeView
from screens.request import RequestView
from screens.widgets import ProblemPanel
from tests.support.station import (
    PAN_V2_SERIAL,
    SIZE,
    SeededStation,
    Station,
    confirm_an_inspection,
    log_in,
    on_screen,
    on_show,
    open_checklist,
    open_request,
    problem_text,
    scan,
    scan_expecting_problem,
    showing,
    shown,
    wait_until,
    walk_to_outcome,
)
from tests.support.store_helpers import audit_events

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

            assert isinstance(showing(app), HomeView)
            assert app.session.request is None

    async def test_device_matching_no_item_of_a_multi_item_request(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot, "TI-000002")
            assert app.session.request is not None and len(app.session.request.items) == 3

            await scan_expecting_problem(
                pilot, "NOSUCHSERIAL123", "Device matches no item", "NOSUCHSERIAL123"
            )

            assert isinstance(showing(app), RequestView)
            assert app.session.active is None
            assert app.session.store.unfinished_inspections("B-07") == []

    async def test_item_already_inspected(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot, "TI-000002", OUTDOOR_V2_GTIN)
            assert app.session.active is not None
            assert app.session.active.started.request_item_id == "TI-000002-02"
            await pilot.press("enter", "n", "n", "y", "y")
            await on_screen(pilot, OutcomeView)
            await pilot.press("enter")
            await on_screen(pilot, RequestView)
            table = app.screen.query_one("#items", ItemList)
            assert str(table.get_row("TI-000002-02")[-1]) == "ACCEPT $19.20"
            assert str(table.get_row("TI-000002-01")[-1]) == "waiting"

            await scan_expecting_problem(
                pilot, OUTDOOR_V2_GTIN, "Already inspected", "TI-000002-02"
            )

            assert isinstance(showing(app), RequestView)
            assert app.session.active is None

    async def test_already_inspected_says_what_to_do_and_who_reopens_it(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)  # TI-000001's one item: the request is done

            await scan_expecting_problem(
                pilot, PAN_V2_SERIAL, "Already inspected", "aside", "supervisor", "TI-000001-01"
            )

            # An inspector cannot reopen it: a supervisor does, with F10 (test_ui_reopen.py).
            assert "a supervisor, who reopens item TI-000001-01 (F10)" in problem_text(app)
            assert app.session.active is None

    @pytest.mark.parametrize(
        ("code", "what"),
        [
            pytest.param("NOSUCHSERIAL123", "Serial NOSUCHSERIAL123", id="serial"),
            # The Outdoor v2's box: a model of the catalog, but of no item of TI-000001.
            pytest.param(OUTDOOR_V2_GTIN, f"GTIN {OUTDOOR_V2_GTIN}", id="gtin"),
        ],
    )
    async def test_an_unknown_device_in_a_finished_request_is_called_unknown(
        self, station: Station, code: str, what: str
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            assert app.session.request_done

            await scan_expecting_problem(pilot, code, "Unknown device", what, "TI-000001")

            text = problem_text(app)
            assert "already done" not in text
            assert "supervisor" in text and "next package label" in text
            assert isinstance(showing(app), RequestView)
            assert app.session.active is None

    async def test_unreadable_scan(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            audit_before = len(audit_events(app.session.store))

            await scan_expecting_problem(pilot, "AB\x07CD", "Unreadable scan", "control characters")

            assert isinstance(showing(app), HomeView)
            assert len(audit_events(app.session.store)) == audit_before

    async def test_unreadable_scan_mid_checklist_keeps_the_question(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)

            await scan_expecting_problem(pilot, "\x1b[A", "Unreadable scan")

            assert app.session.active is not None
            step = app.session.active.checklist.current
            assert step is not None and Question.MODEL_LISTED in step.questions
            assert app.session.active.checklist.records == ()

    async def test_badge_scanned_mid_checklist(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter")

            await scan_expecting_problem(pilot, "EMP-0002", "Finish this device first", "EMP-0002")

            assert isinstance(showing(app), ChecklistView)
            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0001"
            assert app.session.active is not None
            assert len(app.session.active.checklist.records) == 3  # the data's three answers

    async def test_the_next_good_step_clears_the_problem(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "TI-999999")
            assert "Unknown request" in problem_text(app)

            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestView)

            assert problem_text(app) == ""
            # A problem on the request does not follow the inspector home either.
            await scan(pilot, "CMD:YES")
            assert "Not now" in problem_text(app)
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            assert problem_text(app) == ""
            assert not app.screen.query_one(ProblemPanel).has_class("-visible")

    async def test_a_problem_on_a_short_screen_leaves_the_outcome_keys_on_show(
        self, station: Station
    ) -> None:
        # Three reasons at 80x22 stand for five at 80x24: the panel of a long scan's problem
        # would cover the line that says how to save.
        app = station.app()
        async with app.run_test(size=(80, 22)) as pilot:
            await walk_to_outcome(pilot, ("enter", "y", "n", "y", "n"))
            saves = "Enter / CMD:CONFIRM saves"
            assert on_show(app, saves) and on_show(app, "Not factory reset")

            await scan_expecting_problem(pilot, "WYZECP2" + "A" * 55, "Confirm this device first")

            assert on_show(app, saves)


def uncovered(widget: Widget) -> bool:
    """Every cell of the widget's region shows the widget (or a part of it): nothing, a
    toast say, is drawn over it."""
    screen = widget.screen
    region = widget.region
    cells = [(x, y) for y in range(region.y, region.bottom) for x in range(region.x, region.right)]
    on_top = {screen.get_widget_at(x, y)[0] for x, y in cells}
    return bool(cells) and all(w is widget or widget in w.ancestors for w in on_top)


class TestSavedConfirmation(SeededStation):
    @pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"), pytest.param(SIZE)])
    async def test_a_problem_after_a_save_shows_whole_beside_the_confirmation(
        self, station: Station, size: tuple[int, int]
    ) -> None:
        app = station.app()
        # Toasts drawn, as on a real terminal (run_test leaves them out unless asked).
        async with app.run_test(size=size, notifications=True) as pilot:
            await confirm_an_inspection(pilot)
            saved = app.screen.query_one("#request-saved")
            assert "Saved TI-000001-01: ACCEPT $15.00 · label → REFURBISH" in shown(saved)

            await scan_expecting_problem(pilot, "EMP-0002", "Not now")  # at once, as on the floor
            await pilot.pause()

            panel = app.screen.query_one(ProblemPanel)
            assert uncovered(panel)
            assert uncovered(saved)
            assert not panel.region.overlaps(saved.region)

    async def test_the_confirmation_goes_with_the_request(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            assert app.screen.query_one("#request-saved").display

            await scan(pilot, "TI-000002")
            await wait_until(pilot, lambda: app.session.request is not None
                             and app.session.request.id == "TI-000002")  # fmt: skip
            assert not app.screen.query_one("#request-saved").display
