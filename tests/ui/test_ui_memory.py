"""A bench runs all shift: no leak per scan, and no garbage collection in the middle of one
nor between an input and the frame that shows it."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from screens.home import HomeView
from screens.idle import AFTER_FRAME, HELD_AT_MOST, IDLE_AFTER, AfterFrame, IdleCollector
from screens.request import RequestView
from screens.widgets import KeyBar
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    after_each_frame,
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

    async def test_the_keys_of_a_view_seen_before_are_painted_without_drawing_them_again(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            bar = app.screen.query_one(KeyBar)
            drawn: list[str] = []
            render = bar.render

            def noted() -> Any:
                drawn.append(str(render()))
                return render()

            bar.render = noted  # type: ignore[method-assign]
            painted = []
            for request in ("TI-000001", "TI-000002", "TI-000001"):
                await scan(pilot, request)
                await on_screen(pilot, RequestView)
                await pilot.pause()
                painted.append(bar.render_line(0))
                await pilot.press("escape")
                await on_screen(pilot, HomeView)
                await pilot.pause()
                painted.append(bar.render_line(0))
            assert len(drawn) == 2  # the request's keys and home's, once each
            for line, view in zip(painted, ["request", "home"] * 3, strict=True):
                assert ("Next package" in line.text) == (view == "request"), (view, line.text)
            # A new theme paints the same keys in its colours.
            home_line = painted[-1]
            app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
            await pilot.pause()
            assert bar.render_line(0).text == home_line.text
            assert bar.render_line(0) != home_line and len(drawn) == 3

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

    async def test_no_collection_between_an_input_and_the_frame_that_shows_it(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            moments: list[tuple[float, str]] = []
            arrived = app.input_arrived

            def input_arrived() -> None:
                moments.append((time.perf_counter(), "input"))
                arrived()

            def collected(phase: str, _info: dict[str, int]) -> None:
                if phase == "start":
                    moments.append((time.perf_counter(), "collection"))

            usual = gc.get_threshold()
            app.input_arrived = input_arrived  # type: ignore[method-assign]
            after_each_frame(app, lambda: moments.append((time.perf_counter(), "frame")))
            gc.callbacks.append(collected)
            gc.set_threshold(50)  # a collection every few hundred objects: many per step
            try:
                for request in ("TI-000001", "TI-000002"):
                    await scan(pilot, request)
                    await on_screen(pilot, RequestView)
                    await pilot.pause()
                    await pilot.press("escape")
                    await on_screen(pilot, HomeView)
                    await pilot.pause()
            finally:
                gc.callbacks.remove(collected)
                gc.set_threshold(*usual)
            events = [what for _, what in sorted(moments)]
            assert events.count("input") >= 4 and "collection" in events
            # A collection is inside a step when it starts after an input, before a frame.
            inside, waiting = 0, False
            for what in events:
                inside += what == "collection" and waiting
                waiting = what == "input" or (waiting and what != "frame")
            assert inside == 0, events
            await pilot.pause(AFTER_FRAME * 4)
            assert gc.isenabled()  # let go once the frame was out


class TestIdleCollector:
    def test_collects_in_the_quiet_after_an_input_and_not_again_until_the_next(self) -> None:
        collector = IdleCollector(AfterFrame(lambda callback: callback()))
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

    async def test_an_input_holds_collections_until_just_after_its_frame(self) -> None:
        after = AfterFrame(lambda callback: callback())
        collector = IdleCollector(after)
        collector.start()
        try:
            typed = time.monotonic()
            collector.hold_for_step(typed)
            assert not gc.isenabled()
            after.frame_painted()  # the first key's frame...
            collector.hold_for_step(typed + 0.01)  # ...and a second key before it is out
            assert not gc.isenabled()
            await asyncio.sleep(AFTER_FRAME * 4)
            assert not gc.isenabled()  # held for the second key's frame
            after.frame_painted()
            assert not gc.isenabled()  # the frame is still being written
            await asyncio.sleep(AFTER_FRAME * 4)
            assert gc.isenabled()
            collector.hold_for_step(typed)  # an input whose frame never comes
            after.check(typed + HELD_AT_MOST / 2)
            assert not gc.isenabled()
            after.check(typed + HELD_AT_MOST * 2)
            assert gc.isenabled()
            collector.hold_for_step(typed)
        finally:
            collector.stop()
        assert gc.isenabled()


class TestAfterFrame:
    async def test_what_waits_runs_just_after_the_next_frame_in_order(self) -> None:
        ran: list[str] = []
        after = AfterFrame(lambda callback: callback())
        now = time.monotonic()
        after.add(lambda: ran.append("opened"), now)
        after.add(lambda: ran.append("begun"), now)
        after.frame_painted()
        assert ran == []  # the frame is still being written
        await asyncio.sleep(AFTER_FRAME * 4)
        assert ran == ["opened", "begun"]
        after.frame_painted()  # nothing waits: nothing runs
        await asyncio.sleep(AFTER_FRAME * 4)
        assert ran == ["opened", "begun"]

    def test_what_waits_for_a_frame_that_never_comes_runs_at_the_idle_check(self) -> None:
        ran: list[str] = []
        after = AfterFrame(lambda callback: callback())
        now = time.monotonic()
        after.add(lambda: ran.append("woken"), now)
        after.check(now + HELD_AT_MOST / 2)
        assert ran == []
        after.check(now + HELD_AT_MOST * 2)
        assert ran == ["woken"]
        after.check(now + HELD_AT_MOST * 4)  # once
        assert ran == ["woken"]


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
