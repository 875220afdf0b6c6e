"""The supervisor's screens' table, in a module of its own: Textual's DataTable is more
than the login screen, the first frame, should import."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class FiguresTable(DataTable[Text]):
    """A list of figures, rows picked by line: every table of the supervisor's screens."""

    def __init__(self, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        # Textual measures new rows when idle, after a frame may already have drawn them at
        # the old column widths, and keeps that drawing (same update count): cut columns
        # until the next refill. Drop it once the widths are known.
        self._clear_caches()
        self.refresh()
