"""Central rows the pull skipped (the quarantine): the portal wrote something the bench
cannot use. Each comes in by itself once the portal corrects it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from bench.station import QuarantinedRow
from screens.lists import RowsScreen
from screens.widgets import ID_CELLS, PROBLEM_CELLS, literal


class SkippedScreen(RowsScreen):
    """Which table, which row, why; F7 opens and closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *RowsScreen.BINDINGS,
        Binding("f7", "dismiss", "Close"),
    ]

    def __init__(self, skipped: list[QuarantinedRow]) -> None:
        super().__init__(
            f"SKIPPED FROM CENTRAL: {len(skipped)}",
            "The station could not use these rows as central holds them, and works on "
            "without them. Ask the portal's administrator to correct them; each arrives "
            "here by itself at the next sync once it is.",
            ("Table", "Row", "Why", "Seen"),
            [
                (
                    Text(row.table),
                    literal(row.key, ID_CELLS),
                    literal(row.reason, PROBLEM_CELLS),
                    Text(f"{row.seen_at.astimezone():%Y-%m-%d %H:%M}"),
                )
                for row in skipped
            ],
            id="skipped",
        )
