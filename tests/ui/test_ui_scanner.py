"""The app with its scanner on a real pseudo-terminal: scans and garbage. Unplugging and
replugging it mid-shift is one of the fault switches:
tests/ui/test_ui_faults.py::TestScannerGone."""

from __future__ import annotations

import random

from textual.pilot import Pilot

from bench.domain import Outcome
from drivers.simulated import SimulatedSerialScanner
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.home import HomeView
from screens.login import LoginScreen
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    header,
    on_screen,
    problem_text,
    station_open,
    wait_until,
)
from tests.support.store_helpers import finished_inspection


def scanner(app: BenchApp) -> SimulatedSerialScanner:
    driver = app._scanner
    assert isinstance(driver, SimulatedSerialScanner)
    return driver


async def scan(pilot: Pilot[None], code: str, screen: type) -> None:
    """Scan through the pty, as a real USB-serial scanner would, and wait for its effect."""
    app = pilot.app
    assert isinstance(app, BenchApp)
    scanner(app).scan(code)
    await on_screen(pilot, screen)


class TestScannerOnly(SeededStation):
    async def test_a_whole_inspection_with_the_scanner_alone(self, station: Station) -> None:
        # Inspectors scan the same command for question after question: a short
        # double-read window keeps the test quick (the default 1.5 s is tested in drivers).
        app = station.app(scanner_settings={"double_read_window_ms": 100})
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await wait_until(pilot, lambda: header(app)["scanner"] == "SCANNER ● simulated")
            scanner(app).scan("EMP-0001")
            await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "pin")
            await pilot.press(*"1234", "enter")  # the PIN is the one thing typed
            await on_screen(pilot, HomeView)
            await scan(pilot, "TI-000001", RequestView)
            await scan(pilot, "WYZECP22301595691", ChecklistView)
            for code in ("CMD:CONFIRM", "CMD:NO", "CMD:NO"):
                before = app.session.active.checklist.position  # type: ignore[union-attr]
                await pilot.pause(0.15)  # past the double-read window
                scanner(app).scan(code)
                await wait_until(
                    pilot,
                    lambda before=before: app.session.active.checklist.position != before,  # type: ignore[union-attr,misc]
                )
            scanner(app).scan("CMD:YES")
            await wait_until(pilot, lambda: app.session.active.checklist.position == (5, 5))  # type: ignore[union-attr]
            await pilot.pause(0.15)
            await scan(pilot, "CMD:YES", OutcomeView)
            inspection = app.session.active.started.id  # type: ignore[union-attr]
            await scan(pilot, "CMD:CONFIRM", RequestView)
            saved = finished_inspection(app.session.store, inspection)
            assert saved is not None and saved.decision.outcome is Outcome.ACCEPT
            assert saved.started.scanned_code == "WYZECP22301595691"


class TestLineTrouble(SeededStation):
    async def test_garbage_is_a_notice_and_changes_nothing(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await wait_until(pilot, lambda: header(app)["scanner"] == "SCANNER ● simulated")
            scanner(app).device.send_garbage(random.Random(4))
            await wait_until(pilot, lambda: "Unreadable scan" in problem_text(app))
            assert isinstance(app.screen, LoginScreen)
            assert app.session.inspector is None


class TestDemoScanner(SeededStation):
    async def test_f6_scans_a_demo_code_through_the_simulated_scanner(
        self, station: Station
    ) -> None:
        from bench.cli.station import station_app
        from screens.demo_scan import DemoScanScreen
        from tests.support.station import NOW, dataset

        hints = [(h.code, h.description) for h in dataset().scan_hints]
        app = station_app(station.config(), hints=hints, clock=lambda: NOW, demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await wait_until(pilot, lambda: header(app)["scanner"] == "SCANNER ● simulated")
            await pilot.press("f6")
            await on_screen(pilot, DemoScanScreen)
            await pilot.press("enter")  # the first code: Ana's badge
            await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "pin")
            assert hints[0][0] == "EMP-0001"

    async def test_f6_offers_badges_before_login_and_package_codes_after(
        self, station: Station
    ) -> None:
        from textual.widgets import OptionList

        from bench.cli.station import station_app
        from screens.demo_scan import DemoScanScreen
        from tests.support.station import NOW, dataset, log_in

        def offered() -> list[str]:
            codes = app.screen.query_one("#demo-codes", OptionList)
            return [str(codes.get_option_at_index(i).id) for i in range(codes.option_count)]

        hints = [(h.code, h.description) for h in dataset().scan_hints]
        app = station_app(station.config(), hints=hints, clock=lambda: NOW, demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await pilot.press("f6")
            await on_screen(pilot, DemoScanScreen)
            assert offered() == ["EMP-0001", "EMP-0002", "EMP-0003"]
            await pilot.press("escape")

            await log_in(pilot, slow=True)  # the demo reads fast keys as a wedge scan
            await pilot.press("f6")
            await on_screen(pilot, DemoScanScreen)
            assert "TI-000001" in offered()
            assert not any(code.startswith("EMP-") for code in offered())
