"""The items of the request on the bench: a header line, then one line per item, the cursor
on the one picked; ↑↓ move it, Enter picks it.

Drawn line by line from Rich text, each line kept until what it shows changes. Textual's
DataTable did the same job with a cell cache and a row cache cleared at every request,
and took 3 ms to draw a one-item request (and restyled on every focus change): the items
are drawn at every package label and every save.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets import FocusedLook, KeptLines

CELL_PADDING = 1
"""Blank cells on each side of a column's text."""


class ItemList(FocusedLook, ScrollView, can_focus=True):
    """A header and the items' rows; the header stays on top as the rows scroll."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-list--header",
        "item-list--even-row",
        "item-list--cursor",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move_to(0)", "First", show=False),
        Binding("end", "move_to(-1)", "Last", show=False),
        Binding("enter", "pick", "Pick", show=False),
    ]

    class Picked(Message):
        """Enter on a row: the inspector picked that item."""

        def __init__(self, item_id: str) -> None:
            super().__init__()
            self.item_id = item_id

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._columns: tuple[tuple[str, int], ...] = ()
        self._keys: tuple[str, ...] = ()
        self._rows: dict[str, tuple[Text, ...]] = {}
        self._cursor = 0
        self._lines = KeptLines(most=1024)
        """The line drawn for each row (-1: the header), under the cursor or not, at a width."""

    # -- what it shows ------------------------------------------------------------------

    def show(
        self, columns: Sequence[tuple[str, int]], rows: Sequence[tuple[str, Sequence[Text]]]
    ) -> None:
        """Show `rows` (an item id and its cells) under `columns` (a label and its width);
        the cursor goes to the first row."""
        self._columns = tuple(columns)
        self._keys = tuple(key for key, _ in rows)
        self._rows = {key: tuple(cells) for key, cells in rows}
        self._cursor = 0
        self._lines.forget()
        width = sum(width + 2 * CELL_PADDING for _, width in self._columns)
        self.virtual_size = Size(width, len(self._keys) + 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh(layout=True)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def picked(self) -> str | None:
        """The item id of the row under the cursor; None with no rows."""
        return self._keys[self._cursor] if self._keys else None

    @property
    def row_keys(self) -> tuple[str, ...]:
        return self._keys

    def get_row(self, key: str) -> tuple[Text, ...]:
        return self._rows[key]

    @property
    def column_widths(self) -> dict[str, int]:
        return dict(self._columns)

    def move_cursor_to(self, key: str) -> None:
        self._place_cursor(self._keys.index(key))

    # -- keys ---------------------------------------------------------------------------

    def action_move(self, rows: int) -> None:
        self._place_cursor(self._cursor + rows)

    def action_page(self, pages: int) -> None:
        self._place_cursor(self._cursor + pages * max(1, self.size.height - 1))

    def action_move_to(self, row: int) -> None:
        self._place_cursor(row % self.row_count if self.row_count else 0)

    def action_pick(self) -> None:
        if (picked := self.picked) is not None:
            self.post_message(self.Picked(picked))

    def _place_cursor(self, row: int) -> None:
        if not self._keys:
            return
        row = min(max(row, 0), len(self._keys) - 1)
        if row == self._cursor:
            return
        before, self._cursor = self._cursor, row
        # Row r is line r + 1 less the scroll: keep it between the header and the bottom.
        shown_rows = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + shown_rows:
            self.scroll_to(y=row - shown_rows + 1, animate=False, immediate=True)
        for moved in (before, row):
            self.refresh_line(moved + 1 - self.scroll_offset.y)

    # -- drawing ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._lines.forget()  # a new theme: drawn in its colours
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        row = -1 if y == 0 else y - 1 + self.scroll_offset.y
        width = self.size.width
        if row >= len(self._keys):
            return Strip.blank(width, self.rich_style)
        return self._lines.get((row, row == self._cursor, width), partial(self._draw, row, width))

    def _draw(self, row: int, width: int) -> Strip:
        """Row `row` (-1: the header) as one line of `width` cells."""
        style = self.rich_style
        if row < 0:
            cells: Sequence[Text] = [Text(label) for label, _ in self._columns]
            style += self.get_component_rich_style("item-list--header")
        else:
            cells = self._rows[self._keys[row]]
            if row % 2 == 0:  # stripes from the first row, as Textual's tables have them
                style += self.get_component_rich_style("item-list--even-row")
        line = Text(no_wrap=True, overflow="crop", end="")
        pad = " " * CELL_PADDING
        for cell, (_, cell_width) in zip(cells, self._columns, strict=True):
            text = cell.copy()
            text.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append(pad)
            line.append_text(text)
            line.append(pad)
        if row == self._cursor:
            # Over the cells' own colours, as a cursor is, and across the whole width.
            cursor = self.get_component_rich_style("item-list--cursor")
            line.stylize(cursor)
            style += cursor
        segments = [Segment(s.text, style + s.style) if s.style else Segment(s.text, style)
                    for s in line.render(self.app.console)]  # fmt: skip
        return Strip(segments).adjust_cell_length(width, style)
