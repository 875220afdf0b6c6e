"""The checklist's lists (the data's facts, the grades' meanings) are laid out as a Rich
grid table would lay them out, the last cell wrapping under itself, in one pass and in
Textual's own text; and drawn as laid out."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text
from textual.content import Content
from textual.style import Style
from textual.visual import RenderOptions

from screens.checklist import Listed

WHY = (
    "the catalog lists WYZE-PAN-V2-TC as Wyze Cam Pan v2, the model the request declared, "
    "bought 2024-03-01"
)
CELLS = (
    ("[1]", "Model listed", "YES", WHY),
    ("[2]", "Serial matches", "NO", "WYZECP22301595691"),
    ("[3]", "Over 4 years old", "NO", ""),
)
ROWS = tuple((Text(n), Text(fact), Text(value, "bold"), Text(why)) for n, fact, value, why in CELLS)
LISTED = Listed(
    tuple(
        (Content(n), Content(fact), Content.styled(value, "bold"), Content(why))
        for n, fact, value, why in CELLS
    )
)


def lines(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    Console(width=width, file=out, color_system=None).print(renderable)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def drawn(listed: Listed, width: int) -> list[str]:
    """What the checklist's notice draws of `listed`, `width` cells wide, line by line."""
    options = RenderOptions(Style.parse, {})
    strips = listed.render_strips(width, None, Style(), options)
    assert listed.get_height({}, width) == len(strips)  # measured as drawn
    return [strip.text.rstrip() for strip in strips]


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
    listed = drawn(LISTED, width)
    assert listed == lines(grid(ROWS), width)
    assert len(listed) > len(ROWS) or width == 116  # the why wraps but at the widest


def test_a_wrapped_line_starts_under_its_cell() -> None:
    first, second = drawn(LISTED, 60)[:2]
    assert second.startswith(" " * first.index("the catalog")) and second.strip()


def test_a_word_wider_than_its_room_is_folded_whole_not_cut() -> None:
    """Where a grid table cut it with an ellipsis: a serial is read to its last character."""
    listed = drawn(LISTED, 40)
    at = next(n for n, line in enumerate(listed) if "WYZECP" in line)
    assert (listed[at] + listed[at + 1].strip()).endswith("WYZECP22301595691")


def test_the_value_keeps_its_bold_where_it_is_drawn() -> None:
    strips = LISTED.render_strips(60, None, Style(), RenderOptions(Style.parse, {}))
    bold = [text for segment in strips[0] if (text := segment.text.strip()) and segment.style.bold]
    assert bold == ["YES"]
