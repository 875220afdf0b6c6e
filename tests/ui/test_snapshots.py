"""What the inspector sees, screen by screen, at 80x24 (the smallest terminal) and 120x40.

The pictures are checked in under `__snapshots__/`; after a deliberate change, look at the
new ones (`pytest tests/test_snapshots.py --snapshot-update`, then open the SVGs) before
committing them. Everything on screen is fixed: the clock and data set (tests/station.py),
the station id, and the text cursor, which stops blinking for the picture.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label

from screens.app import BenchApp
from screens.help import HelpScreen
from screens.request import RequestView
from screens.supervisor import SupervisorScreen
from tests.support import dashboards as site
from tests.support.results import (
    ACCEPTED_1760,
    ACCEPTED_1920,
    REJECTED_DIRTY,
    TI_000002_SERIALS,
    declare_serials,
    save_result,
)
from tests.support.station import (
    FOUR_REASON_HOLD_KEYS,
    REVISE,
    REVISE_KEYS,
    SeededStation,
    Station,
    log_in,
    on_screen,
    open_checklist,
    open_request,
    scan,
    station_open,
    station_store,
    wait_until,
    walk_to_outcome,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

Steps = Callable[[Pilot[None]], Awaitable[None]]


def still(steps: Steps) -> Steps:
    """Run the steps, then stop every text cursor blinking so the picture is the same."""

    async def run(pilot: Pilot[None]) -> None:
        await steps(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run


async def login(pilot: Pilot[None]) -> None:
    await station_open(pilot)


async def home(pilot: Pilot[None]) -> None:
    await log_in(pilot)


async def request(pilot: Pilot[None]) -> None:
    await open_request(pilot, "TI-000002")  # three items: the table, the facts line wrapping at 80


async def request_with_amounts(pilot: Pilot[None]) -> None:
    # TI-000002 as a station left it: one camera rejected, two accepted; serials declared.
    await log_in(pilot)
    assert isinstance(pilot.app, BenchApp)
    for item, decision in zip(
        TI_000002_SERIALS, (REJECTED_DIRTY, ACCEPTED_1920, ACCEPTED_1760), strict=True
    ):
        save_result(pilot.app, item, decision)
    await scan(pilot, "TI-000002")
    await on_screen(pilot, RequestView)


async def checklist(pilot: Pilot[None]) -> None:
    await open_checklist(pilot, "TI-000004", "WYZECP23687093963")  # not the declared serial
    # On show: the data's three answers, the serial NO with both serials, and their keys.


async def outcome(pilot: Pilot[None]) -> None:
    await walk_to_outcome(pilot, FOUR_REASON_HOLD_KEYS)


async def revised_quote(pilot: Pilot[None]) -> None:
    await walk_to_outcome(pilot, REVISE_KEYS, *REVISE)  # the old quote, the new, the deadline


async def help_screen(pilot: Pilot[None]) -> None:
    await log_in(pilot)
    await pilot.press("f1")
    await on_screen(pilot, HelpScreen)


async def disputes(pilot: Pilot[None]) -> None:
    # A hold with two overridden answers, looked up by the supervisor: the frame, the search,
    # the list and the inspection in full.
    app = pilot.app
    await walk_to_outcome(pilot, FOUR_REASON_HOLD_KEYS)
    await pilot.press("enter")
    await on_screen(pilot, RequestView)
    # Central has it: the search reads central, and says nothing is left to send.
    await wait_until(pilot, lambda: station_store(app).queued_count() == 0)
    await pilot.press("f2")
    await log_in(pilot, "EMP-0002")
    await pilot.press("f12")
    await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
    await scan(pilot, "TI-000001")
    await wait_until(pilot, lambda: app.screen.query_one("#dispute-found", DataTable).row_count)


def figures_tab(key: str, tab: str, table: str, *keys: str) -> Steps:
    """The supervisor of the seeded site on a figures' tab, its figures read, `keys` pressed."""

    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        await log_in(pilot, site.SUPERVISOR, site.PIN)
        await pilot.press("f12", key, *keys)
        await wait_until(
            pilot,
            lambda: (
                app.screen.query_one(f"#{tab}-tab .figures-source", Label).render() != "Reading…"
                and app.screen.query_one(f"#{table}", DataTable).row_count > 0
            ),
        )
        await pilot.pause(0.3)  # the other list of the tab, and the chart

    return run


FIGURES_TABS = [
    pytest.param(figures_tab("1", "throughput", "throughput-table"), id="throughput"),
    pytest.param(figures_tab("2", "stuck", "stuck-table"), id="stuck"),
    # On hold: the other statuses turn on the real date (central's CURRENT_DATE).
    pytest.param(figures_tab("3", "deadlines", "settlements-table", "h"), id="deadlines"),
]


def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inspection ids 00000000-…-0001, -0002…: the disputes screen shows them."""
    numbers = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(numbers), version=4))


class TestSnapshots(SeededStation):
    @pytest.mark.parametrize("size", SIZES)
    def test_login(self, station: Station, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(station.app(), terminal_size=size, run_before=still(login))

    @pytest.mark.parametrize("size", SIZES)
    def test_home_with_demo_hints(
        self, station: Station, snap_compare: Any, size: tuple[int, int]
    ) -> None:
        assert snap_compare(station.app(), terminal_size=size, run_before=still(home))

    @pytest.mark.parametrize("size", SIZES)
    def test_request(self, station: Station, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(station.app(), terminal_size=size, run_before=still(request))

    def test_request_with_amounts_and_its_settlement(
        self, station: Station, snap_compare: Any
    ) -> None:
        # Every amount whole and the discount code under the table, at the smallest terminal.
        declare_serials(station, TI_000002_SERIALS)
        app = station.app()
        assert snap_compare(app, terminal_size=(80, 24), run_before=still(request_with_amounts))

    @pytest.mark.parametrize("size", SIZES)
    def test_checklist_with_prefilled_notice(
        self, station: Station, snap_compare: Any, size: tuple[int, int]
    ) -> None:
        assert snap_compare(station.app(), terminal_size=size, run_before=still(checklist))

    @pytest.mark.parametrize("size", SIZES)
    def test_outcome(self, station: Station, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(station.app(), terminal_size=size, run_before=still(outcome))

    def test_revised_quote_outcome(self, station: Station, snap_compare: Any) -> None:
        # The longest outcome there is, so only at the smallest terminal.
        assert snap_compare(station.app(), terminal_size=(80, 24), run_before=still(revised_quote))

    @pytest.mark.parametrize("size", SIZES)
    def test_help(self, station: Station, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(station.app(), terminal_size=size, run_before=still(help_screen))

    @pytest.mark.parametrize("size", SIZES)
    def test_supervisor_disputes(
        self,
        station: Station,
        snap_compare: Any,
        size: tuple[int, int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        fixed_ids(monkeypatch)
        assert snap_compare(station.app(), terminal_size=size, run_before=still(disputes))

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("steps", FIGURES_TABS)
    def test_supervisor_figures(
        self, tmp_path: Any, snap_compare: Any, size: tuple[int, int], steps: Steps
    ) -> None:
        app = site.central_site(tmp_path, f"sqlite:///{tmp_path / 'central.db'}").app()
        assert snap_compare(app, terminal_size=size, run_before=still(steps))
