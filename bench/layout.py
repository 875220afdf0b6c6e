"""What a printed label or sheet page looks like, as data that every renderer draws alike.

The disposition label, the command sheet and the badges must look the same and scan the
same whether they come out as PNG, SVG, PDF or ZPL, so the placing is done once, here, and
a renderer only draws what it is given. A `Layout` is one printable surface (a label, or
one page of a sheet): its size in dots at its dpi, and its elements. Coordinates are whole
dots, origin top left, y downwards (as ZPL's ^FO). Each element has a `Box`; boxes lie
inside the layout and never overlap (the tests check both for every label size and sheet).

The element types, for whoever writes a renderer:

- `Text`: one line, never wrapped. `size` is the font's em height in dots (ZPL ``^A0N,size``).
  The em is centred vertically in the box: `baseline(text)` is where its baseline goes
  (`BASELINE` of an em below the em's top); `align` puts the line at the box's left,
  centre or right. The layout chose `size` so the line fits the box by `text_width`, a
  generous estimate; a renderer whose font runs wider draws it smaller, on the same
  baseline, until it fits, so nothing is drawn outside the box.
- `Bars`: a Code 128 symbol. `pattern` is its modules from the renderers' encoder ("1"
  black, "0" white), `module` the dots per module. `bar_boxes()` are its black bars, each
  `module` dots per module and the box's full height, the symbol centred in the box; the
  box includes the quiet zones (`QUIET_MODULES` a side), so it may reach into the label's
  margin. `data` is the text it encodes. ZPL's ``^BY module`` ``^BC`` ``^FD data`` encodes
  the same text but picks its own code sets, so its width can differ; drawing
  `bar_boxes()` as ``^GB`` boxes gives exactly these bars.
- `Rule`: a filled black rectangle: a separator, a cut line (ZPL ``^GB w,h,min(w,h)``).

Pure Python: the layout reaches the barcode encoder only through the `Encoder` it is
given (`drivers.labels.code128`), so the core imports no imaging or barcode library.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bench.text import ELLIPSIS, shown

Encoder = Callable[[str], str]
"""Text -> its Code 128 modules ("1" black, "0" white), quiet zones left out."""

Align = Literal["left", "center", "right"]

BASELINE = 0.8
"""Where the baseline sits in the em, from its top: what renderers place text by."""

LINE = 1.25
"""A text box's height per em: room for accents above and descenders below."""

QUIET_MODULES = 10
"""White modules each side of a Code 128 symbol, as the standard asks."""

MIN_MODULE_MM = 0.19
"""The narrowest bar the bench prints (7.5 mil): what label printers and scanners take.
Never below 2 dots either: one-dot bars smear on a thermal head."""

SMALLEST = 0.6
"""A line too long for its box gets smaller down to this share of the box's size, then cut:
smaller still would not be read."""

MOST_CHARS = 200
"""No line on a label or sheet needs more: longer text from central is cut here first."""


class LayoutError(Exception):
    """Something cannot be laid out at this size; the message says what and what to do."""


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def inside(self, width: int, height: int) -> bool:
        return self.x >= 0 and self.y >= 0 and self.right <= width and self.bottom <= height


@dataclass(frozen=True)
class Text:
    box: Box
    text: str
    size: int
    bold: bool = False
    align: Align = "left"
    role: str = ""
    """What the line says on the label (`disposition`, `model`...), for tests and reprints."""


@dataclass(frozen=True)
class Bars:
    box: Box
    data: str
    pattern: str
    module: int
    role: str = ""

    @property
    def symbol_width(self) -> int:
        """Dots the bars take, quiet zones left out."""
        return len(self.pattern) * self.module

    @property
    def symbol_x(self) -> int:
        """Where the first module starts: the symbol centred in its box."""
        return self.box.x + (self.box.width - self.symbol_width) // 2

    def bar_boxes(self) -> list[Box]:
        """The black bars, each run of black modules as one box: what a renderer fills."""
        return [
            Box(
                self.symbol_x + run.start() * self.module,
                self.box.y,
                len(run.group()) * self.module,
                self.box.height,
            )
            for run in re.finditer("1+", self.pattern)
        ]


@dataclass(frozen=True)
class Rule:
    box: Box
    role: str = ""


Element = Text | Bars | Rule


@dataclass(frozen=True)
class Layout:
    """One printable surface: `width` x `height` dots at `dpi`, and what is on it."""

    width: int
    height: int
    dpi: int
    elements: tuple[Element, ...]

    def with_role(self, role: str) -> list[Element]:
        return [element for element in self.elements if element.role == role]


def dots(inches: float, dpi: int) -> int:
    return round(inches * dpi)


# -- text ----------------------------------------------------------------------------------

# Advance widths per em, a little on the wide side of Helvetica (Bold), which is the widest
# of the renderers' fonts (Aileron in PNGs, ZPL's font 0 are narrower): a line the layout
# fits seldom needs a renderer to shrink it.
_NARROW = frozenset(" iIl.,:;|!'`")
_HALF = frozenset('fjrt()[]{}-/\\"')
_WIDE = frozenset("mwMW@%")


def text_width(text: str, size: int, *, bold: bool = False) -> int:
    """About how many dots `text` takes at `size`, erring wide."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.3
        elif ch in _HALF:
            ems += 0.4
        elif ch in _WIDE:
            ems += 0.95
        elif ch.isupper():
            ems += 0.72
        else:
            ems += 0.58
    return math.ceil(ems * size * (1.03 if bold else 1.0))


def fit_text(
    box: Box,
    text: str,
    *,
    role: str,
    bold: bool = False,
    align: Align = "left",
) -> Text:
    """A line in `box`, as large as the box allows; smaller if it is too long, down to
    `SMALLEST` of that; beyond that cut, with an ellipsis. Invisible characters from
    central show as escapes (`bench.text.shown`), never as nothing."""
    text = shown(text, MOST_CHARS)
    size = max(1, math.floor(box.height / LINE))
    smallest = max(1, round(size * SMALLEST))
    while size > smallest and text_width(text, size, bold=bold) > box.width:
        size -= 1
    while len(text) > 1 and text_width(text, size, bold=bold) > box.width:
        text = text.rstrip(ELLIPSIS)[:-1].rstrip() + ELLIPSIS
    return Text(box, text, size, bold, align, role)


def baseline(text: Text) -> float:
    """Where a renderer puts the line's baseline, in dots from the top of the layout."""
    return text.box.y + (text.box.height - text.size) / 2 + BASELINE * text.size


def fit_on_baseline(
    x: int, width: int, at: float, text: str, *, size: int, role: str, bold: bool = False
) -> Text:
    """A line of at most `size` whose baseline falls at `at`: a smaller line set beside a
    larger one, on the same baseline. Smaller than `size` if it is too long for `width`."""
    while size > 1 and text_width(text, size, bold=bold) > width:
        size -= 1
    height = math.ceil(size * LINE)  # the box fit_text gives exactly `size`
    box = Box(x, round(at - BASELINE * size - (height - size) / 2), width, height)
    return fit_text(box, text, role=role, bold=bold)


# -- barcodes ------------------------------------------------------------------------------


def smallest_module(dpi: int) -> int:
    return max(2, math.ceil(MIN_MODULE_MM / 25.4 * dpi))


def place_bars(
    row: Box,
    data: str,
    encode: Encoder,
    *,
    dpi: int,
    largest_mm: float,
    reach: int = 0,
    role: str,
    where: str,
) -> Bars:
    """The symbol of `data` centred in `row`, its module as wide as fits up to
    `largest_mm`. The bars stay inside `row`; the quiet zones may reach `reach` dots further
    each side (a label's blank margin is quiet too). `where` names the surface for the
    error when even the narrowest module does not fit."""
    pattern = encode(data)
    modules = len(pattern)
    fits = min(row.width // modules, (row.width + 2 * reach) // (modules + 2 * QUIET_MODULES))
    module = min(fits, max(smallest_module(dpi), round(largest_mm / 25.4 * dpi)))
    if module < smallest_module(dpi):
        raise LayoutError(
            f"The barcode of {data} is too long for {where}: it needs "
            f"{(modules + 2 * QUIET_MODULES) * smallest_module(dpi)} dots across and the "
            f"label has {row.width + 2 * reach}. Use wider labels or a printer with more dpi."
        )
    width = (modules + 2 * QUIET_MODULES) * module
    box = Box(row.x + (row.width - width) // 2, row.y, width, row.height)
    return Bars(box, data, pattern, module, role)
