"""The disposition label a device leaves the bench with, laid out for each label size.

After the inspection the device goes where its label says (refurbish, recycle, return to
the customer, hold for a supervisor), and whoever handles it next scans the label's
barcode to find its item. So the disposition and the barcode come first at every size.

- 4x6 and 4x3 in carry everything: the disposition in large letters, a rule, the Code 128
  barcode of the item id with the id under it, then the model, grade, value, station,
  inspector and when the label was printed.
- 2x1 in carries what the next hands need to route the device: the disposition, the
  barcode, the item id with its grade and value, and the model. The station, inspector
  and time are one scan away, on the item's inspection.

Which of the two a size gets is decided from its room (`_fits_everything`), so a new size
in `bench.config.LabelSizeName` needs only its inches below. The layout is `bench.layout`'s
elements; the renderers in `drivers.labels` draw it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, get_args

from bench.config import LabelSizeName
from bench.domain import Disposition, FinishedInspection, Grade
from bench.layout import (
    LINE,
    Box,
    Element,
    Encoder,
    Layout,
    Rule,
    baseline,
    dots,
    fit_on_baseline,
    fit_text,
    place_bars,
)
from bench.money import dollars

SECOND_GRADING = "SECOND GRADING"
BLIND = "after grading"
"""In place of the grade and value on a label of an inspection graded again, blind."""


@dataclass(frozen=True)
class LabelSize:
    name: LabelSizeName
    width_in: float
    height_in: float


LABEL_SIZES: Final[Mapping[LabelSizeName, LabelSize]] = {
    "4x6": LabelSize("4x6", 4.0, 6.0),
    "4x3": LabelSize("4x3", 4.0, 3.0),
    "2x1": LabelSize("2x1", 2.0, 1.0),
}
assert set(LABEL_SIZES) == set(get_args(LabelSizeName)), "a configurable size without inches"


@dataclass(frozen=True)
class DispositionLabel:
    """What the label of one inspected device says. `printed_at` is in the site's time
    zone (it is printed as it is); `inspector_name` is None when the replica lacks it."""

    item_id: str
    disposition: Disposition
    model_name: str
    grade: Grade | None
    value_cents: int
    station_id: str
    inspector_id: str
    inspector_name: str | None
    printed_at: datetime
    second_grading: bool = False
    """Picked for a blind second grading: the label sends the device to the second-grading
    shelf and keeps the first grade and value off it, for the second grader not to see."""

    def __post_init__(self) -> None:
        if self.printed_at.utcoffset() is None:
            raise ValueError("DispositionLabel.printed_at must be timezone-aware")

    @classmethod
    def of(
        cls,
        inspection: FinishedInspection,
        *,
        model_name: str,
        inspector_name: str | None,
        printed_at: datetime,
        second_grading: bool = False,
    ) -> DispositionLabel:
        """The label of a confirmed inspection."""
        started = inspection.started
        return cls(
            item_id=started.request_item_id,
            disposition=inspection.decision.disposition,
            model_name=model_name,
            grade=inspection.grade,
            value_cents=inspection.decision.final_cents,
            station_id=started.station_id,
            inspector_id=started.inspector_id,
            inspector_name=inspector_name,
            printed_at=printed_at,
            second_grading=second_grading,
        )

    @property
    def headline(self) -> str:
        return SECOND_GRADING if self.second_grading else self.disposition.value.upper()

    @property
    def value_text(self) -> str:
        return BLIND if self.second_grading else dollars(self.value_cents)

    @property
    def inspector(self) -> str:
        return f"{self.inspector_id} {self.inspector_name or ''}".strip()

    @property
    def printed(self) -> str:
        return f"{self.printed_at:%Y-%m-%d %H:%M} {self.printed_at.tzname() or ''}".strip()

    @property
    def grade_text(self) -> str:
        if self.second_grading:
            return BLIND
        return self.grade.value if self.grade else "not graded"


_BARS_IN, _FIELD_IN = 1.0, 0.34
# Heights in inches, before they are scaled to the label's height. Gaps are `None` rows.
_FULL_ROWS: Final = (
    ("disposition", 0.9),
    (None, 0.06),
    ("rule", 0.03),
    (None, 0.12),
    ("barcode", _BARS_IN),
    (None, 0.03),
    ("item_id", 0.3),
    (None, 0.14),
    *(("fields", _FIELD_IN) for _ in range(6)),
)
_COMPACT_ROWS: Final = (
    ("disposition", 0.3),
    (None, 0.03),
    ("barcode", 0.33),
    (None, 0.02),
    ("item_id", 0.14),
    (None, 0.01),
    ("model", 0.13),
)
_SMALLEST_FIELD_IN = 0.17  # a field's box: text of 0.135 in (about 10 pt)
_SHORTEST_BARS_IN = 0.5
_LARGEST_MODULE_MM = 0.5  # wider bars only make the symbol long, not easier to read
_FIELD_NAMES: Final = ("Model", "Grade", "Value", "Station", "Inspector", "Printed")


def disposition_layout(
    label: DispositionLabel, size: LabelSize, dpi: int, encode: Encoder
) -> Layout:
    """The label laid out on `size` at `dpi`; LayoutError if its barcode cannot fit."""
    width, height = dots(size.width_in, dpi), dots(size.height_in, dpi)
    margin = dots(min(0.1, size.height_in * 0.05), dpi)
    inner = Box(margin, margin, width - 2 * margin, height - 2 * margin)
    full = _fits_everything(inner.height / dpi)
    stacked = _rows(_FULL_ROWS if full else _COMPACT_ROWS, inner)
    row = {name: boxes[0] for name, boxes in stacked.items()}
    headline = fit_text(
        row["disposition"], label.headline, role="disposition", bold=True, align="center"
    )
    bars = place_bars(
        row["barcode"],
        label.item_id,
        encode,
        dpi=dpi,
        largest_mm=_LARGEST_MODULE_MM,
        reach=margin,
        role="barcode",
        where=f"a {size.name} in label at {dpi} dpi",
    )
    elements: list[Element]
    if full:
        elements = [
            headline,
            Rule(row["rule"], role="rule"),
            bars,
            fit_text(row["item_id"], label.item_id, role="item_id", bold=True, align="center"),
            *_fields(label, stacked["fields"], dpi),
        ]
    else:
        id_box, value_box = _split(row["item_id"], 0.5, gap=dots(0.05, dpi))
        summary = label.value_text
        if label.grade and not label.second_grading:
            summary = f"Grade {label.grade.value} · {summary}"
        elements = [
            headline,
            bars,
            fit_text(id_box, label.item_id, role="item_id", bold=True),
            fit_text(value_box, summary, role="value", bold=True, align="right"),
            fit_text(row["model"], label.model_name, role="model", align="center"),
        ]
    return Layout(width, height, dpi, tuple(elements))


def _fits_everything(inner_in: float) -> bool:
    """Whether every field gets legible text and the barcode a comfortable height."""
    scale = inner_in / sum(height for _, height in _FULL_ROWS)
    return _FIELD_IN * scale >= _SMALLEST_FIELD_IN and _BARS_IN * scale >= _SHORTEST_BARS_IN


def _rows(plan: tuple[tuple[str | None, float], ...], inner: Box) -> dict[str, list[Box]]:
    """The plan's rows stacked down `inner`, scaled to fill its height. Whole dots, rounded
    down, so rows of one height stay alike and the last one ends inside."""
    scale = inner.height / sum(height for _, height in plan)
    boxes: dict[str, list[Box]] = {}
    y = inner.y
    for name, height in plan:
        dots_high = math.floor(height * scale)
        if name is not None:
            boxes.setdefault(name, []).append(Box(inner.x, y, inner.width, dots_high))
        y += dots_high
    return boxes


def _split(box: Box, share: float, *, gap: int) -> tuple[Box, Box]:
    """`box` cut into a left part of `share` of it and a right part, `gap` dots apart."""
    left = round((box.width - gap) * share)
    return (
        Box(box.x, box.y, left, box.height),
        Box(box.x + left + gap, box.y, box.width - left - gap, box.height),
    )


def _fields(label: DispositionLabel, rows: list[Box], dpi: int) -> list[Element]:
    """One row per field: its name on the left, small, and its value, bold."""
    values = (
        label.model_name,
        label.grade_text,
        label.value_text,
        label.station_id,
        label.inspector,
        label.printed,
    )
    elements: list[Element] = []
    for row, name, value in zip(rows, _FIELD_NAMES, values, strict=True):
        name_box, value_box = _split(row, 0.28, gap=dots(0.05, dpi))
        shown_value = fit_text(value_box, value, role=name.lower(), bold=True)
        # The name is smaller than the value and stands on its baseline.
        small = min(round(row.height / LINE * 0.7), shown_value.size)
        shown_name = fit_on_baseline(
            name_box.x,
            name_box.width,
            baseline(shown_value),
            name,
            size=small,
            role=f"{name.lower()}_name",
        )
        elements += [shown_name, shown_value]
    return elements
