"""Reopening an inspected item, through the real app: an inspector is neither shown F10
(reopen) nor F12 (supervisor), and the keys and the actions refuse them in plain words; a
supervisor reopens TI-000001's Pan v2 with a reason, the audit log says who and why, the
item is inspected again, the new inspection supersedes the old, and the request shows
the new outcome.
"""

from __future__ import annotations

from textual.app import App
from textual.widgets import Label

from bench.domain import ITEM_REOPENED
from screens.dialogs import ReopenReasonScreen
from screens.home import HomeView
from screens.items import ItemList
from screens.request import RequestView
from screens.supervisor import SupervisorScreen
from screens.widgets import KeyBar
from tests.support.station import (
    PAN_V2_SERIAL,
    SIZE,
    SeededStation,
    Station,
    confirm_an_inspection,
    confirm_outcome,
    count_bells,
    log_in,
    log_out,
    on_screen,
    painted_in,
    painted_on,
    problem_text,
    scan,
    shown,
    station_open,
    station_store,
    wait_until,
)
from tests.support.store_helpers import audit_events, finished_inspection

ITEM = "TI-000001-01"
# Not broken, dirty: on trade-up a reject; then reset and owned are still asked.
DIRTY_KEYS = ("enter", "n", "y", "y", "y")


def keys_shown(app: App[None]) -> str:
    return str(app.screen.query_one(KeyBar).render())


def palette(app: App[None]) -> list[str]:
    """The command palette's actions by name."""
    return [command.title for command in app.get_system_commands(app.screen)]


def item_status(app: App[None]) -> str:
    return str(app.screen.query_one("#items", ItemList).get_row(ITEM)[-1])


class TestAnInspector(SeededStation):
    async def test_sees_no_supervisor_keys_and_they_refuse_in_plain_words(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)  # EMP-0001, an inspector
            assert "Reopen item" not in keys_shown(app)
            assert "Supervisor" not in keys_shown(app)
            assert "Supervisor" not in palette(app)
            bells = count_bells(app)

            await pilot.press("f10")
            assert "Only a supervisor can reopen an item: ask a supervisor to log in" in (
                problem_text(app)
            )
            assert not isinstance(app.screen, ReopenReasonScreen)
            await pilot.press("f12")
            assert "Only a supervisor can open the supervisor screens" in problem_text(app)
            assert not isinstance(app.screen, SupervisorScreen)
            assert len(bells) == 2

            # The actions themselves refuse, whatever calls them (the palette, a binding).
            app.action_supervisor()
            await pilot.pause()
            assert not isinstance(app.screen, SupervisorScreen)
            view = app.screen.view  # type: ignore[attr-defined]
            assert isinstance(view, RequestView)
            view.action_reopen()
            await pilot.pause()
            assert not isinstance(app.screen, ReopenReasonScreen)
            assert "Only a supervisor can reopen an item" in problem_text(app)
            assert not [e for e in audit_events(station_store(app)) if e.event == ITEM_REOPENED]
            assert item_status(app).startswith("ACCEPT")


class TestASupervisor(SeededStation):
    async def test_reopens_with_a_reason_and_the_reinspection_supersedes(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            first = app.session.last_saved
            assert first is not None
            await log_out(pilot)

            await log_in(pilot, "EMP-0002")
            assert "f12 Supervisor" in keys_shown(app)
            assert "Supervisor" in palette(app)
            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestView)
            assert "Reopen item" in keys_shown(app)
            await pilot.press("f10")
            await on_screen(pilot, ReopenReasonScreen)
            reasons = [shown(label) for label in app.screen.query(Label)]
            assert "[1] Customer dispute" in reasons and "[6] Other" in reasons
            await pilot.press("1")
            await on_screen(pilot, RequestView)

            [entry] = [e for e in audit_events(station_store(app)) if e.event == ITEM_REOPENED]
            assert entry.inspector_id == "EMP-0002"
            assert entry.detail == {
                "request_item_id": ITEM,
                "inspection_id": first.started.id,
                "reason": "Customer dispute",
            }
            assert item_status(app) == "reopened"
            saved_line = shown(app.screen.query_one("#request-saved"))
            assert saved_line.startswith(f"↺ Reopened {ITEM} (Customer dispute)")
            assert painted_in(app.screen.query_one("#request-saved"), "text-warning")
            assert "SCAN A DEVICE" in shown(app.screen.query_one("#request-prompt"))
            assert painted_on(app.screen.query_one("#request-prompt"), "primary")

            # Inspected again (by the supervisor here): found dirty, rejected this time.
            await scan(pilot, PAN_V2_SERIAL)
            await pilot.press(*DIRTY_KEYS)
            await confirm_outcome(pilot)
            second = app.session.last_saved
            assert second is not None and second.decision.outcome.value == "reject"
            stored = finished_inspection(station_store(app), second.started.id)
            assert stored is not None and stored.started.supersedes == first.started.id
            assert item_status(app) == "REJECT"
            assert shown(app.screen.query_one("#request-settlement")) == "nothing to refund · ready"

    async def test_escape_leaves_the_item_inspected(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            await log_out(pilot)
            await log_in(pilot, "EMP-0002")
            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestView)
            await pilot.press("f10")
            await on_screen(pilot, ReopenReasonScreen)
            await pilot.press("escape")
            await on_screen(pilot, RequestView)
            assert item_status(app).startswith("ACCEPT")
            assert not [e for e in audit_events(station_store(app)) if e.event == ITEM_REOPENED]

    async def test_f10_on_an_item_not_inspected_says_so(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "EMP-0002")
            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestView)
            await pilot.press("f10")
            assert "Not inspected here" in problem_text(app)
            assert not isinstance(app.screen, ReopenReasonScreen)

    async def test_f12_opens_the_supervisor_screen_and_logging_out_closes_it(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "EMP-0002")
            await pilot.press("f12")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            await pilot.press("f12")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            await pilot.press("f2")
            await station_open(pilot)
            assert not any(isinstance(s, SupervisorScreen) for s in app.screen_stack)
