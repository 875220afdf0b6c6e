"""The checklist's lists (the data's facts, the grades' meanings) are laid out as a Rich
grid table would lay them out, the last cell wrapping under itself, in one pass."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from screens.checklist import Listed

WHY = (
    "the catalog lists WYZE-PAN-V2-TC as Wyze Cam Pan v2, the model the request declared, "
    "bought 2024-03-01"
)
ROWS = (
    (Text("[1]"), Text("Model listed"), Text("YES", "bold"), Text(WHY)),
    (Text("[2]"), Text("Serial matches"), Text("NO", "bold"), Text("WYZECP22301595691")),
    (Text("[3]"), Text("Over 4 years old"), Text("NO", "bold"), Text("")),
)


def lines(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    Console(width=width, file=out, color_system=None).print(renderable)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def grid(rows: tuple[tuple[Text, ...], ...]) -> Table:
    table = Table.grid(padding=(0, 1))
    for _ in rows[0][:-1]:
        table.add_column(no_wrap=True)
    table.add_column()
    for row in rows:
        table.add_row(*row)
    return table


@pytest.mark.parametrize("width", [56, 76, 116])  # 80 and 120 columns, less the box
def test_the_facts_wrap_as_a_grid_table_wraps_them(width: int) -> None:
    listed = lines(Listed(ROWS), width)
    assert listed == lines(grid(ROWS), width)
    assert len(listed) > len(ROWS) or width == 116  # the why wraps but at the widest


def test_a_wrapped_line_starts_under_its_cell() -> None:
    first, second = lines(Listed(ROWS), 60)[:2]
    assert second.startswith(" " * first.index("the catalog")) and second.strip()


def test_a_word_wider_than_its_room_is_folded_whole_not_cut() -> None:
    """Where a grid table cut it with an ellipsis: a serial is read to its last character."""
    listed = lines(Listed(ROWS), 40)
    at = next(n for n, line in enumerate(listed) if "WYZECP" in line)
    assert (listed[at] + listed[at + 1].strip()).endswith("WYZECP22301595691")
