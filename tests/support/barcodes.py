"""Barcodes read back from rendered labels and sheets with a real decoder (zxing-cpp), and
the labels the tests print.

PNGs are decoded as they are; PDF pages are rasterised by PDFium at the layout's dpi;
SVGs are rasterised here from their rectangles (the bench's SVGs draw every bar as a
`<rect>`, and no SVG rasteriser installs from PyPI without system libraries).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2
import zxingcpp
from PIL import Image, ImageDraw

from bench.domain import Disposition, Grade
from bench.labels import DispositionLabel

SVG = "{http://www.w3.org/2000/svg}"


def decode(image: Image.Image) -> list[str]:
    """Every Code 128 symbol zxing-cpp finds in the image, left to right, top to bottom."""
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.Code128)
    placed = sorted(found, key=lambda hit: (hit.position.top_left.y // 50, hit.position.top_left.x))
    return [hit.text for hit in placed]


def png_pages(contents: list[bytes]) -> list[Image.Image]:
    return [Image.open(io.BytesIO(content)) for content in contents]


def pdf_pages(content: bytes, dpi: int) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def pdf_text(content: bytes) -> str:
    """The text of every page, as PDFium reads it back."""
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def svg_page(text: str) -> Image.Image:
    """The SVG's rectangles drawn black on white at one pixel per user unit (its dots)."""
    root = ET.fromstring(text)
    _, _, width, height = (int(v) for v in root.attrib["viewBox"].split())
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("fill") == "#fff":
            continue  # the background
        x, y = int(rect.attrib["x"]), int(rect.attrib["y"])
        w, h = int(rect.attrib["width"]), int(rect.attrib["height"])
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
    return image


def pages_of(path: Path, dpi: int) -> list[Image.Image]:
    """The pages of a file the bench wrote, as images, by its ending."""
    content = path.read_bytes()
    if path.suffix == ".pdf":
        return pdf_pages(content, dpi)
    if path.suffix == ".svg":
        return [svg_page(content.decode("utf-8"))]
    return png_pages([content])


PRINTED_AT = datetime(2026, 11, 29, 10, 30, tzinfo=ZoneInfo("America/Los_Angeles"))


def sample_label(
    disposition: Disposition = Disposition.REFURBISH,
    *,
    item_id: str = "TI-000123-01",
    model_name: str = "Amazfit GTR 2",
    grade: Grade | None = Grade.B,
) -> DispositionLabel:
    return DispositionLabel(
        item_id=item_id,
        disposition=disposition,
        model_name=model_name,
        grade=grade,
        value_cents=1920,
        station_id="B-07",
        inspector_id="EMP-0042",
        inspector_name="Ana Ruiz",
        printed_at=PRINTED_AT,
    )
