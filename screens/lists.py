"""A list a supervisor opens from a key in the header (F7, F9): rows the bench keeps aside,
what each one is, and what to do about them. Esc, the same key or any scan closes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from bench.scans import Classified
from screens.widgets import KeyBar


class RowsScreen(ModalScreen[None]):
    """A titled table over the screen on show, with what to do in a sentence."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(
        self,
        title: str,
        what_to_do: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Text]],
        *,
        id: str,
    ) -> None:
        super().__init__()
        self._title = title
        self._what_to_do = what_to_do
        self._columns = tuple(columns)
        self._rows = [tuple(row) for row in rows]
        self._box_id = id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=self._box_id):
            yield Label(self._title, classes="title", markup=False)
            yield Label(self._what_to_do, markup=False)
            yield DataTable(id=f"{self._box_id}-table", cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        # Text cells (see `screens.widgets.literal`): a string cell would be read as markup,
        # and what these lists show comes from central.
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_columns(*self._columns)
        for row in self._rows:
            table.add_row(*row)
        table.focus()

    def handle_scan(self, scan: Classified) -> None:
        self.dismiss()
