"""A layout as a grayscale PNG, one pixel per dot, with Pillow.

The text is Pillow's own font (Aileron, shipped inside Pillow), so a PNG looks the same on
every machine without fonts installed; bold is drawn with a stroke, Aileron having no bold.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from bench.layout import Bars, Box, Layout, Text, baseline
from drivers.labels.fit import fitted_size, line_x

BLACK, WHITE = 0, 255


def png_image(layout: Layout) -> Image.Image:
    image = Image.new("L", (layout.width, layout.height), WHITE)
    draw = ImageDraw.Draw(image)
    for element in layout.elements:
        if isinstance(element, Text):
            _text(draw, element)
        else:
            boxes = element.bar_boxes() if isinstance(element, Bars) else [element.box]
            for box in boxes:
                _fill(draw, box)
    return image


def png_bytes(layout: Layout) -> bytes:
    out = io.BytesIO()
    png_image(layout).save(out, "PNG", dpi=(layout.dpi, layout.dpi), optimize=True)
    return out.getvalue()


def _fill(draw: ImageDraw.ImageDraw, box: Box) -> None:
    draw.rectangle((box.x, box.y, box.right - 1, box.bottom - 1), fill=BLACK)


@lru_cache(maxsize=256)
def _font(size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size=size)
    assert isinstance(font, ImageFont.FreeTypeFont), "Pillow was built without FreeType"
    return font


def _stroke(size: int, bold: bool) -> int:
    return max(1, round(size * 0.025)) if bold else 0


def _width(text: str, size: int, bold: bool) -> float:
    return _font(size).getlength(text) + 2 * _stroke(size, bold)


def _text(draw: ImageDraw.ImageDraw, text: Text) -> None:
    size = fitted_size(text, _width)
    stroke = _stroke(size, text.bold)
    x = line_x(text, _width(text.text, size, text.bold)) + stroke
    draw.text(
        (x, baseline(text)),
        text.text,
        font=_font(size),
        fill=BLACK,
        anchor="ls",
        stroke_width=stroke,
        stroke_fill=BLACK,
    )
