"""A measured figure, as every benchmark hands it to `python -m benchmarks` for RESULTS.md.

A benchmark never makes a figure up: `Figure.of` refuses an empty sample, so a run that
measured nothing fails loudly instead of printing a number.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


class NotMeasured(RuntimeError):
    """A benchmark was asked for a figure it has no samples for."""


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of raw samples."""
    if not samples:
        raise NotMeasured("no samples")
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class Figure:
    """One line of RESULTS.md: what was measured, against what, and whether it meets its target.

    `value` is the figure the target is about (a median, a p99, a ratio...); `samples` are the
    raw measurements it came from, so their median and spread can be printed beside it.
    `yardstick` names what the same run measured to compare against (a bare Textual app, COPY
    of the same rows...), `ratio` is value / yardstick where that means something.
    """

    name: str
    value: float
    unit: str
    samples: tuple[float, ...]
    target: str
    met: bool | None
    yardstick: str = ""
    yardstick_value: float | None = None
    note: str = ""

    @classmethod
    def of(
        cls,
        name: str,
        value: float,
        unit: str,
        samples: Sequence[float],
        target: str,
        met: bool | None,
        yardstick: str = "",
        yardstick_value: float | None = None,
        note: str = "",
    ) -> Figure:
        if not samples:
            raise NotMeasured(f"{name}: no samples were measured")
        return cls(name, value, unit, tuple(samples), target, met, yardstick, yardstick_value, note)

    @property
    def ratio(self) -> float | None:
        if self.yardstick_value in (None, 0):
            return None
        return self.value / self.yardstick_value

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.samples), max(self.samples)
