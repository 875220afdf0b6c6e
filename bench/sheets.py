"""The sheets the bench prints on office paper: the command codes, and inspector badges.

An inspector works the whole inspection with the scanner by scanning codes from the command
sheet pinned up on the bench, at arm's length. That takes wide bars: every module is 20 mil
(0.51 mm, 6 dots at 300 dpi), the size scanner makers quote for reading from half a metre,
and each code is big enough to aim at, with its meaning under it in large letters. The
codes are grouped as an inspection uses them. Long codes (CMD:DEFECT-MISSING-PARTS) make
wide symbols, so the sheet takes three pages rather than thinner bars.

Badges are cards of 3.375 x 2.125 in (a bank card) with cut lines: name, role and the
barcode of the badge id, which logs the inspector in.

Both are `bench.layout` pages at `SHEET_DPI`; `drivers.labels` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from bench.commands import Command
from bench.config import Paper
from bench.domain import Inspector, Role
from bench.layout import (
    QUIET_MODULES,
    Box,
    Element,
    Encoder,
    Layout,
    Rule,
    dots,
    fit_text,
    place_bars,
)

SHEET_DPI: Final = 300

PAPER_INCHES: Final[Mapping[Paper, tuple[float, float]]] = {
    "letter": (8.5, 11.0),
    "a4": (210 / 25.4, 297 / 25.4),
}

COMMAND_GROUPS: Final[tuple[tuple[str, tuple[Command, ...]], ...]] = (
    ("Answers", (Command.YES, Command.NO)),
    ("Cosmetic grade", (Command.GRADE_A, Command.GRADE_B, Command.GRADE_C, Command.GRADE_D)),
    ("The inspection", (Command.CONFIRM, Command.BACK, Command.SKIP, Command.CANCEL)),
    (
        "Defects",
        (
            Command.DEFECT_CRACKED,
            Command.DEFECT_NO_POWER,
            Command.DEFECT_WATER,
            Command.DEFECT_MISSING_PARTS,
        ),
    ),
    ("Change one of the data's answers", (Command.FACT_1, Command.FACT_2, Command.FACT_3)),
    (
        "Reasons for changing a pre-filled answer",
        (Command.REASON_1, Command.REASON_2, Command.REASON_3, Command.REASON_4),
    ),
    (
        "The bench",
        (Command.HELP, Command.LOGOUT, Command.REPRINT, Command.PRINT_COMMAND_SHEET),
    ),
)

_MARGIN_IN = 0.3  # office printers print to within a quarter inch of the edge
_TITLE_IN = 0.4
_MODULE_MM = 0.51  # 20 mil: 6 dots at 300 dpi


def command_groups() -> list[tuple[str, tuple[Command, ...]]]:
    """The sheet's groups; a command no group names yet goes under "More", so the sheet
    always carries every command."""
    grouped = {command for _, commands in COMMAND_GROUPS for command in commands}
    rest = tuple(command for command in Command if command not in grouped)
    return [*COMMAND_GROUPS, *([("More", rest)] if rest else [])]


class _Pages:
    """Content flowed down pages of paper, below each page's title line."""

    def __init__(self, paper: Paper, dpi: int) -> None:
        width_in, height_in = PAPER_INCHES[paper]
        self.dpi = dpi
        self.width, self.height = dots(width_in, dpi), dots(height_in, dpi)
        self.margin = dots(_MARGIN_IN, dpi)
        self.top = self.margin + dots(_TITLE_IN + 0.15, dpi)
        self.pages: list[list[Element]] = [[]]
        self.y = self.top

    @property
    def usable_width(self) -> int:
        return self.width - 2 * self.margin

    def room_for(self, height: int) -> None:
        """Start a new page unless `height` more dots fit on this one."""
        if self.y + height > self.height - self.margin and self.pages[-1]:
            self.pages.append([])
            self.y = self.top

    def add(self, elements: Sequence[Element]) -> None:
        self.pages[-1].extend(elements)

    def layouts(self, title: str) -> list[Layout]:
        count = len(self.pages)
        title_box = Box(self.margin, self.margin, self.usable_width, dots(_TITLE_IN, self.dpi))
        return [
            Layout(
                self.width,
                self.height,
                self.dpi,
                (
                    fit_text(
                        title_box, f"{title} · page {number} of {count}", role="title", bold=True
                    ),
                    *elements,
                ),
            )
            for number, elements in enumerate(self.pages, start=1)
        ]


def command_sheet(paper: Paper, encode: Encoder, dpi: int = SHEET_DPI) -> list[Layout]:
    """Every command code with its meaning, grouped, on as many pages as it takes."""
    pages = _Pages(paper, dpi)
    module = dots(_MODULE_MM / 25.4, dpi)
    bars_h, meaning_h, code_h = dots(0.5, dpi), dots(0.3, dpi), dots(0.18, dpi)
    cell_h = bars_h + dots(0.04, dpi) + meaning_h + code_h
    heading_h, row_gap, column_gap = dots(0.4, dpi), dots(0.22, dpi), dots(0.15, dpi)
    smallest_cell = dots(2.3, dpi)
    for heading, commands in command_groups():
        # One width for the group's cells, so they stand in columns; quiet zones included.
        width = max(
            smallest_cell,
            *((len(encode(command.code)) + 2 * QUIET_MODULES) * module for command in commands),
        )
        across = max(1, (pages.usable_width + column_gap) // (width + column_gap))
        rows = [commands[start : start + across] for start in range(0, len(commands), across)]
        pages.room_for(heading_h + cell_h)
        pages.add(
            [
                fit_text(
                    Box(pages.margin, pages.y, pages.usable_width, heading_h - dots(0.08, dpi)),
                    heading,
                    role="heading",
                    bold=True,
                ),
                Rule(
                    Box(
                        pages.margin,
                        pages.y + heading_h - dots(0.05, dpi),
                        pages.usable_width,
                        dots(0.02, dpi),
                    ),
                    role="rule",
                ),
            ]
        )
        pages.y += heading_h
        for row in rows:
            pages.room_for(cell_h)
            for column, command in enumerate(row):
                cell = Box(pages.margin + column * (width + column_gap), pages.y, width, cell_h)
                pages.add(
                    _command_cell(command, cell, encode, dpi, bars_h=bars_h, meaning_h=meaning_h)
                )
            pages.y += cell_h + row_gap
    return pages.layouts("Command codes: scan one to do what it says")


def _command_cell(
    command: Command, cell: Box, encode: Encoder, dpi: int, *, bars_h: int, meaning_h: int
) -> list[Element]:
    bars_row = Box(cell.x, cell.y, cell.width, bars_h)
    meaning = Box(cell.x, cell.y + bars_h + dots(0.04, dpi), cell.width, meaning_h)
    code = Box(cell.x, meaning.bottom, cell.width, cell.bottom - meaning.bottom)
    return [
        place_bars(
            bars_row,
            command.code,
            encode,
            dpi=dpi,
            largest_mm=_MODULE_MM,
            role="barcode",
            where="the command sheet",
        ),
        fit_text(meaning, command.label, role="meaning", bold=True, align="center"),
        fit_text(code, command.code, role="code", align="center"),
    ]


_CARD_IN = (3.375, 2.125)
_CUT_LINE_IN = 0.007  # 2 dots at 300 dpi: enough to cut along


def badge_sheet(
    inspectors: Sequence[Inspector], paper: Paper, encode: Encoder, dpi: int = SHEET_DPI
) -> list[Layout]:
    """One card per inspector, in rows of cards, on as many pages as it takes."""
    pages = _Pages(paper, dpi)
    card_w, card_h = dots(_CARD_IN[0], dpi), dots(_CARD_IN[1], dpi)
    gap = dots(0.25, dpi)
    across = max(1, (pages.usable_width + gap) // (card_w + gap))
    left = pages.margin + (pages.usable_width - across * (card_w + gap) + gap) // 2
    for start in range(0, len(inspectors), across):
        pages.room_for(card_h)
        for column, inspector in enumerate(inspectors[start : start + across]):
            card = Box(left + column * (card_w + gap), pages.y, card_w, card_h)
            pages.add(_badge(inspector, card, encode, dpi))
        pages.y += card_h + gap
    return pages.layouts("Inspector badges")


def _badge(inspector: Inspector, card: Box, encode: Encoder, dpi: int) -> list[Element]:
    line = dots(_CUT_LINE_IN, dpi)
    pad = dots(0.15, dpi)
    inner = Box(card.x + pad, card.y + pad, card.width - 2 * pad, card.height - 2 * pad)
    name = Box(inner.x, inner.y, inner.width, dots(0.34, dpi))
    role = Box(inner.x, name.bottom, inner.width, dots(0.22, dpi))
    bars = Box(inner.x, role.bottom + dots(0.1, dpi), inner.width, dots(0.75, dpi))
    badge_id = Box(inner.x, bars.bottom + dots(0.05, dpi), inner.width, dots(0.28, dpi))
    role_word = "Supervisor" if inspector.role is Role.SUPERVISOR else "Inspector"
    return [
        Rule(Box(card.x, card.y, card.width, line), role="cut"),
        Rule(Box(card.x, card.bottom - line, card.width, line), role="cut"),
        Rule(Box(card.x, card.y + line, line, card.height - 2 * line), role="cut"),
        Rule(Box(card.right - line, card.y + line, line, card.height - 2 * line), role="cut"),
        fit_text(name, inspector.name, role="name", bold=True),
        fit_text(role, role_word, role="role"),
        place_bars(
            bars,
            inspector.id,
            encode,
            dpi=dpi,
            largest_mm=_MODULE_MM,
            role="barcode",
            where="a badge",
        ),
        fit_text(badge_id, inspector.id, role="badge_id", bold=True, align="center"),
    ]
