"""The request view's item list on its own: the header stays on top, the cursor moves and
scrolls by keys, Enter picks, and a line is drawn again only when what it shows changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from screens.items import ItemList

VIEWS_CSS = Path(__file__).parents[2] / "screens" / "views.tcss"
COLUMNS = [("Item", 4), ("Status", 8)]


def rows(count: int) -> list[tuple[str, list[Text]]]:
    return [(f"TI-1-{n:02d}", [Text(f"{n:02d}"), Text("waiting")]) for n in range(count)]


class ListApp(App[None]):
    CSS_PATH = VIEWS_CSS

    def __init__(self) -> None:
        super().__init__()
        self.picked: list[str] = []

    def compose(self) -> ComposeResult:
        yield ItemList(id="items")

    def on_item_list_picked(self, message: ItemList.Picked) -> None:
        self.picked.append(message.item_id)


def painted(items: ItemList) -> list[str]:
    return [items.render_line(y).text.rstrip() for y in range(items.size.height)]


@asynccontextmanager
async def showing(
    shown: list[tuple[str, list[Text]]], size: tuple[int, int]
) -> AsyncIterator[tuple[ListApp, Pilot[None], ItemList]]:
    """An app whose item list shows `shown`, focused."""
    app = ListApp()
    async with app.run_test(size=size) as pilot:
        items = app.query_one(ItemList)
        items.show(COLUMNS, shown)
        items.focus()
        await pilot.pause()
        yield app, pilot, items


async def test_the_cursor_scrolls_under_a_header_that_stays() -> None:
    async with showing(rows(20), size=(30, 6)) as (app, pilot, items):
        assert items.size.height == 5 and items.row_count == 20  # views.tcss: a margin on top
        assert painted(items)[:2] == [" Item  Status", " 00    waiting"]
        await pilot.press(*["down"] * 7)
        await pilot.pause()
        lines = painted(items)
        assert lines[0] == " Item  Status"  # still on top
        assert lines[-1] == " 07    waiting" and items.cursor_row == 7
        await pilot.press("pageup")  # the four rows in sight
        assert items.cursor_row == 3
        await pilot.press("end")
        await pilot.pause()
        assert items.picked == "TI-1-19" and painted(items)[-1] == " 19    waiting"
        await pilot.press("home", "down", "enter")
        await pilot.pause()
        assert app.picked == ["TI-1-01"]
        assert painted(items)[1:3] == [" 00    waiting", " 01    waiting"]


async def test_a_moved_cursor_draws_its_two_lines_and_a_new_request_all() -> None:
    async with showing(rows(5), size=(30, 8)) as (_app, pilot, items):
        drawn: list[int] = []
        draw = items._draw

        def noted(row: int, width: int) -> object:
            drawn.append(row)
            return draw(row, width)

        items._draw = noted  # type: ignore[method-assign]
        cursor = items.get_component_rich_style("item-list--cursor").bgcolor
        under_cursor = [s.style.bgcolor for s in items.render_line(1) if s.style]
        assert under_cursor and set(under_cursor) == {cursor}  # across the whole width
        drawn.clear()
        await pilot.press("down")
        await pilot.pause()
        assert sorted(drawn) == [0, 1]  # the row it left and the row it reached
        assert all(s.style.bgcolor == cursor for s in items.render_line(2) if s.style)
        drawn.clear()
        items.show(COLUMNS, [("TI-2-01", [Text("01"), Text("ACCEPT")])])
        await pilot.pause()
        assert sorted(drawn) == [-1, 0] and items.cursor_row == 0
        assert painted(items) == [" Item  Status", " 01    ACCEPT"]  # as tall as its rows
