"""The request screen: what the customer gets (the same status and amount as central's
`request_settlements`), a running total while items wait, and at 80x24 a table whose
amounts are whole, with no horizontal scrollbar.

The station's clock says Sun 29 Nov 2026 (tests.support.station).
"""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot

from screens.checklist import ChecklistView
from screens.items import ItemList
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.results import (
    ACCEPTED_1760,
    ACCEPTED_1920,
    REJECTED_DIRTY,
    TI_000002_SERIALS,
    declare_serials,
    save_result,
)
from tests.support.station import (
    ACCEPT_KEYS,
    PAN_V2_SERIAL,
    REVISE,
    REVISE_KEYS,
    SeededStation,
    Station,
    confirm_outcome,
    log_in,
    on_screen,
    on_show,
    open_request,
    painted_in,
    scan,
    shown,
    wait_until,
    walk_to_outcome,
)

SMALL = (80, 24)
# The Pan v2 in TI-000004's parcel: another serial than the one its item declares.
OTHER_PAN_V2 = "WYZECP23687093963"


def settlement_line(app: App[None]) -> str:
    return shown(app.screen.query_one("#request-settlement"))


def items_table(app: App[None]) -> ItemList:
    return app.screen.query_one("#items", ItemList)


async def reopen(pilot: Pilot[None], request_id: str) -> None:
    """Put the package down and scan its label again: the request as saved now."""
    await pilot.press("escape")
    await scan(pilot, request_id)
    await on_screen(pilot, RequestView)


class TestSettlementLine(SeededStation):
    async def test_an_accepted_trade_up_is_a_refund_ready_to_pay(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await open_request(pilot, "TI-000001")
            assert settlement_line(app) == "0 of 1 inspected"
            await scan(pilot, PAN_V2_SERIAL)
            await on_screen(pilot, ChecklistView)
            await pilot.press(*ACCEPT_KEYS)
            await on_screen(pilot, OutcomeView)
            await confirm_outcome(pilot)

            assert settlement_line(app) == "refund $15.00 · ready"
            assert on_show(app, "refund $15.00 · ready")

    async def test_a_revised_quote_waits_for_the_customer_until_its_due_date(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await walk_to_outcome(pilot, REVISE_KEYS, *REVISE)  # $16.00 revised to $13.44
            await confirm_outcome(pilot)

            # Notified Sun 29 Nov: 5 working days, Mon 30 .. Fri 4 Dec.
            line = "refund $13.44 · awaiting the customer until 4 Dec"
            assert settlement_line(app) == line
            assert on_show(app, line)

    async def test_a_held_item_puts_the_request_on_hold_and_promises_no_amount(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            # The same answers as an accept, but the serial does not match: held.
            await walk_to_outcome(pilot, ACCEPT_KEYS, "TI-000004", OTHER_PAN_V2)
            await confirm_outcome(pilot)

            assert settlement_line(app) == "on hold: 1 item held for review"
            assert painted_in(app.screen.query_one("#request-settlement"), "text-warning")
            assert not on_show(app, "$0.00")  # neither the line nor the table says it
            assert str(items_table(app).get_row("TI-000004-01")[-1]) == "HOLD"

    async def test_a_running_total_while_items_wait_then_the_discount_code(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot)
            save_result(app, "TI-000002-01", REJECTED_DIRTY)
            save_result(app, "TI-000002-02", ACCEPTED_1920)
            await scan(pilot, "TI-000002")
            await on_screen(pilot, RequestView)

            # $19.20 less $9.59 shipping so far; the Pan v3 still waits.
            running = "2 of 3 inspected · discount code so far $9.61 after $9.59 shipping"
            assert settlement_line(app) == running
            assert on_show(app, running)

            save_result(app, "TI-000002-03", ACCEPTED_1760)
            await reopen(pilot, "TI-000002")

            done = "discount code of $27.21 after $9.59 shipping · ready"
            assert settlement_line(app) == done
            assert on_show(app, done)
            assert painted_in(app.screen.query_one("#request-settlement"), "text-success")


class TestTableAt80Columns(SeededStation):
    async def test_every_amount_is_whole_and_there_is_no_horizontal_scrollbar(
        self, station: Station
    ) -> None:
        declare_serials(station, TI_000002_SERIALS)
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot)
            save_result(app, "TI-000002-01", REJECTED_DIRTY)
            save_result(app, "TI-000002-02", ACCEPTED_1920)
            save_result(app, "TI-000002-03", ACCEPTED_1760)
            await scan(pilot, "TI-000002")
            await on_screen(pilot, RequestView)
            await pilot.pause()

            table = items_table(app)
            assert not table.show_horizontal_scrollbar
            assert table.max_scroll_x == 0
            statuses = [str(table.get_row(item)[-1]) for item in TI_000002_SERIALS]
            assert statuses == ["REJECT", "ACCEPT $19.20", "ACCEPT $17.60"]
            for cells in ("Wyze Cam Outdoor v2  like new   $19.20", "ACCEPT $19.20"):
                assert on_show(app, cells)
            # The serial gives way, cut at the front: its end tells the devices apart.
            serial = str(table.get_row("TI-000002-02")[4])
            assert serial.startswith("…") and "WYZECO25518302267".endswith(serial[1:])
            assert on_show(app, serial)

    async def test_a_wider_terminal_shows_the_serials_whole(self, station: Station) -> None:
        declare_serials(station, TI_000002_SERIALS)
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot)
            save_result(app, "TI-000002-02", ACCEPTED_1920)  # "ACCEPT $19.20" takes room
            await scan(pilot, "TI-000002")
            await on_screen(pilot, RequestView)
            assert str(items_table(app).get_row("TI-000002-02")[4]).startswith("…")

            await pilot.resize_terminal(120, 40)
            await wait_until(pilot, lambda: on_show(app, "WYZECO25518302267"))

            assert str(items_table(app).get_row("TI-000002-02")[4]) == "WYZECO25518302267"

    async def test_columns_fit_this_request_not_the_widest_one_before(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await open_request(pilot, "TI-000010")  # Wyze Battery Cam Pro, a serial
            await reopen(pilot, "TI-000001")  # Wyze Cam Pan v2

            table = items_table(app)
            widths = table.column_widths
            assert widths["Declared model"] == len("Wyze Cam Pan v2")  # not the Battery Cam's
            assert widths["Serial"] == len("WYZECP22301595691")
