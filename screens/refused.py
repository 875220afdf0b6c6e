"""Inspections central refused for good: kept on the bench for a supervisor, never lost."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from bench.station import Refused
from screens.lists import RowsScreen
from screens.widgets import ID_CELLS, PROBLEM_CELLS, literal


class RefusedScreen(RowsScreen):
    """The dead-letter list: which inspection, which item, what central said."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *RowsScreen.BINDINGS,
        Binding("f9", "dismiss", "Close"),
    ]

    def __init__(self, refused: list[Refused]) -> None:
        tampered = sum(row.tampered for row in refused)
        super().__init__(
            f"REFUSED BY CENTRAL: {len(refused)}",
            "These inspections are kept on this bench and are not sent again. "
            "Call a supervisor: the reason says what central objected to."
            + (
                f" {tampered} TAMPERED: changed in this bench's file after they were saved, "
                "so never sent. Do not pay from them; the supervisor runs `bench audit "
                "verify` to see what else changed."
                if tampered
                else ""
            ),
            ("When", "Item", "Inspection", "Why"),
            [
                (
                    Text(f"{row.refused_at.astimezone():%Y-%m-%d %H:%M}"),
                    literal(row.request_item_id, ID_CELLS),
                    Text(row.inspection_id[:8]),
                    literal(row.reason, PROBLEM_CELLS),
                )
                for row in refused
            ],
            id="refused",
        )
