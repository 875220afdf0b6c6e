"""The supervisor's Disputes tab (F12), through the real app: a request id, an item id, a
serial, an IMEI or a tracking number, scanned or typed, finds the inspections of this
bench; the chosen one shows every answer with who and when, an override's reason, how
the device was identified, the outcome, what it replaced, and the item's audit trail,
labelled with where it comes from and as of when.

The inspections are made by EMP-0001 (an inspector) through the session, as the request
screen would; then the supervisor EMP-0002 logs in and looks them up.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from screens.app import BenchApp
from screens.home import HomeView
from screens.supervisor import SupervisorScreen
from tests.support.sessions import ALL_WELL, DIRTY, inspect
from tests.support.station import (
    FOUR_REASON_HOLD_KEYS,
    PAN_V2_SERIAL,
    SIZE,
    SeededStation,
    Station,
    confirm_outcome,
    log_in,
    log_out,
    on_screen,
    on_show,
    problem_text,
    scan,
    shown,
    station_store,
    wait_until,
    walk_to_outcome,
)

TI_000001_TRACKING = "1Z8Y7F429009730609"
IMEI = "490154203237518"  # passes Luhn: the bench reads it as an IMEI


def found_table(app: BenchApp) -> DataTable[object]:
    return app.screen.query_one("#dispute-found", DataTable)


def detail(app: BenchApp) -> str:
    return shown(app.screen.query_one("#dispute-detail"))


def source(app: BenchApp) -> str:
    return shown(app.screen.query_one("#dispute-source"))


async def as_supervisor(pilot: Pilot[None]) -> None:
    """Once central has every result of this bench, log the inspector out, the supervisor
    in, and open the supervisor screen (its searches read central)."""
    app = pilot.app
    assert isinstance(app, BenchApp)
    store = station_store(app)
    await wait_until(pilot, lambda: store.queued_count() == 0)
    await log_out(pilot)
    await log_in(pilot, "EMP-0002")
    await pilot.press("f12")
    await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))


async def search(pilot: Pilot[None], code: str, *, typed: bool = False) -> None:
    """Scan `code` (or type it in the search field and press Enter); wait for the answer."""
    app = pilot.app
    assert isinstance(app, BenchApp)
    before = source(app)
    if typed:
        field = app.screen.query_one("#dispute-code", Input)
        field.value = ""
        field.focus()
        await pilot.press(*code, "enter")
    else:
        await scan(pilot, code)
    await wait_until(
        pilot, lambda: source(app) != before and not source(app).startswith("Looking up")
    )


def items_found(app: BenchApp) -> list[str]:
    table = found_table(app)
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


class TestSearch(SeededStation):
    async def test_the_whole_hint_shows_in_the_search_field_at_80x24(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "EMP-0002")
            await pilot.press("f12")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            await pilot.press("4")
            await wait_until(pilot, lambda: app.screen.query_one("#dispute-code").has_focus)
            await pilot.pause()
            hint = "Scan or type a request, item, serial, IMEI or tracking no., then Enter"
            assert on_show(app, hint)

    async def test_each_kind_of_code_finds_the_inspection(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_outcome(pilot, FOUR_REASON_HOLD_KEYS)
            await confirm_outcome(pilot)
            await as_supervisor(pilot)

            for code, said, typed in (
                ("TI-000001", "request TI-000001", False),
                ("TI-000001-01", "item TI-000001-01", True),
                (PAN_V2_SERIAL, f"serial {PAN_V2_SERIAL}", False),
                (TI_000001_TRACKING, f"tracking number {TI_000001_TRACKING}", True),
            ):
                await search(pilot, code, typed=typed)
                assert items_found(app) == ["TI-000001-01"], code
                assert source(app) == (f"From central, as of 10:30: 1 inspection of {said}")

    async def test_an_imei_finds_the_device_scanned_by_it(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            inspect(app.session, "TI-000001", IMEI)  # its one item: the serial differs
            await as_supervisor(pilot)
            await search(pilot, IMEI)
            assert items_found(app) == ["TI-000001-01"]
            assert f"of IMEI {IMEI}" in source(app)
            assert f"Identified: scanned {IMEI}" in detail(app)
            assert "Serial matches: NO · from the data" in detail(app)

    async def test_a_code_nothing_was_inspected_by_says_so_and_a_badge_is_refused(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "EMP-0002")
            await pilot.press("f12")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            await search(pilot, "TI-000003")
            assert items_found(app) == []
            assert "0 inspections of request TI-000003" in source(app)
            assert "No inspection of it at central, nor queued here" in detail(app)
            await scan(pilot, "EMP-0001")
            await wait_until(pilot, lambda: "names no inspection" in problem_text(app))
            await pilot.press("escape")
            await on_screen(pilot, HomeView)


class TestTheInspectionInFull(SeededStation):
    async def test_shows_answers_with_who_and_when_and_the_override_reason(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_outcome(pilot, FOUR_REASON_HOLD_KEYS)
            await confirm_outcome(pilot)
            await as_supervisor(pilot)
            await search(pilot, "TI-000001-01")
            shown_detail = detail(app)
            assert "At B-07 by EMP-0001 (Ana Inspector)" in shown_detail
            assert (
                "Model listed: NO · OVERRIDDEN (The device's own label says otherwise) · "
                "EMP-0001 10:30:00"
            ) in shown_detail
            assert "Factory reset: NO · answered · EMP-0001 10:30:00" in shown_detail
            assert f"Identified: scanned {PAN_V2_SERIAL}" in shown_detail
            assert "Outcome: HOLD · label → HOLD" in shown_detail
            assert "reason: The model is not listed for this program" in shown_detail
            assert "inspection finished: disposition hold" in shown_detail  # the audit trail
            # Keyboard only: Tab to the inspection, PgDn reads on.
            await pilot.press("tab")
            box = app.screen.query_one("#dispute-detail-box")
            assert app.focused is box
            await pilot.press("pagedown")
            await pilot.pause()
            assert box.scroll_y > 0

    async def test_says_a_device_was_picked_by_hand(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            inspect(app.session, "TI-000002", "TI-000002-01", ALL_WELL, by_hand=True)
            await as_supervisor(pilot)
            await search(pilot, "TI-000002-01", typed=True)
            assert "Identified: picked by hand from the request's list (nothing scanned)" in (
                detail(app)
            )

    async def test_a_reopened_item_shows_both_inspections_and_the_reopen(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            first = inspect(app.session, "TI-000001", PAN_V2_SERIAL)
            await as_supervisor(pilot)
            await pilot.press("escape")
            app.session.open_request("TI-000001")
            app.session.reopen_item("TI-000001-01", "Wrong grade")
            app.session.close_request()
            # Reopened and not inspected again yet: the inspection no longer counts.
            await pilot.press("f12")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            await search(pilot, "TI-000001")
            assert str(found_table(app).get_row_at(0)[-1]) == "reopened: none counts"
            assert "Reopened by EMP-0002 (Sam Supervisor) on " in detail(app)
            assert "(Wrong grade): it no longer counts" in detail(app)
            assert "it is what counts" not in detail(app)
            await pilot.press("escape")
            app.session.open_request("TI-000001")
            second = inspect(app.session, "TI-000001", PAN_V2_SERIAL, DIRTY)
            app.session.close_request()
            await pilot.press("f12")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            await search(pilot, "TI-000001")
            table = found_table(app)
            assert [str(table.get_row_at(n)[-1]) for n in range(table.row_count)] == [
                f"latest · replaces {first.started.id[:8]}",
                f"replaced by {second.started.id[:8]}",
            ]
            assert f"Replaces inspection {first.started.id}" in detail(app)
            assert "reopened: inspection id" in detail(app)
            assert "reason Wrong grade" in detail(app)
            await pilot.press("down")  # the first inspection, which no longer counts
            assert f"Replaced by inspection {second.started.id}" in detail(app)
            assert "Outcome: ACCEPT" in detail(app)
