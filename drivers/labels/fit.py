"""Text sizes as a renderer's own font measures them: what keeps a line inside its box."""

from __future__ import annotations

from collections.abc import Callable

from bench.layout import Text

Measure = Callable[[str, int, bool], float]
"""(text, size in dots, bold) -> its width in dots in the renderer's font."""


def fitted_size(text: Text, measure: Measure) -> int:
    """The layout's size, or smaller until the line fits its box in this font."""
    size = text.size
    while size > 1 and measure(text.text, size, text.bold) > text.box.width:
        size -= 1
    return size


def line_x(text: Text, width: float) -> float:
    """Where a line `width` dots wide starts, by the layout's alignment."""
    if text.align == "center":
        return text.box.x + (text.box.width - width) / 2
    if text.align == "right":
        return text.box.right - width
    return text.box.x


def helvetica(text: str, size: int, bold: bool) -> float:
    """Width in Helvetica (SVG and PDF; Arial, its stand-in in viewers, has its metrics)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, helvetica_name(bold), size))


def helvetica_name(bold: bool) -> str:
    return "Helvetica-Bold" if bold else "Helvetica"
