"""A layout as SVG: the bars and rules as rectangles, the lines as text in Helvetica.

The SVG is sized in inches with one user unit per dot, so it prints at the label's size;
its text is sized by Helvetica's metrics (reportlab's), which Arial shares, so a line
fits its box in the viewers that stand Arial in for Helvetica.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from bench.layout import Bars, Box, Layout, Text, baseline
from drivers.labels.fit import fitted_size, helvetica, line_x

_ANCHORS = {"left": "start", "center": "middle", "right": "end"}


def svg_text(layout: Layout) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_inches(layout.width, layout.dpi)}" '
        f'height="{_inches(layout.height, layout.dpi)}" '
        f'viewBox="0 0 {layout.width} {layout.height}">',
        f'<rect width="{layout.width}" height="{layout.height}" fill="#fff"/>',
        '<g fill="#000" font-family="Helvetica, Arial, sans-serif">',
    ]
    for element in layout.elements:
        if isinstance(element, Text):
            lines.append(_text(element))
        else:
            boxes = element.bar_boxes() if isinstance(element, Bars) else [element.box]
            lines += [_rect(box) for box in boxes]
    lines += ["</g>", "</svg>", ""]
    return "\n".join(lines)


def _inches(dots: int, dpi: int) -> str:
    return f"{dots / dpi:.4g}in"


def _rect(box: Box) -> str:
    return f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}"/>'


def _text(text: Text) -> str:
    size = fitted_size(text, helvetica)
    x = line_x(text, 0)
    weight = ' font-weight="bold"' if text.bold else ""
    anchor = _ANCHORS[text.align]
    return (
        f'<text x="{x:g}" y="{baseline(text):g}" font-size="{size}"{weight} '
        f'text-anchor="{anchor}">{escape(text.text)}</text>'
    )
