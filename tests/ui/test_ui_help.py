"""Nobody gets lost: help by key or by scan, the command palette, logging out."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from bench.commands import command_sheet
from screens.checklist import ChecklistView
from screens.dialogs import ConfirmScreen
from screens.help import HelpScreen
from screens.home import HomeView
from tests.support.station import (
    SIZE,
    SeededStation,
    Station,
    log_in,
    on_screen,
    open_checklist,
    open_request,
    press_or_scan,
    rendered,
    shown,
    station_open,
    wait_until,
)
from tests.support.store_helpers import audit_events


async def open_palette(pilot: Pilot[None]) -> None:
    """Press Ctrl+P and wait for the command palette."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))


async def palette_prompts(pilot: Pilot[None]) -> list[str]:
    """Open the command palette and read the commands it offers."""
    await open_palette(pilot)
    commands = pilot.app.screen.query_one(CommandList)
    await wait_until(pilot, lambda: commands.option_count > 0)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def run_from_palette(pilot: Pilot[None], name: str) -> None:
    """Open the command palette, type `name` and run the command it puts first."""
    await open_palette(pilot)
    await pilot.press(*name.lower())
    commands = pilot.app.screen.query_one(CommandList)
    await wait_until(
        pilot,
        lambda: (
            commands.option_count > 0
            and str(commands.get_option_at_index(0).prompt).startswith(name)
        ),
    )
    await pilot.press("enter")


class TestHelp(SeededStation):
    @pytest.mark.parametrize("how", ["f1", "CMD:HELP"])
    async def test_help_lists_the_command_codes_and_esc_closes_it(
        self, station: Station, how: str
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await press_or_scan(pilot, how)
            await on_screen(pilot, HelpScreen)

            codes = rendered(app.screen.query_one("#help-code-table"))
            for code, label in command_sheet():
                assert code in codes
                assert label in codes

            await pilot.press("escape")
            await on_screen(pilot, HomeView)

    @pytest.mark.parametrize("opened_by", ["f1", "CMD:HELP"])
    async def test_scanning_cmd_help_again_closes_help_as_f1_does(
        self, station: Station, opened_by: str
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await press_or_scan(pilot, opened_by)
            await on_screen(pilot, HelpScreen)

            await press_or_scan(pilot, "CMD:HELP")
            await on_screen(pilot, HomeView)

            assert not any(isinstance(screen, HelpScreen) for screen in app.screen_stack)

    async def test_help_mid_checklist_returns_to_the_same_question(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter")

            await pilot.press("f1")
            await on_screen(pilot, HelpScreen)
            await pilot.press("y")  # keys of the screen below do nothing while help shows
            await pilot.press("escape")
            await on_screen(pilot, ChecklistView)

            assert app.session.active is not None
            assert len(app.session.active.checklist.records) == 3  # the data's three answers

    async def test_help_before_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            await pilot.press("f1")
            await on_screen(pilot, HelpScreen)
            await pilot.press("escape")
            await station_open(pilot)


class TestCommandPalette(SeededStation):
    async def test_palette_offers_help_and_log_out(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            prompts = await palette_prompts(pilot)

            assert any(prompt.startswith("Help") for prompt in prompts), prompts
            assert any(prompt.startswith("Log out") for prompt in prompts), prompts

    async def test_log_out_from_the_palette(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await open_palette(pilot)
            await pilot.press(*"log out")
            commands = app.screen.query_one(CommandList)
            await wait_until(
                pilot,
                lambda: (
                    commands.option_count > 0
                    and str(commands.get_option_at_index(0).prompt).startswith("Log out")
                ),
            )
            await pilot.press("enter")
            await station_open(pilot)

            assert app.session.inspector is None

    async def test_no_log_out_before_anyone_logs_in(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            prompts = await palette_prompts(pilot)

            assert any(prompt.startswith("Help") for prompt in prompts), prompts
            assert not any(prompt.startswith("Log out") for prompt in prompts), prompts


class TestLogout(SeededStation):
    @pytest.mark.parametrize("how", ["f2", "CMD:LOGOUT"])
    async def test_logout_returns_to_login(self, station: Station, how: str) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)

            await press_or_scan(pilot, how)
            await station_open(pilot)

            assert app.session.inspector is None
            assert app.session.request is None
            assert shown(app.screen.query_one("#inspector")) == "nobody logged in"
            events = [event.event for event in audit_events(app.session.store)]
            assert "logout" in events

    async def test_the_next_inspector_starts_on_a_clean_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await pilot.press("f2")
            await station_open(pilot)

            from textual.widgets import Input

            assert app.screen.query_one("#badge", Input).value == ""
            assert app.focused is app.screen.query_one("#badge", Input)
            await log_in(pilot, "EMP-0003")
            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0003"


class TestQuit(SeededStation):
    """Textual's Quit ended a logged-in shift at once, from a stray key or the palette."""

    async def test_the_palette_offers_only_what_an_inspector_needs(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            prompts = [prompt.split("\n")[0] for prompt in await palette_prompts(pilot)]

            for textual_own in ("Theme", "Keys", "Maximize", "Minimize", "Screenshot"):
                assert not any(prompt.startswith(textual_own) for prompt in prompts), prompts
            assert any(prompt.startswith("Quit") for prompt in prompts), prompts

    async def test_ctrl_q_logged_in_asks_first_and_n_keeps_the_bench(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await pilot.press("ctrl+q")
            await on_screen(pilot, ConfirmScreen)
            assert "Quit bench?" in shown(app.screen.query_one(".title"))
            await pilot.press("ctrl+q")  # again: still one question
            assert sum(isinstance(s, ConfirmScreen) for s in app.screen_stack) == 1

            await pilot.press("n")
            await on_screen(pilot, HomeView)

            assert app.is_running and app.return_code is None
            assert app.session.inspector is not None

    @pytest.mark.parametrize("how", ["key", "palette"])
    async def test_logged_in_quits_after_yes(self, station: Station, how: str) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            if how == "key":
                await pilot.press("ctrl+q")
            else:
                await run_from_palette(pilot, "Quit")
            await on_screen(pilot, ConfirmScreen)
            assert app.return_code is None

            await pilot.press("y")
            await wait_until(pilot, lambda: app.return_code is not None)

        events = [event.event for event in audit_events(app.session.store)]
        assert events[0] == "logout"  # newest first: the shift ended in the record too

    @pytest.mark.parametrize("how", ["key", "palette"])
    async def test_nobody_logged_in_quits_at_once(self, station: Station, how: str) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await station_open(pilot)
            if how == "key":
                await pilot.press("ctrl+q")
            else:
                await run_from_palette(pilot, "Quit")
            await wait_until(pilot, lambda: app.return_code is not None)

            assert not any(isinstance(s, ConfirmScreen) for s in app.screen_stack)
