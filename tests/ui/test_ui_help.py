"""Nobody gets lost: help by key or by scan, the command palette, logging out."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from bench.commands import command_sheet
from screens.checklist import ChecklistScreen
from screens.help import HelpScreen
from screens.home import HomeView
from screens.login import LoginScreen
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
            await on_screen(pilot, ChecklistScreen)

            assert app.session.active is not None
            assert len(app.session.active.checklist.records) == 1

    async def test_help_before_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
            await pilot.press("f1")
            await on_screen(pilot, HelpScreen)
            await pilot.press("escape")
            await on_screen(pilot, LoginScreen)


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
            await on_screen(pilot, LoginScreen)

            assert app.session.inspector is None

    async def test_no_log_out_before_anyone_logs_in(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
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
            await on_screen(pilot, LoginScreen)

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
            await on_screen(pilot, LoginScreen)

            from textual.widgets import Input

            assert app.screen.query_one("#badge", Input).value == ""
            assert app.focused is app.screen.query_one("#badge", Input)
            await log_in(pilot, "EMP-0003")
            assert app.session.inspector is not None
            assert app.session.inspector.id == "EMP-0003"
