"""An inspection shift through each fault a bench meets (tests/support/faults.py): central
unreachable, central slow, the station's disk full, the scanner gone, the printer gone.

Every part is real: PostgreSQL behind a proxy, a ZPL printer on a TCP port, a serial
scanner on a pty, the station's files on a tmpfs filled to the last byte. For each fault
the inspector is told what is wrong and what to do, in these words, the bell rings once,
work goes on where it can, nothing confirmed is lost, and once the fault is gone the bench
recovers by itself: results land at central once, labels print once, the scanner reads.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from textual.pilot import Pilot

from bench.domain import IdentifiedBy
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.faults import SLOW_CENTRAL_SECONDS, FaultyBench, faulty_bench
from tests.support.station import (
    ACCEPT_KEYS,
    PAN_V2_SERIAL,
    REVISE,
    REVISE_KEYS,
    SIZE,
    confirm_outcome,
    count_bells,
    header,
    log_in,
    on_screen,
    open_checklist,
    problem_text,
    scan,
    showing,
    shown,
    station_open,
    wait_until,
    walk_to_outcome,
)
from tests.support.store_helpers import central_count

ITEM = "TI-000001-01"
DISK_FULL = (
    "the station's disk is full: free space on this computer (or call IT); nothing is lost, "
    "and it carries on by itself"
)
OFFLINE_NOTICE = (
    "Central cannot be reached: keep inspecting. Results are kept on this bench and sent "
    "by themselves once it is back."
)
SCANNER_ALERT = (
    "SCANNER DISCONNECTED: plug it in again (check its cable); the bench picks it up by "
    "itself. Until then type codes on the home screen, pick devices with ↑↓ and Enter, "
    "and answer with the keys."
)


@pytest.fixture
def bench(tmp_path: Path, pg_url: str) -> Iterator[FaultyBench]:
    with faulty_bench(tmp_path, pg_url) as running:
        yield running


async def started(pilot: Pilot[None]) -> BenchApp:
    """The bench up, online, scanner and printer ready: the shift can begin."""
    app = pilot.app
    assert isinstance(app, BenchApp)
    await wait_until(
        pilot,
        lambda: (
            header(app) | {"station": "", "inspector": ""}
            == {
                "station": "",
                "inspector": "",
                "scanner": "SCANNER ● serial",
                "printer": "PRINTER ●",
                "sync": "ONLINE",
            }
        ),
        seconds=20,
    )
    return app


def notices(app: BenchApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def alert(app: BenchApp) -> str:
    from screens.widgets import StationAlert

    widget = app.screen.query_one(StationAlert)
    return shown(widget) if widget.has_class("-visible") else ""


def stored_answers(bench: FaultyBench) -> int:
    with contextlib.closing(sqlite3.connect(bench.station.folder / "station.db")) as conn:
        (count,) = conn.execute("SELECT count(*) FROM inspection_answers").fetchone()
    return int(count)


def printer_alert(app: BenchApp) -> str:
    widget = app.screen.query_one("#printer-alert")
    return shown(widget) if widget.has_class("-visible") else ""


class TestCentralUnreachable:
    async def test_the_shift_goes_on_and_every_result_lands_once_central_is_back(
        self, bench: FaultyBench
    ) -> None:
        app = bench.app()
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            bells = count_bells(app)
            with bench.faults.central_unreachable():
                await wait_until(pilot, lambda: header(app)["sync"] == "OFFLINE since 10:30")
                assert app.screen.query_one("StationHeader #sync").has_class("-bad")
                assert OFFLINE_NOTICE in notices(app)
                assert len(bells) == 1
                await walk_to_outcome(pilot, ACCEPT_KEYS)
                await confirm_outcome(pilot)  # the bench goes on working
                await wait_until(
                    pilot, lambda: header(app)["sync"] == "OFFLINE since 10:30 · 1 queued"
                )
                assert central_count(bench.central_url) == 0
                await pilot.pause(1)  # retries while offline ring no more
                assert len(bells) == 1
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE", seconds=40)
            assert app.session.store.queued_count() == 0
            await pilot.pause(0.5)
        assert central_count(bench.central_url) == 1
        assert bench.faults.printer.item_ids() == [ITEM]


@pytest.mark.slow
class TestCentralSlow:
    async def test_a_slow_central_never_holds_up_a_scan_or_a_confirm(
        self, bench: FaultyBench
    ) -> None:
        app = bench.app()
        latency = SLOW_CENTRAL_SECONDS
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            bells = count_bells(app)
            with bench.faults.central_slow(latency):
                await log_in(pilot)
                began = time.monotonic()
                await scan(pilot, "TI-000001")
                await on_screen(pilot, RequestView)
                scanned = time.monotonic() - began
                await scan(pilot, PAN_V2_SERIAL)
                await on_screen(pilot, ChecklistView)
                await pilot.press(*ACCEPT_KEYS)
                await on_screen(pilot, OutcomeView)
                began = time.monotonic()
                await confirm_outcome(pilot)
                confirmed = time.monotonic() - began
                # A round trip to central takes twice the latency: a UI that waited on
                # central even once would take that long. (Without the fault both take
                # 0.3-0.4 s here: the pilot's own waits on a busy 2-core machine.)
                assert scanned < latency / 2, scanned
                assert confirmed < latency / 2, confirmed
                assert shown(app.screen.query_one("#request-saved")).startswith(
                    f"✓ Saved {ITEM}: ACCEPT"
                )
                await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE · 1 queued")
                # The next request opens at once too, while the push crawls.
                began = time.monotonic()
                await scan(pilot, REVISE[0])
                await wait_until(
                    pilot, lambda: REVISE[0] in shown(app.screen.query_one("#request-title"))
                )
                assert time.monotonic() - began < latency / 2
            await wait_until(pilot, lambda: central_count(bench.central_url) == 1, seconds=90)
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE", seconds=20)
            assert len(bells) == 0  # slow is not broken: nothing for the inspector to do
            await pilot.pause(1)
        assert central_count(bench.central_url) == 1
        assert bench.faults.printer.item_ids() == [ITEM]


class TestDiskFull:
    async def test_nothing_is_lost_and_the_same_key_works_once_there_is_space(
        self, bench: FaultyBench
    ) -> None:
        app = bench.app()
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            await open_checklist(pilot)
            keep, *rest = ACCEPT_KEYS
            position = shown(app.screen.query_one("#position"))
            before = stored_answers(bench)
            bells = count_bells(app)
            with bench.faults.disk_full():
                await pilot.press(keep)
                assert problem_text(app) == (
                    "The station's disk is full: Nothing was lost: every answer and result "
                    "saved before this is kept.\nFree space on this computer (or call IT), "
                    "then do the same again: press the same key or scan the same code."
                )
                assert len(bells) == 1
                # None of the data's three answers was stored: the step is still on show.
                assert isinstance(showing(app), ChecklistView)
                assert shown(app.screen.query_one("#position")) == position
                assert app.session.active is not None
                assert app.session.active.checklist.records == ()
                assert stored_answers(bench) == before
            await pilot.press(keep)  # space again: the same key goes on
            assert problem_text(app) == ""
            assert stored_answers(bench) == before + 3
            await pilot.press(*rest)
            await on_screen(pilot, OutcomeView)
            with bench.faults.disk_full():
                await pilot.press("enter")
                assert "The station's disk is full" in problem_text(app)
                assert isinstance(showing(app), OutcomeView)  # not saved: still to confirm
                await pilot.pause(0.5)
                assert central_count(bench.central_url) == 0
            await confirm_outcome(pilot)
            await wait_until(pilot, lambda: central_count(bench.central_url) == 1)
            await wait_until(pilot, lambda: bench.faults.printer.item_ids() == [ITEM])

    async def test_a_full_disk_at_start_up_still_gets_to_the_login_screen_and_says_so(
        self, bench: FaultyBench
    ) -> None:
        async with bench.app().run_test(size=SIZE) as pilot:  # a first start loads it
            await started(pilot)
        with bench.faults.disk_full():
            app = bench.app()
            async with app.run_test(size=SIZE) as pilot:
                await station_open(pilot)
                await scan(pilot, "EMP-0001")
                await pilot.press(*"1234", "enter")
                assert "The station's disk is full" in problem_text(app)

    async def test_a_result_queued_before_the_disk_filled_lands_once_and_prints_once(
        self, bench: FaultyBench
    ) -> None:
        app = bench.app()
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            outage = ExitStack()
            outage.enter_context(bench.faults.central_unreachable())
            outage.enter_context(bench.faults.printer_gone())
            await wait_until(pilot, lambda: header(app)["sync"].startswith("OFFLINE"))
            await walk_to_outcome(pilot, ACCEPT_KEYS)
            await confirm_outcome(pilot)
            await wait_until(
                pilot, lambda: header(app)["printer"] == "PRINTER ✗ offline (1 queued)"
            )
            with bench.faults.disk_full():
                # Central and the printer come back while the disk is full: the push lands
                # and the label prints, though neither can be marked done on this bench.
                outage.close()
                await wait_until(pilot, lambda: central_count(bench.central_url) == 1, 40)
                await wait_until(pilot, lambda: bench.faults.printer.item_ids() == [ITEM], 40)
                await wait_until(pilot, lambda: alert(app) == f"NOT SYNCING: {DISK_FULL}")
                await wait_until(
                    pilot, lambda: printer_alert(app) == f"✗ Printing has stopped: {DISK_FULL}."
                )
                assert header(app)["sync"] == "OFFLINE since 10:30 · 1 queued"
                assert header(app)["printer"] == "PRINTER ✗ offline (1 queued)"
                await pilot.pause(4)  # a few retries of each
                assert bench.faults.printer.item_ids() == [ITEM]
                assert central_count(bench.central_url) == 1
            await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE", seconds=40)
            await wait_until(pilot, lambda: header(app)["printer"] == "PRINTER ●", seconds=40)
            await pilot.pause(1)
        assert central_count(bench.central_url) == 1
        assert bench.faults.printer.item_ids() == [ITEM]


class TestScannerGone:
    async def test_keys_keep_working_and_the_scanner_reads_again_once_back(
        self, bench: FaultyBench
    ) -> None:
        app = bench.app()
        scanner = bench.faults.scanner
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            await log_in(pilot)
            bells = count_bells(app)
            with bench.faults.scanner_gone():
                await wait_until(pilot, lambda: header(app)["scanner"] == "SCANNER DISCONNECTED")
                assert app.screen.query_one("StationHeader #scanner").has_class("-bad")
                assert alert(app) == SCANNER_ALERT
                assert len(bells) == 1
                # Typed on the home screen, as the alert says; the item picked with Enter.
                await pilot.press(*"TI-000001", "enter")
                await on_screen(pilot, RequestView)
                assert alert(app) == SCANNER_ALERT
                await pilot.press("enter")
                await on_screen(pilot, ChecklistView)
                await pilot.press(*ACCEPT_KEYS)
                await on_screen(pilot, OutcomeView)
                await pilot.pause(1.5)  # the reader retries: no more bells
                assert len(bells) == 1
            await wait_until(pilot, lambda: header(app)["scanner"] == "SCANNER ● serial")
            assert alert(app) == ""
            scanner.send("CMD:CONFIRM")  # through the pty again
            await on_screen(pilot, RequestView)
            saved = app.session.store.latest_inspection(ITEM)
            assert saved is not None and saved.started.identified_by is IdentifiedBy.HAND
            await wait_until(pilot, lambda: central_count(bench.central_url) == 1)


class TestPrinterGone:
    async def test_labels_wait_for_the_printer_and_each_prints_once(
        self, bench: FaultyBench
    ) -> None:
        app = bench.app()
        printer = bench.faults.printer
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            bells = count_bells(app)
            with bench.faults.printer_gone():
                await walk_to_outcome(pilot, ACCEPT_KEYS)
                await confirm_outcome(pilot)  # saved at once, whatever the printer does
                assert shown(app.screen.query_one("#request-saved")).startswith(
                    f"✓ Saved {ITEM}: ACCEPT"
                )
                assert app.session.store.latest_inspection(ITEM) is not None
                await wait_until(
                    pilot, lambda: header(app)["printer"] == "PRINTER ✗ offline (1 queued)"
                )
                assert printer_alert(app) == (
                    f"✗ The label of {ITEM} did not print: printer {printer.address} refused "
                    "the connection. It stays queued and prints by itself once the printer "
                    "is back: check that it is on, has labels and is connected."
                )
                assert len(bells) == 1
                await scan(pilot, REVISE[0])
                await on_screen(pilot, RequestView)
                await scan(pilot, REVISE[1])
                await on_screen(pilot, ChecklistView)
                await pilot.press(*REVISE_KEYS)
                await on_screen(pilot, OutcomeView)
                await confirm_outcome(pilot)
                await wait_until(
                    pilot, lambda: header(app)["printer"] == "PRINTER ✗ offline (2 queued)"
                )
                assert len(bells) == 1  # retries ring no more
                assert printer.received == []
            await wait_until(pilot, lambda: header(app)["printer"] == "PRINTER ●", seconds=40)
            assert printer_alert(app) == ""
            await pilot.pause(0.5)
            assert printer.item_ids() == [ITEM, f"{REVISE[0]}-01"]
            await wait_until(pilot, lambda: central_count(bench.central_url) == 2)
