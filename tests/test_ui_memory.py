"""A bench runs all shift: no leak per scan, and no garbage collection in the middle of one."""

from __future__ import annotations

import gc
from typing import Any

from screens.home import HomeView
from screens.request import RequestView
from screens.widgets import BenchFooter
from tests.station import SIZE, SeededStation, Station, log_in, on_screen, scan


def footer_watchers(app: Any) -> int:
    footer = app.screen.query_one(BenchFooter)
    return sum(len(entries) for entries in getattr(footer, "__watchers", {}).values())


class TestAShiftOfScans(SeededStation):
    async def test_a_package_label_shows_its_request_in_place(self, station: Station) -> None:
        # A screen switch re-styles and repaints everything and leaves thousands of objects
        # of garbage: a package label, the scan of every request, must not cause one.
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            home = app.screen
            for request in ("TI-000001", "TI-000002"):
                await scan(pilot, request)
                await on_screen(pilot, RequestView)
                assert app.screen is home and len(app.screen_stack) == 1
                assert request in str(app.screen.query_one("#request-title").render())
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            assert app.screen is home

    async def test_footer_rebuilds_leave_no_watchers_behind(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            counts = []
            for _ in range(6):
                await scan(pilot, "TI-000001")
                await on_screen(pilot, RequestView)
                await pilot.press("escape")
                await on_screen(pilot, HomeView)
                await pilot.pause(0.05)  # the footer rebuilds after a refresh
                counts.append(footer_watchers(app))
            # Textual's own Footer keeps one more watcher per key on every visit.
            assert counts[-1] == counts[1] and counts[-1] < 20

    async def test_the_collector_waits_for_idle_and_comes_back_after(
        self, station: Station
    ) -> None:
        usual = gc.get_threshold()
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            # Young collections run as usual; no automatic full one in the middle of a scan.
            assert gc.isenabled() and gc.get_threshold()[2] >= 1_000_000
            full = []
            gc.callbacks.append(lambda phase, info: full.append(info["generation"] == 2))
            try:
                app._last_input = 0.0  # long idle: the next check runs a full collection
                app._collect_if_idle()
            finally:
                gc.callbacks.pop()
            assert any(full)
        assert gc.get_threshold() == usual


class TestIdleBench(SeededStation):
    async def test_an_idle_bench_logs_its_inspector_out(self, station: Station) -> None:
        from screens.login import LoginScreen

        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            assert app.config.ui.idle_logout_minutes == 15
            app._collect_if_idle()  # just active: stays logged in
            assert app.session.inspector is not None
            app._last_input -= 15 * 60 + 1  # a quarter of an hour without a scan or key
            app._collect_if_idle()
            await on_screen(pilot, LoginScreen)
            assert app.session.inspector is None
