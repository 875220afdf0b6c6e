"""A revised quote on the outcome screen: the old quote, the new value, the customer's deadline.

The station's clock says Sun 29 Nov 2026 (tests.support.station); the graded program gives
5 working days and the station's country (US) has no holiday that week: Mon 30 .. Fri 4 Dec.
"""

from __future__ import annotations

from textual.widgets import Static

from tests.support.station import (
    ACCEPT_KEYS,
    REVISE,
    REVISE_KEYS,
    SIZE,
    SeededStation,
    Station,
    on_screen,
    on_show,
    walk_to_outcome,
)
from tests.support.store_helpers import outbox_rows

DEADLINE = "the customer has until Fri 4 Dec to reject; silence accepts it"


class TestRevisedQuote(SeededStation):
    async def test_the_outcome_shows_both_values_and_the_deadline(self, station: Station) -> None:
        from screens.request import RequestView

        app = station.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await walk_to_outcome(pilot, REVISE_KEYS, *REVISE)
            # Offered $16.00; GTR 2 at grade B, 6 years on: $42.00 x 80% x 40% = $13.44.
            assert on_show(app, "Quoted $16.00 · new value $13.44")
            assert on_show(app, DEADLINE)  # one line, whole, at the smallest terminal
            await pilot.press("enter")
            await on_screen(pilot, RequestView)
            [row] = outbox_rows(app.session.store)
            assert row.payload["response_due_on"] == "2026-12-04"

    async def test_an_accept_says_nothing_of_a_deadline(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_outcome(pilot, ACCEPT_KEYS)
            assert not app.screen.query_one("#outcome-quote", Static).display
            assert not on_show(app, "silence accepts it")
