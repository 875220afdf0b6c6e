"""A keyboard-wedge scanner types into the terminal: its bursts are scans, people's keys are not.

The app holds single keys for about 50 ms in wedge mode, so the tests pause after presses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

from bench.scans import ScanSource
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.home import HomeView
from screens.messages import InspectionSaved, ScanRead, ScanUnreadable
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.station import (
    ACCEPT_KEYS,
    NOW,
    PAN_V2_SERIAL,
    SIZE,
    SeededStation,
    Station,
    log_in,
    on_screen,
    problem_text,
    showing,
    shown,
    station_open,
    type_slowly,
    wedge_burst,
)


@asynccontextmanager
async def run_with_a_wedge(
    station: Station,
) -> AsyncIterator[tuple[BenchApp, Pilot[None], list[Message]]]:
    """Run the app with a keyboard-wedge scanner, keeping every message it handles, once.

    Textual calls the hook at every widget a message bubbles through: a message is kept
    the first time, so an input's change counts once however far it bubbles."""
    seen: list[Message] = []
    kept: set[int] = set()

    def keep(message: Message) -> None:
        if id(message) not in kept:
            kept.add(id(message))
            seen.append(message)

    app = station.app(scanner="wedge")
    async with app.run_test(size=SIZE, message_hook=keep) as pilot:
        yield app, pilot, seen


def wedge_scans(seen: list[Message]) -> list[str]:
    return [
        m.scan.text for m in seen if isinstance(m, ScanRead) and m.scan.source is ScanSource.WEDGE
    ]


def typed_into(seen: list[Message], input_id: str) -> list[str]:
    return [
        m.value for m in seen if isinstance(m, Input.Changed) and m.input.id == input_id and m.value
    ]


class TestKeyboardWedge(SeededStation):
    async def test_fast_burst_and_enter_is_a_scan_not_typing(self, station: Station) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await log_in(pilot, slow=True)
            home = app.screen
            assert app.focused is home.query_one("#code", Input)

            await wedge_burst(pilot, "TI-000002")
            await on_screen(pilot, RequestView)

            assert wedge_scans(seen) == ["TI-000002"]
            assert app.session.request is not None and app.session.request.id == "TI-000002"
            assert typed_into(seen, "code") == []
            assert home.query_one("#code", Input).value == ""

    async def test_slow_typing_lands_in_the_field_and_enter_submits_it(
        self, station: Station
    ) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await log_in(pilot, slow=True)
            code = app.screen.query_one("#code", Input)

            await type_slowly(pilot, "TI-000001")
            assert code.value == "TI-000001"
            await pilot.press("enter")
            await pilot.pause(0.1)
            await on_screen(pilot, RequestView)

            assert wedge_scans(seen) == []
            assert typed_into(seen, "code")[-1] == "TI-000001"
            assert app.session.request is not None and app.session.request.id == "TI-000001"

    async def test_badge_burst_on_login_is_a_badge_scan(self, station: Station) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await station_open(pilot)

            await wedge_burst(pilot, "EMP-0001")

            assert wedge_scans(seen) == ["EMP-0001"]
            assert typed_into(seen, "badge") == ["EMP-0001"]  # filled in by the scan, whole
            assert app.focused is app.screen.query_one("#pin", Input)
            await type_slowly(pilot, "1234")
            await pilot.press("enter")
            await on_screen(pilot, HomeView)
            assert app.session.inspector is not None

    async def test_a_pin_typed_as_fast_as_a_scan_is_refused_and_never_shown(
        self, station: Station
    ) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await station_open(pilot)
            await wedge_burst(pilot, "EMP-0001")
            assert app.focused is app.screen.query_one("#pin", Input)

            await wedge_burst(pilot, "1234")

            assert wedge_scans(seen) == ["EMP-0001", "1234"]
            assert "Not a badge" in problem_text(app)
            assert "1234" not in problem_text(app)
            assert app.session.inspector is None
            assert app.session.store.login_failure_times("EMP-0001", NOW - timedelta(hours=1)) == []

    async def test_header_names_the_wedge_scanner(self, station: Station) -> None:
        app = station.app(scanner="wedge")
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            assert shown(app.screen.query_one("#scanner")) == "SCANNER ● wedge"


class TestBurstsThatAreNotScans(SeededStation):
    """A burst that cannot be a scan is one unreadable notice, and none of its keys acts."""

    async def test_a_zero_width_burst_on_the_outcome_screen_does_not_confirm(
        self, station: Station
    ) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await scan_a_request(pilot)
            await wedge_burst(pilot, PAN_V2_SERIAL)
            await on_screen(pilot, ChecklistView)
            for key in ACCEPT_KEYS:
                await pilot.press(key)
                await pilot.pause(0.1)
            await on_screen(pilot, OutcomeView)

            await wedge_burst(pilot, "WYZE\u200bXY")
            await pilot.pause(0.2)

            assert isinstance(showing(app), OutcomeView)
            assert "Unreadable scan" in problem_text(app)
            assert [m for m in seen if isinstance(m, InspectionSaved)] == []
            assert len(wedge_unreadables(seen)) == 1

    async def test_a_zero_width_burst_on_the_item_list_starts_nothing(
        self, station: Station
    ) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await scan_a_request(pilot)

            await wedge_burst(pilot, "WYZE\u200bXY")
            await pilot.pause(0.2)

            assert isinstance(showing(app), RequestView)
            assert app.session.active is None
            assert "Unreadable scan" in problem_text(app)
            assert len(wedge_unreadables(seen)) == 1

    async def test_a_10_kb_burst_on_the_checklist_answers_nothing(self, station: Station) -> None:
        async with run_with_a_wedge(station) as (app, pilot, seen):
            await scan_a_request(pilot)
            await wedge_burst(pilot, PAN_V2_SERIAL)
            await on_screen(pilot, ChecklistView)
            assert app.session.active is not None
            answered = len(app.session.active.checklist.records)

            await wedge_burst(pilot, "yn1a" * 2560)
            await pilot.pause(0.3)

            assert isinstance(showing(app), ChecklistView)
            assert len(app.session.active.checklist.records) == answered
            assert "Unreadable scan" in problem_text(app)
            assert wedge_scans(seen) == ["TI-000001", PAN_V2_SERIAL]
            assert len(wedge_unreadables(seen)) == 1


async def scan_a_request(pilot: Pilot[None]) -> None:
    """Log in and scan TI-000001 with the wedge: its request on show."""
    await log_in(pilot, slow=True)
    await wedge_burst(pilot, "TI-000001")
    await on_screen(pilot, RequestView)


def wedge_unreadables(seen: list[Message]) -> list[ScanUnreadable]:
    return [
        m for m in seen if isinstance(m, ScanUnreadable) and m.unreadable.source is ScanSource.WEDGE
    ]
