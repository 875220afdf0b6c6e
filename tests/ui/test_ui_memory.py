"""A bench runs all shift: no leak per scan, and no garbage collection in the middle of one."""

from __future__ import annotations

import gc
import time
from typing import Any

from screens.home import HomeView
from screens.idle import IDLE_AFTER, IdleCollector
from screens.request import RequestView
from screens.widgets import KeyBar
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    log_in,
    on_screen,
    scan,
    station_open,
)


def key_text(app: Any) -> str:
    """The keys the key bar shows on the screen on show."""
    return str(app.screen.query_one(KeyBar).render())


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
                assert app.screen is home
                assert request in str(app.screen.query_one("#request-title").render())
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            assert app.screen is home

    async def test_scans_build_no_widgets_and_the_keys_follow_the_view(
        self, station: Station
    ) -> None:
        # Widgets built per scan cost milliseconds, and their garbage makes the full
        # collections long: a shift of package labels builds none (Textual's Footer did).
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            built: list[Any] = []
            for request in ("TI-000001", "TI-000002", "TI-000001"):
                await scan(pilot, request)
                await on_screen(pilot, RequestView)
                await pilot.pause()
                assert "esc Next package" in key_text(app)
                await pilot.press("escape")
                await on_screen(pilot, HomeView)
                await pilot.pause()
                assert "Next package" not in key_text(app) and "f1 Help" in key_text(app)
                nodes = list(app.screen.walk_children())
                assert not built or nodes == built
                built = nodes

    async def test_start_up_is_frozen_and_full_collections_stay_the_interpreters(
        self, station: Station
    ) -> None:
        # Held off, a busy bench's garbage piled up into one full collection of 0.5 s:
        # with start-up frozen, the interpreter's own full collections are each small.
        usual = gc.get_threshold()
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            assert gc.isenabled() and gc.get_threshold() == usual
            assert gc.get_freeze_count() > 10_000
        assert gc.get_freeze_count() == 0


class TestIdleCollector:
    def test_collects_in_the_quiet_after_an_input_and_not_again_until_the_next(self) -> None:
        collector = IdleCollector()
        collector.start()
        full: list[bool] = []
        gc.callbacks.append(lambda phase, info: full.append(info["generation"] == 2))
        try:
            typed = time.monotonic()
            collector.check(typed + IDLE_AFTER / 2, last_input=typed)  # the step is showing
            assert not any(full)
            collector.check(typed + IDLE_AFTER * 2, last_input=typed)  # quiet: being read
            assert any(full)
            full.clear()
            collector.check(typed + IDLE_AFTER * 10, last_input=typed)  # nothing since
            assert not any(full)
        finally:
            gc.callbacks.pop()
            collector.stop()
        assert gc.get_freeze_count() == 0


class TestIdleBench(SeededStation):
    async def test_an_idle_bench_logs_its_inspector_out(self, station: Station) -> None:

        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            assert app.config.ui.idle_logout_minutes == 15
            app._collect_if_idle()  # just active: stays logged in
            assert app.session.inspector is not None
            app._last_input -= 15 * 60 + 1  # a quarter of an hour without a scan or key
            app._collect_if_idle()
            await station_open(pilot)
            assert app.session.inspector is None
