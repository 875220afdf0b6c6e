"""Printing from the real app: the label of each confirmed device comes out on the
station's printer (a folder, or a ZPL printer on a local TCP port) without the inspector
waiting for it; F3, F4, CMD:REPRINT and CMD:SHEET. A printer that goes off mid-shift is
one of the fault switches: tests/ui/test_ui_faults.py::TestPrinterGone."""

from __future__ import annotations

from collections.abc import Callable

from screens.app import BenchApp
from screens.request import RequestView
from tests.support.barcodes import decode, pages_of
from tests.support.printers import ZplServer
from tests.support.station import (
    ACCEPT_KEYS,
    SIZE,
    SeededStation,
    Station,
    after_each_frame,
    confirm_an_inspection,
    count_bells,
    header,
    log_in,
    on_screen,
    open_request,
    problem_text,
    scan,
    shown,
    wait_until,
    walk_to_outcome,
)

ITEM = "TI-000001-01"


def printer_alert(app: BenchApp) -> str:
    alert = app.screen.query_one("#printer-alert")
    return shown(alert) if alert.has_class("-visible") else ""


def label_files(station: Station) -> list[str]:
    folder = station.folder / "labels"
    return sorted(path.name for path in folder.glob("*.png")) if folder.exists() else []


class TestFilePrinter(SeededStation):
    async def test_confirming_prints_the_devices_label(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            await wait_until(pilot, lambda: label_files(station) == [f"000001-{ITEM}.png"])
            await wait_until(pilot, lambda: header(app)["printer"] == "PRINTER ●")
            assert printer_alert(app) == ""
        label = station.folder / "labels" / f"000001-{ITEM}.png"
        assert decode(pages_of(label, 203)[0]) == [ITEM]

    async def test_the_label_and_the_push_start_once_the_save_is_on_screen(
        self, station: Station
    ) -> None:
        """Their threads' first steps would slow the frame that confirms the save."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_outcome(pilot, ACCEPT_KEYS)
            happened: list[str] = []

            def painted() -> None:
                saved = app.screen.query("#request-saved")
                if saved and saved.first().display:
                    happened.append("the save painted")

            after_each_frame(app, painted)
            assert app._printing is not None and app._link is not None

            def noting(name: str, wake: Callable[[], None]) -> Callable[[], None]:
                def woken() -> None:
                    happened.append(name)
                    wake()

                return woken

            app._printing.wake = noting("label", app._printing.wake)  # type: ignore[method-assign]
            app._link.wake = noting("push", app._link.wake)  # type: ignore[method-assign]
            await pilot.press("enter")
            await wait_until(pilot, lambda: {"label", "push"} <= set(happened))
            assert happened[0] == "the save painted", happened
            await wait_until(pilot, lambda: label_files(station) == [f"000001-{ITEM}.png"])

    async def test_f3_f4_and_cmd_reprint_print_the_label_again(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await confirm_an_inspection(pilot)
            await wait_until(pilot, lambda: len(label_files(station)) == 1)
            await pilot.press("f3")  # the picked item: the request's one item
            await wait_until(pilot, lambda: len(label_files(station)) == 2)
            await pilot.press("f4")
            await wait_until(pilot, lambda: len(label_files(station)) == 3)
            await scan(pilot, "CMD:REPRINT")
            await wait_until(pilot, lambda: len(label_files(station)) == 4)
            assert problem_text(app) == ""
        assert label_files(station) == [f"00000{n}-{ITEM}.png" for n in (1, 2, 3, 4)]
        for name in label_files(station):
            assert decode(pages_of(station.folder / "labels" / name, 203)[0]) == [ITEM]

    async def test_nothing_to_reprint_is_said_with_the_bell(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            bells = count_bells(app)
            await pilot.press("f3")
            assert "No label to reprint" in problem_text(app)
            assert f"{ITEM} has no confirmed inspection" in problem_text(app)
            await pilot.press("f4")
            assert "No label has been printed at this station yet" in problem_text(app)
            assert len(bells) == 2
            await pilot.pause(0.3)
        assert label_files(station) == []

    async def test_cmd_sheet_prints_the_command_sheet(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await scan(pilot, "CMD:SHEET")
            await wait_until(pilot, lambda: len(label_files(station)) >= 3)
        pages = label_files(station)
        assert pages == [f"000001-command-sheet-{n}.png" for n in range(1, len(pages) + 1)]
        codes = [
            code
            for name in pages
            for code in decode(pages_of(station.folder / "labels" / name, 300)[0])
        ]
        assert "CMD:SHEET" in codes and "CMD:REPRINT" in codes


class TestZplPrinter(SeededStation):
    async def test_cmd_sheet_is_refused_on_a_label_printer(self, station: Station) -> None:
        printer = ZplServer()
        app = station.app(printer={"kind": "zpl", "address": printer.address})
        try:
            async with app.run_test(size=SIZE) as pilot:
                await open_request(pilot)
                await on_screen(pilot, RequestView)
                bells = count_bells(app)
                await scan(pilot, "CMD:SHEET")
                problem = problem_text(app)
                assert "The command sheet needs a page printer" in problem
                assert "bench labels commands -o sheet.pdf" in problem
                assert len(bells) == 1
                await pilot.pause(0.3)
                assert app.session.store.print_queue_count() == 0
            assert printer.received == []
        finally:
            printer.close()
