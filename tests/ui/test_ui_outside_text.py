"""Text from outside (central's rows, scans) is shown as text: never markup, never so long
that the question and its answer keys leave an 80x24 screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.dialogs import ConfirmScreen
from screens.help import HelpScreen
from screens.items import ItemList
from tests.support.outside import (
    REQUEST_ID,
    CentralText,
    open_checklist_by_hand,
    outside_station,
)
from tests.support.station import (
    PAN_V2_SERIAL,
    SeededStation,
    Station,
    on_screen,
    on_show,
    open_checklist,
    open_request,
    scan,
    screen_lines,
    wait_until,
)

SMALL = (80, 24)
YES_NO_KEYS = "[Y] Yes      [N] No"


@asynccontextmanager
async def run_small(folder: Path, text: CentralText) -> AsyncIterator[tuple[BenchApp, Pilot[None]]]:
    """Run, at 80x24, a station whose central holds `text`."""
    app = outside_station(folder, text).app()
    async with app.run_test(size=SMALL) as pilot:
        yield app, pilot


class TestMarkupInCentralText:
    async def test_request_table_shows_ids_and_model_names_with_brackets_literally(
        self, tmp_path: Path
    ) -> None:
        text = CentralText(item_suffix="[/x]", model_name="Cam Pan [w/ mount]")
        async with run_small(tmp_path, text) as (app, pilot):
            await open_request(pilot, REQUEST_ID)

            table = app.screen.query_one("#items", ItemList)
            item, model = (str(cell) for cell in table.get_row(text.item_id)[:2])
            assert (item, model) == ("[/x]", "Cam Pan [w/ mount]")
            assert on_show(app, "Cam Pan [w/ mount]")

    async def test_checklist_shows_markup_in_program_and_model_names_literally(
        self, tmp_path: Path
    ) -> None:
        text = CentralText(program_name="Trade [b]Up[/b] [/x]", model_name="Cam [/x]")
        async with run_small(tmp_path, text) as (app, pilot):
            await open_checklist_by_hand(pilot)

            assert on_show(app, "Cam [/x] is listed for Trade [b]Up[/b] [/x]")
            assert on_show(app, "declared Cam [/x]")


class TestLongCentralText:
    async def test_a_5000_character_model_name_leaves_question_and_keys_on_screen(
        self, tmp_path: Path
    ) -> None:
        text = CentralText(model_name="Wyze Cam Pan v2 " + "x" * 5000)
        async with run_small(tmp_path, text) as (app, pilot):
            await open_checklist_by_hand(pilot)
            await pilot.press("enter")  # keep the data's two answers
            await wait_until(pilot, lambda: on_show(app, "Is it broken or damaged?"))

            assert on_show(app, YES_NO_KEYS)
            assert on_show(app, "Wyze Cam Pan v2 xxx")
            assert on_show(app, "…")

    async def test_a_problem_under_the_longest_facts_list_leaves_the_keys_on_screen(
        self, tmp_path: Path
    ) -> None:
        # Found by the property test: the facts list at its tallest (a long program name
        # wraps the first fact onto three lines) and a problem panel filled 80x24, and the
        # panel covered the keys.
        text = CentralText(program_name="Trade " + "x" * 5000, item_suffix="d " + "x" * 5000)
        async with run_small(tmp_path, text) as (app, pilot):
            await open_checklist_by_hand(pilot)
            keys = "[Enter] Keep them      [1] [2] Change one"
            assert on_show(app, keys)

            await scan(pilot, "0\ufffd0")  # what the scanner could not decode
            await wait_until(pilot, lambda: on_show(app, "Unreadable scan"))

            assert on_show(app, keys)
            assert on_show(app, "Is what the data says right?")

    async def test_a_5000_character_model_name_is_cut_short_in_the_request_table(
        self, tmp_path: Path
    ) -> None:
        text = CentralText(model_name="M" * 5000)
        async with run_small(tmp_path, text) as (app, pilot):
            await open_request(pilot, REQUEST_ID)

            lines = screen_lines(app)
            row = next(line for line in lines if "MMM" in line)
            assert "…" in row and "waiting" in row  # the status column is still shown


class TestCommandMarkupOnModals(SeededStation):
    async def test_a_command_scan_with_markup_on_the_help_screen_is_shown_literally(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await open_request(pilot)
            await pilot.press("f1")
            await on_screen(pilot, HelpScreen)

            await scan(pilot, "CMD:[/x]")

            await wait_until(pilot, lambda: on_show(app, "CMD:[/x]"))  # in the notice
            await pilot.press("escape")  # the screen still answers its keys
            await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))

    @pytest.mark.parametrize("code", ["CMD:[/x]", "CMD:[bold]NO"])
    async def test_a_command_scan_with_markup_in_a_dialog_is_shown_literally(
        self, station: Station, code: str
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await open_checklist(pilot, device=PAN_V2_SERIAL)
            await pilot.press("escape")  # cancel? asks first
            await on_screen(pilot, ConfirmScreen)

            await scan(pilot, code)

            await wait_until(pilot, lambda: on_show(app, code))  # in the notice
            await pilot.press("n")
            await on_screen(pilot, ChecklistView)
            assert app.session.active is not None
