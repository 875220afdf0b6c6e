"""The disposition label's layout and the sheets' pages: every element inside its surface,
none overlapping, what each label size carries, and the boxes themselves as a snapshot."""

from __future__ import annotations

import itertools
from typing import get_args

import pytest
from syrupy.assertion import SnapshotAssertion

from bench.commands import Command
from bench.config import LABEL_DPIS, Paper
from bench.domain import Disposition, Inspector, Role
from bench.labels import LABEL_SIZES, DispositionLabel, LabelSize, disposition_layout
from bench.layout import (
    BASELINE,
    LINE,
    Bars,
    Box,
    Element,
    Layout,
    LayoutError,
    Text,
    baseline,
    fit_text,
    smallest_module,
    text_width,
)
from bench.sheets import COMMAND_GROUPS, badge_sheet, command_groups, command_sheet
from drivers.labels import code128
from tests.support.barcodes import PRINTED_AT, sample_label

SIZES = [pytest.param(size, id=name) for name, size in LABEL_SIZES.items()]
DPIS = [pytest.param(dpi, id=f"{dpi}dpi") for dpi in LABEL_DPIS]
PAPERS = get_args(Paper)
EVERY_FIELD = {
    "disposition",
    "barcode",
    "item_id",
    "model",
    "grade",
    "value",
    "station",
    "inspector",
    "printed",
}
CREW = [
    Inspector(f"EMP-{n:04d}", name, Role.SUPERVISOR if n == 3 else Role.INSPECTOR)
    for n, name in enumerate(
        [
            "Ana Ruiz",
            "Bo Li",
            "Chidi Okafor",
            "Dana Smith",
            "Eve",
            "Femi Adeyemi",
            "Gus",
            "Hana Sato",
            "Ines Alves",
        ],
        start=1,
    )
]


def assert_well_placed(layout: Layout) -> None:
    """Every element inside the surface, no two overlapping, every line within its box."""
    for element in layout.elements:
        assert element.box.inside(layout.width, layout.height), element
        assert element.box.width > 0 and element.box.height > 0, element
        if isinstance(element, Text):
            assert element.size * LINE <= element.box.height + 1, element
            assert text_width(element.text, element.size, bold=element.bold) <= element.box.width
        if isinstance(element, Bars):
            assert element.module >= smallest_module(layout.dpi), element
            assert element.symbol_width + 20 * element.module <= element.box.width, element
    for one, other in itertools.combinations(layout.elements, 2):
        assert not one.box.overlaps(other.box), (one, other)


def roles(layout: Layout) -> set[str]:
    return {element.role for element in layout.elements}


def only_text(layout: Layout, role: str) -> Text:
    (found,) = layout.with_role(role)
    assert isinstance(found, Text)
    return found


class TestDispositionLabel:
    @pytest.mark.parametrize("dpi", DPIS)
    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("disposition", list(Disposition))
    def test_every_element_is_inside_and_none_overlaps(
        self, size: LabelSize, dpi: int, disposition: Disposition
    ) -> None:
        layout = disposition_layout(sample_label(disposition), size, dpi, code128)
        assert (layout.width, layout.height) == (size.width_in * dpi, size.height_in * dpi)
        assert_well_placed(layout)
        assert only_text(layout, "disposition").text == disposition.value.upper()
        (bars,) = layout.with_role("barcode")
        assert isinstance(bars, Bars)
        assert bars.data == "TI-000123-01"
        assert bars.pattern == code128("TI-000123-01")

    @pytest.mark.parametrize("name", ["4x6", "4x3"])
    def test_the_larger_labels_carry_every_field(self, name: str) -> None:
        layout = disposition_layout(sample_label(), LABEL_SIZES[name], 203, code128)
        assert roles(layout) >= EVERY_FIELD
        shown = {role: only_text(layout, role).text for role in EVERY_FIELD - {"barcode"}}
        assert shown == {
            "disposition": "REFURBISH",
            "item_id": "TI-000123-01",
            "model": "Amazfit GTR 2",
            "grade": "B",
            "value": "$19.20",
            "station": "B-07",
            "inspector": "EMP-0042 Ana Ruiz",
            "printed": "2026-11-29 10:30 PST",  # in the site's zone, as given
        }

    def test_the_2x1_label_keeps_what_routes_the_device(self) -> None:
        layout = disposition_layout(sample_label(), LABEL_SIZES["2x1"], 203, code128)
        assert roles(layout) == {"disposition", "barcode", "item_id", "value", "model"}
        assert only_text(layout, "value").text == "Grade B · $19.20"
        ungraded = disposition_layout(sample_label(grade=None), LABEL_SIZES["2x1"], 203, code128)
        assert only_text(ungraded, "value").text == "$19.20"

    def test_a_label_without_a_grade_says_so(self) -> None:
        layout = disposition_layout(sample_label(grade=None), LABEL_SIZES["4x6"], 203, code128)
        assert only_text(layout, "grade").text == "not graded"

    def test_the_field_names_stand_on_their_values_baseline(self) -> None:
        layout = disposition_layout(sample_label(), LABEL_SIZES["4x6"], 203, code128)
        for field in ("model", "grade", "value", "station", "inspector", "printed"):
            name, value = only_text(layout, f"{field}_name"), only_text(layout, field)
            assert name.size <= value.size
            assert abs(baseline(name) - baseline(value)) <= 1, field

    def test_the_barcode_module_is_as_wide_as_fits_and_never_below_the_minimum(self) -> None:
        modules = {
            (name, dpi): next(
                e
                for e in disposition_layout(sample_label(), size, dpi, code128).elements
                if isinstance(e, Bars)
            ).module
            for name, size in LABEL_SIZES.items()
            for dpi in LABEL_DPIS
        }
        # 0.5 mm on the larger labels; on 2x1 in the id's 156 modules take what room there is.
        assert modules == {
            ("4x6", 203): 4,
            ("4x6", 300): 6,
            ("4x6", 600): 12,
            ("4x3", 203): 4,
            ("4x3", 300): 6,
            ("4x3", 600): 12,
            ("2x1", 203): 2,
            ("2x1", 300): 3,
            ("2x1", 600): 6,
        }

    def test_a_long_model_name_is_cut_with_an_ellipsis_not_drawn_outside(self) -> None:
        long = "Amazfit GTR 2 Classic Stainless Steel Edition with Extra Long Strap " * 2
        for size in LABEL_SIZES.values():
            layout = disposition_layout(sample_label(model_name=long), size, 203, code128)
            assert_well_placed(layout)
            model = only_text(layout, "model")
            assert model.text.endswith("…")
            assert long.startswith(model.text[:-1].rstrip())

    def test_invisible_characters_from_central_print_as_escapes(self) -> None:
        label = sample_label(model_name="Pan\u200bv2\x1b[31m")
        layout = disposition_layout(label, LABEL_SIZES["4x6"], 203, code128)
        assert only_text(layout, "model").text == "Pan\\u200bv2\\x1b[31m"

    def test_an_item_id_too_long_for_the_label_is_a_clear_error(self) -> None:
        label = sample_label(item_id="TI-000000000000123-01")
        with pytest.raises(
            LayoutError,
            match=r"TI-000000000000123-01 is too long for a 2x1 in "
            r"label at 203 dpi.*wider labels or a printer with more dpi",
        ):
            disposition_layout(label, LABEL_SIZES["2x1"], 203, code128)
        assert_well_placed(disposition_layout(label, LABEL_SIZES["4x6"], 203, code128))

    def test_printed_at_must_carry_its_time_zone(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            DispositionLabel(
                "TI-000123-01",
                Disposition.HOLD,
                "Pan v2",
                None,
                0,
                "B-07",
                "EMP-0001",
                None,
                PRINTED_AT.replace(tzinfo=None),
            )

    @pytest.mark.parametrize("name", list(LABEL_SIZES))
    def test_the_boxes_are_as_laid_out(self, name: str, snapshot: SnapshotAssertion) -> None:
        """The layout itself, element by element: a change to it shows here first."""
        layout = disposition_layout(sample_label(), LABEL_SIZES[name], 203, code128)
        assert [_described(element) for element in layout.elements] == snapshot


def _described(element: Element) -> str:
    box = element.box
    where = f"at {box.x},{box.y} {box.width}x{box.height}"
    if isinstance(element, Text):
        style = f"size {element.size}{' bold' if element.bold else ''} {element.align}"
        return f"{element.role}: text {element.text!r} {style} {where}"
    if isinstance(element, Bars):
        return f"{element.role}: bars {element.data!r} module {element.module} {where}"
    return f"{element.role}: rule {where}"


class TestText:
    def test_a_line_takes_the_height_of_its_box_when_it_fits(self) -> None:
        line = fit_text(Box(0, 0, 1000, 50), "B-07", role="station")
        assert line.size == 40
        assert baseline(line) == (50 - 40) / 2 + BASELINE * 40

    def test_a_long_line_gets_smaller_before_it_is_cut(self) -> None:
        box = Box(0, 0, 350, 50)  # room for text of 40 dots
        smaller = fit_text(box, "EMP-0042 Ana Ruiz", role="inspector")
        assert smaller.text == "EMP-0042 Ana Ruiz"
        assert 24 <= smaller.size < 40
        assert text_width(smaller.text, smaller.size) <= 350 < text_width(smaller.text, 40)
        cut = fit_text(box, "EMP-0042 Ana Ruiz " * 5, role="inspector")
        assert cut.size == 24  # SMALLEST of 40: smaller would not be read
        assert cut.text.endswith("…")
        assert text_width(cut.text, 24) <= 350


class TestSheets:
    def test_every_command_is_on_the_sheet_once_in_its_group(self) -> None:
        listed = [command for _, commands in command_groups() for command in commands]
        assert sorted(listed) == sorted(Command)
        assert command_groups() == list(COMMAND_GROUPS)  # nothing left over for "More"

    @pytest.mark.parametrize("paper", PAPERS)
    def test_the_command_sheet_takes_three_pages_and_carries_every_code(self, paper: Paper) -> None:
        pages = command_sheet(paper, code128)
        assert len(pages) == 3
        for page in pages:
            assert_well_placed(page)
        codes = [e.data for page in pages for e in page.elements if isinstance(e, Bars)]
        assert codes == [command.code for _, group in COMMAND_GROUPS for command in group]
        meanings = [e.text for page in pages for e in page.with_role("meaning")]
        assert meanings == [command.label for _, group in COMMAND_GROUPS for command in group]

    def test_command_codes_are_wide_enough_to_scan_at_arms_length(self) -> None:
        bars = [
            e
            for page in command_sheet("letter", code128)
            for e in page.elements
            if isinstance(e, Bars)
        ]
        assert {e.module for e in bars} == {6}  # 0.51 mm, 20 mil, at 300 dpi
        assert min(e.box.height for e in bars) >= 150  # half an inch

    @pytest.mark.parametrize("paper", PAPERS)
    def test_badges_are_cards_eight_to_a_page(self, paper: Paper) -> None:
        pages = badge_sheet(CREW, paper, code128)
        assert len(pages) == 2
        for page in pages:
            assert_well_placed(page)
        names = [e.text for page in pages for e in page.with_role("name")]
        assert names == [inspector.name for inspector in CREW]
        per_page = [len(page.with_role("barcode")) for page in pages]
        assert per_page == [8, 1]
        assert [e.text for e in pages[0].with_role("role")][2] == "Supervisor"
