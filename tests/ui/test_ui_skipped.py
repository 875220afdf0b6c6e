"""Central rows the pull skipped, as the floor sees them: the header counts them, F7 lists
them, and a request that needs one says so instead of pretending to be complete."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from screens.request import RequestView
from screens.skipped import SkippedScreen
from tests.support.station import (
    SIZE,
    Station,
    header,
    log_in,
    on_screen,
    problem_text,
    scan,
    seeded_station,
    shown,
    station_open,
    wait_until,
)

BAD_PROGRAM = "BAD-GRADED"


def poison(central: Path) -> None:
    """What a portal might write, in plain SQL: a graded program with no grade percents
    and a request under it, and a negative offer on the one item of TI-000001."""
    with contextlib.closing(sqlite3.connect(central)) as conn, conn:
        conn.execute(
            "INSERT INTO programs (code, name, kind, max_items, max_age_years, "
            "ship_window_days, quote_valid_days, revise_response_working_days, "
            "ineligible_disposition, value_cap_cents, grade_percents) VALUES "
            f"('{BAD_PROGRAM}', 'Broken graded', 'graded', 1, 4, 14, 14, 5, 'return', 5500, '{{}}')"
        )
        conn.execute(
            "INSERT INTO requests (id, program_code, customer_ref, created_at, "
            "shipping_cost_cents, status) VALUES "
            f"('TI-900001', '{BAD_PROGRAM}', 'CUST-1', '2026-11-28 09:00:00', 0, 'received')"
        )
        conn.execute("UPDATE request_items SET offer_cents = -5000 WHERE id = 'TI-000001-01'")


@pytest.fixture
def station(tmp_path: Path) -> Station:
    seeded = seeded_station(tmp_path)
    poison(tmp_path / "central.db")
    return seeded


async def test_the_header_counts_what_was_skipped_and_f7_lists_it(station: Station) -> None:
    app = station.app()
    async with app.run_test(size=SIZE) as pilot:
        await station_open(pilot)
        await wait_until(pilot, lambda: "2 SKIPPED (F7)" in header(app)["sync"])
        await pilot.press("f7")
        await on_screen(pilot, SkippedScreen)
        table = app.screen.query_one("#skipped-table")
        cells = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}  # type: ignore[attr-defined]
        assert cells == {BAD_PROGRAM, "TI-000001-01"}
        await pilot.press("f7")
        await station_open(pilot)


async def test_a_request_under_a_skipped_program_cannot_be_inspected(station: Station) -> None:
    app = station.app()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await scan(pilot, "TI-900001")
        assert "Program cannot be inspected" in problem_text(app)
        assert BAD_PROGRAM in problem_text(app)


async def test_a_request_missing_a_skipped_item_never_says_all_done(station: Station) -> None:
    app = station.app()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await scan(pilot, "TI-000001")
        await on_screen(pilot, RequestView)
        prompt = shown(app.screen.query_one("#request-prompt"))
        assert "ALL DONE" not in prompt and "ITEMS MISSING" in prompt
        warnings = shown(app.screen.query_one("#request-warnings"))
        assert "TI-000001-01 could not be loaded from central" in warnings
