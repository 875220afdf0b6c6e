"""Inspections central refused for good: kept on the bench for a supervisor, never lost."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from bench.scans import Classified
from bench.station import Refused
from screens.widgets import ID_CELLS, PROBLEM_CELLS, KeyBar, literal


class RefusedScreen(ModalScreen[None]):
    """The dead-letter list: which inspection, which item, what central said."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("f9", "dismiss", "Close"),
    ]

    def __init__(self, refused: list[Refused]) -> None:
        super().__init__()
        self.refused = refused

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="refused"):
            yield Label(f"REFUSED BY CENTRAL: {len(self.refused)}", classes="title")
            yield Label(
                "These inspections are kept on this bench and are not sent again. "
                "Call a supervisor: the reason says what central objected to.",
                markup=False,
            )
            yield DataTable(id="refused-table", cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When", "Item", "Inspection", "Why")
        for row in self.refused:
            # Text cells: a string cell would be read as markup, and the reason is central's.
            table.add_row(
                Text(f"{row.refused_at.astimezone():%Y-%m-%d %H:%M}"),
                literal(row.request_item_id, ID_CELLS),
                Text(row.inspection_id[:8]),
                literal(row.reason, PROBLEM_CELLS),
            )
        table.focus()

    def handle_scan(self, scan: Classified) -> None:
        self.dismiss()
