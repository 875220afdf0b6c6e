"""Layouts as the pages of one PDF, with reportlab: bars and rules filled, text in
Helvetica, each page the layout's size at its dpi."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.pdfgen.canvas import Canvas

from bench.layout import Bars, Box, Layout, Text, baseline
from drivers.labels.fit import fitted_size, helvetica, helvetica_name, line_x

_BAR_TRIM = 0.05
"""Dots off each side of a bar. A rasteriser that rounds a bar's edges outwards (PDFium,
a printer's) would otherwise grow every 2-dot bar at 203 dpi by a dot, and it would not
scan; a twentieth of a dot keeps its edges on the right pixels."""


def pdf_bytes(pages: Sequence[Layout], title: str = "bench") -> bytes:
    out = io.BytesIO()
    # invariant: no creation date or random id in the file, so the same pages give the
    # same bytes (a reprint is the same document).
    canvas = Canvas(out, invariant=True)
    canvas.setTitle(title)
    canvas.setCreator("bench")
    for page in pages:
        _page(canvas, page)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _page(canvas: Canvas, page: Layout) -> None:
    scale = 72 / page.dpi  # points per dot
    canvas.setPageSize((page.width * scale, page.height * scale))

    def fill(box: Box, trim: float = 0.0) -> None:
        canvas.rect(
            (box.x + trim) * scale,
            (page.height - box.bottom) * scale,
            (box.width - 2 * trim) * scale,
            box.height * scale,
            stroke=0,
            fill=1,
        )

    for element in page.elements:
        if isinstance(element, Text):
            size = fitted_size(element, helvetica)
            canvas.setFont(helvetica_name(element.bold), size * scale)
            width = helvetica(element.text, size, element.bold)
            canvas.drawString(
                line_x(element, width) * scale,
                (page.height - baseline(element)) * scale,
                element.text,
            )
        elif isinstance(element, Bars):
            for box in element.bar_boxes():
                fill(box, _BAR_TRIM)
        else:
            fill(element.box)
