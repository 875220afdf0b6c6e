"""Logging in at the bench: badge scanned or typed, PIN typed; wrong PINs lock the badge."""

from __future__ import annotations

import gc
from pathlib import Path

from textual.widgets import Input

from bench.demo_data import DEMO_INSPECTORS, DEMO_PINS
from screens.app import VIEWS_CSS
from screens.home import HomeView
from screens.login import LoginScreen
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    count_bells,
    gated_app,
    header,
    log_in,
    on_screen,
    problem_text,
    scan,
    scan_expecting_problem,
    seeded_station,
    shown,
    station_open,
    wait_until,
)


class TestWrongPin(SeededStation):
    async def test_wrong_pin_says_so_with_tries_left_and_rings(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            bells = count_bells(app)
            await scan(pilot, "EMP-0001")
            await pilot.press(*"9999", "enter")

            assert "Wrong PIN" in problem_text(app)
            assert "4 tries left" in problem_text(app)
            assert len(bells) == 1
            assert isinstance(app.screen, LoginScreen)
            assert app.session.inspector is None
            # The badge stays, the PIN field is emptied and keeps the focus for a retry.
            assert app.screen.query_one("#badge", Input).value == "EMP-0001"
            assert app.screen.query_one("#pin", Input).value == ""
            assert app.focused is app.screen.query_one("#pin", Input)

    async def test_five_wrong_pins_lock_the_badge_even_for_the_right_pin(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            bells = count_bells(app)
            await scan(pilot, "EMP-0001")
            for attempt in range(1, 5):
                await pilot.press(*"0000", "enter")
                assert f"{5 - attempt} tries left" in problem_text(app)
            await pilot.press(*"0000", "enter")
            assert "Badge locked" in problem_text(app)

            await pilot.press(*"1234", "enter")

            assert "Badge locked" in problem_text(app)
            assert app.session.inspector is None
            assert isinstance(app.screen, LoginScreen)
            assert len(bells) == 6

    async def test_a_locked_badge_does_not_lock_another(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await scan(pilot, "EMP-0001")
            for _ in range(5):
                await pilot.press(*"0000", "enter")
            assert "Badge locked" in problem_text(app)

            await scan(pilot, "EMP-0003")
            await pilot.press(*"1111", "enter")
            await on_screen(pilot, HomeView)

            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0003"


class TestBadge(SeededStation):
    async def test_unknown_scanned_badge_says_so(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await scan_expecting_problem(pilot, "EMP-0999", "Unknown badge", "EMP-0999")

            assert app.screen.query_one("#badge", Input).value == ""

    async def test_unknown_typed_badge_says_so_before_the_pin(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            bells = count_bells(app)
            await pilot.press(*"EMP-0999", "enter")

            assert "Unknown badge" in problem_text(app)
            assert len(bells) == 1
            assert app.focused is app.screen.query_one("#badge", Input)

    async def test_after_an_unknown_typed_badge_the_right_one_logs_in(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await pilot.press(*"EMP-0999", "enter")
            assert "Unknown badge" in problem_text(app)
            assert app.screen.query_one("#badge", Input).value == ""

            await pilot.press(*"EMP-0001", "enter")
            assert app.focused is app.screen.query_one("#pin", Input)
            await pilot.press(*"1234", "enter")
            await on_screen(pilot, HomeView)

            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0001"

    async def test_typed_id_and_pin_log_in(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            assert app.focused is app.screen.query_one("#badge", Input)
            await pilot.press(*"emp-0001", "enter")
            assert app.focused is app.screen.query_one("#pin", Input)
            await pilot.press(*"1234", "enter")
            await on_screen(pilot, HomeView)

            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0001"
            assert "Ana Inspector" in shown(app.screen.query_one("#inspector"))

    async def test_a_scan_that_is_not_a_badge_is_refused(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await scan_expecting_problem(pilot, "TI-000001", "Not a badge")

            assert "TI-000001" not in problem_text(app)
            assert app.session.request is None

    async def test_demo_shows_every_seeded_badge_and_pin_the_supervisor_too(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            hints = [shown(label) for label in app.screen.query(".hint")]

            assert len(hints) == len(DEMO_INSPECTORS) == 3
            for hint, inspector in zip(hints, DEMO_INSPECTORS, strict=True):
                assert hint.startswith(inspector.id)
                assert inspector.role.value in hint
                assert f"PIN {DEMO_PINS[inspector.id]}" in hint
            assert any("EMP-0002" in hint and "supervisor" in hint for hint in hints)

    async def test_the_home_screen_lists_no_badge_after_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            hints = [shown(label) for label in app.screen.query(".hint")]

            assert hints and any(hint.startswith("TI-000001") for hint in hints)
            assert not any("EMP-" in hint for hint in hints)

    def test_the_readme_names_every_demo_badge_and_the_supervisor(self) -> None:
        readme = (Path(__file__).parents[2] / "README.md").read_text()
        demo = readme.split("## ", 2)[1]  # the first section: the demo
        assert len(DEMO_INSPECTORS) == 3 and "three inspectors" in demo
        for inspector in DEMO_INSPECTORS:
            assert f"`{inspector.id}` (PIN `{DEMO_PINS[inspector.id]}`)" in demo
        assert "supervisor `EMP-0002`" in demo


class TestNewStationThatNeverReachedCentral:
    """A station whose central cannot be reached has pulled no inspector: it says so, on
    the login screen and for a badge, instead of calling every badge unknown."""

    async def test_it_says_nothing_has_been_loaded_yet_and_why(self, tmp_path: Path) -> None:
        station = Station(tmp_path, "postgresql://bench@127.0.0.1:1/trade_in")
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            assert "has not loaded its inspectors from central yet" in shown(
                app.screen.query_one("#login-notice")
            )
            await scan(pilot, "EMP-0001")
            assert "Nothing loaded from central yet" in problem_text(app)
            assert "Unknown badge" not in problem_text(app)
            assert header(app)["sync"].startswith("OFFLINE")

    async def test_a_seeded_station_shows_no_such_notice(self, tmp_path: Path) -> None:
        app = seeded_station(tmp_path).app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            notice = app.screen.query_one("#login-notice")
            assert not notice.has_class("-visible")
            await scan(pilot, "EMP-9999")
            assert "Unknown badge" in problem_text(app)


class TestBeforeTheStationOpens(SeededStation):
    """The login screen is the first frame, drawn before the station has opened: a badge
    and a PIN given meanwhile are held, and checked as soon as it opens."""

    async def test_a_badge_scanned_and_its_pin_are_held_until_the_station_opens(
        self, station: Station
    ) -> None:
        app, gate = gated_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
            assert not app.station_open
            assert shown(app.screen.query_one(".big-prompt")) == "SCAN YOUR BADGE"
            assert shown(app.screen.query_one("#opening-step")) == "Opening the station…"
            assert header(app)["sync"] == "STARTING"
            await scan(pilot, "EMP-0001")
            assert app.focused is app.screen.query_one("#pin", Input)  # where the PIN goes
            await pilot.press(*"1234", "enter")
            await pilot.pause(0.2)
            assert isinstance(app.screen, LoginScreen) and not app.station_open
            gate.set()
            await on_screen(pilot, HomeView)
            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0001"

    async def test_a_badge_and_pin_typed_meanwhile_log_in_once_it_opens(
        self, station: Station
    ) -> None:
        app, gate = gated_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
            await pilot.press(*"EMP-0002", "enter", *"4321", "enter")
            await pilot.pause(0.2)
            assert not app.station_open
            gate.set()
            await on_screen(pilot, HomeView)
            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0002"

    async def test_an_unknown_badge_given_meanwhile_is_refused_once_it_opens(
        self, station: Station
    ) -> None:
        app, gate = gated_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
            await pilot.press(*"EMP-9999", "enter", *"1234", "enter")
            gate.set()
            await station_open(pilot)
            await pilot.pause()
            assert "Unknown badge" in problem_text(app)
            assert app.session.inspector is None  # the PIN given with it was not tried
            badge = app.screen.query_one("#badge", Input)
            assert badge.value == "" and app.focused is badge

    async def test_it_says_the_station_is_opening_with_a_first_load_s_progress(
        self, station: Station
    ) -> None:
        from textual.widgets import ProgressBar

        app, gate = gated_app(station)
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
            opening = app.screen.query_one("#login-opening")
            step = opening.query_one("#opening-step")
            await wait_until(pilot, lambda: shown(step) == "Loading requests: 5 of 10")
            bar = opening.query_one(ProgressBar)
            assert (bar.progress, bar.total) == (5, 10)
            gate.set()
            await station_open(pilot)
            await pilot.pause()
            assert not opening.display


class TestTheFirstFrame(SeededStation):
    """The first frame is styled from bench.tcss alone: the other screens' rules, in
    views.tcss, are read once it is drawn. `bench` holds the collector until then."""

    async def test_the_collector_held_by_bench_runs_again_once_it_is_drawn(
        self, station: Station
    ) -> None:
        app = station.app()
        gc.disable()
        try:
            async with app.run_test(size=SIZE) as pilot:
                await on_screen(pilot, LoginScreen)
                await wait_until(pilot, gc.isenabled)
                assert gc.get_freeze_count() > 0  # what start-up built
        finally:
            gc.enable()

    async def test_nothing_in_views_tcss_styles_the_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            nodes = list(app.login.walk_children(with_self=True))
            app.stylesheet.update(app.login)
            with_views = [node.styles.css for node in nodes]
            del app.stylesheet.source[(str(VIEWS_CSS), "")]
            app.stylesheet.parse()
            app.stylesheet.update(app.login)
            assert [node.styles.css for node in nodes] == with_views

    async def test_a_screen_up_before_the_views_are_read_is_styled_with_them(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            # As if F1 had been pressed as the bench started, before its first frame.
            del app.stylesheet.source[(str(VIEWS_CSS), "")]
            app.stylesheet.parse()
            await pilot.press("f1")
            columns = app.screen.query_one("#help-columns")
            assert columns.styles.layout.name == "horizontal"  # a Horizontal's own

            app._read_view_styles()

            assert columns.styles.layout.name == "vertical"  # views.tcss's, under 120 columns
