"""Labels and sheets drawn as PNG, SVG and PDF, and read back with a barcode decoder.

Every barcode is decoded from the rendered image (zxing-cpp) at the layout's own dpi and
classified as a scan (`bench.scans.classify`): the label's code must come back as its
item, the command sheet's as its commands, a badge as its inspector. The PNG is also
checked to draw nothing outside the layout's boxes, and one SVG per size is kept as a
snapshot (`--snapshot-update` after a deliberate change; open the SVG to look at it).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import get_args

import pytest
from PIL import Image, ImageChops, ImageDraw
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from bench.commands import Command
from bench.config import LABEL_DPIS, Paper
from bench.domain import Disposition, Inspector, Role
from bench.labels import LABEL_SIZES, LabelSize, disposition_layout
from bench.layout import Layout, Text
from bench.scans import ScanKind, classify
from bench.sheets import badge_sheet, command_sheet
from drivers.labels import (
    FORMATS,
    LabelFormat,
    code128,
    format_of,
    rendered,
    write_label,
    write_pages,
)
from drivers.labels.png import png_image
from tests.support.barcodes import (
    decode,
    pdf_pages,
    pdf_text,
    png_pages,
    sample_label,
    svg_page,
)

SIZES = [pytest.param(size, id=name) for name, size in LABEL_SIZES.items()]
PAPERS = get_args(Paper)
CREW = [
    Inspector("EMP-0001", "Ana Ruiz", Role.INSPECTOR),
    Inspector("EMP-0042", "Chidi Okafor", Role.SUPERVISOR),
    Inspector("EMP-1234567", "Zoë Ångström-Nakamura", Role.INSPECTOR),
]


def drawn(pages: list[Layout], format: LabelFormat) -> list[Image.Image]:
    """The pages as the format draws them, rasterised at the layout's dpi."""
    contents = rendered(pages, format)
    if format == "pdf":
        (document,) = contents
        return pdf_pages(document, pages[0].dpi)
    if format == "svg":
        return [svg_page(content.decode("utf-8")) for content in contents]
    return png_pages(contents)


class SVGSnapshot(SingleFileSnapshotExtension):
    _file_extension = "svg"
    _write_mode = WriteMode.TEXT


class TestDispositionLabels:
    @pytest.mark.parametrize("format", FORMATS)
    @pytest.mark.parametrize("dpi", LABEL_DPIS)
    @pytest.mark.parametrize("size", SIZES)
    def test_the_label_scans_back_as_its_item(
        self, size: LabelSize, dpi: int, format: LabelFormat
    ) -> None:
        layout = disposition_layout(sample_label(), size, dpi, code128)
        (page,) = drawn([layout], format)
        # PDFium rounds a page's pixels up: a dot more is the same page.
        assert layout.width <= page.width <= layout.width + 1
        assert layout.height <= page.height <= layout.height + 1
        (code,) = decode(page)
        scanned = classify(code)
        assert (scanned.kind, scanned.value) == (ScanKind.ITEM_ID, "TI-000123-01")

    @pytest.mark.parametrize("disposition", list(Disposition))
    @pytest.mark.parametrize("size", SIZES)
    def test_nothing_is_drawn_outside_the_layouts_boxes(
        self, size: LabelSize, disposition: Disposition
    ) -> None:
        layout = disposition_layout(sample_label(disposition), size, 203, code128)
        ink = ImageChops.invert(png_image(layout))
        allowed = Image.new("L", ink.size, 0)
        draw = ImageDraw.Draw(allowed)
        for element in layout.elements:
            box = element.box
            draw.rectangle((box.x, box.y, box.right - 1, box.bottom - 1), fill=255)
        outside = ImageChops.multiply(ink, ImageChops.invert(allowed))
        assert outside.getbbox() is None, f"ink outside every box at {outside.getbbox()}"
        assert ink.getbbox() is not None  # and something was drawn

    def test_a_label_holds_its_words_in_every_format(self) -> None:
        layout = disposition_layout(sample_label(), LABEL_SIZES["4x6"], 203, code128)
        lines = [e.text for e in layout.elements if isinstance(e, Text)]
        svg = rendered([layout], "svg")[0].decode("utf-8")
        pdf = pdf_text(rendered([layout], "pdf")[0])
        for line in lines:
            assert f">{line}</text>" in svg
            assert line in pdf

    @pytest.mark.parametrize("name", list(LABEL_SIZES))
    def test_the_svg_is_as_drawn(self, name: str, snapshot: SnapshotAssertion) -> None:
        layout = disposition_layout(sample_label(), LABEL_SIZES[name], 203, code128)
        svg = rendered([layout], "svg")[0].decode("utf-8")
        assert svg == snapshot(extension_class=SVGSnapshot)

    def test_the_same_label_renders_to_the_same_bytes(self) -> None:
        """A reprint is the same file: no dates or random ids in the PDF."""
        layout = disposition_layout(sample_label(), LABEL_SIZES["2x1"], 203, code128)
        for format in FORMATS:
            assert rendered([layout], format) == rendered([layout], format), format

    def test_a_png_says_its_dpi(self) -> None:
        layout = disposition_layout(sample_label(), LABEL_SIZES["2x1"], 300, code128)
        image = Image.open(io.BytesIO(rendered([layout], "png")[0]))
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


class TestSheets:
    @pytest.mark.parametrize("format", FORMATS)
    @pytest.mark.parametrize("paper", PAPERS)
    def test_every_command_code_scans_back_as_its_command(
        self, paper: Paper, format: LabelFormat
    ) -> None:
        pages = drawn(command_sheet(paper, code128), format)
        assert len(pages) == 3
        commands = [classify(code).command for page in pages for code in decode(page)]
        assert sorted(c for c in commands if c) == sorted(Command)
        assert len(commands) == len(Command)

    @pytest.mark.parametrize("format", FORMATS)
    def test_every_badge_scans_back_as_its_inspector(self, format: LabelFormat) -> None:
        (page,) = drawn(badge_sheet(CREW, "letter", code128), format)
        scanned = [classify(code) for code in decode(page)]
        assert {(s.kind, s.value) for s in scanned} == {
            (ScanKind.BADGE, inspector.id) for inspector in CREW
        }


class TestFiles:
    def test_a_sheet_of_three_pages_is_one_pdf_or_three_pngs(self, tmp_path: Path) -> None:
        pages = command_sheet("letter", code128)
        assert write_pages(pages, tmp_path / "commands.pdf") == [tmp_path / "commands.pdf"]
        pngs = write_pages(pages, tmp_path / "commands.png")
        assert pngs == [tmp_path / f"commands-{n}.png" for n in (1, 2, 3)]
        assert all(Image.open(path).size == (2550, 3300) for path in pngs)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "commands-1.png",
            "commands-2.png",
            "commands-3.png",
            "commands.pdf",
        ]  # nothing written aside is left behind

    @pytest.mark.parametrize("format", FORMATS)
    def test_write_label_puts_one_label_into_a_folder(
        self, tmp_path: Path, format: LabelFormat
    ) -> None:
        """What the `file` printer does with each label."""
        layout = disposition_layout(sample_label(), LABEL_SIZES["4x6"], 203, code128)
        folder = tmp_path / "labels" / "out"
        written = write_label(layout, folder, "TI-000123-01", format)
        assert written == folder / f"TI-000123-01.{format}"
        assert written.read_bytes() == rendered([layout], format)[0]
        assert [p.name for p in folder.iterdir()] == [written.name]

    def test_the_ending_names_the_format(self) -> None:
        assert format_of(Path("sheet.PDF")) == "pdf"
        assert format_of(Path("a/b.svg")) == "svg"
        with pytest.raises(ValueError, match=r"sheet\.jpg does not end in \.png, \.svg, \.pdf"):
            format_of(Path("sheet.jpg"))
