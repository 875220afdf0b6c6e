"""Inputs for a typical accepted item: every scan and key press from the package label to
the saved outcome, counted as the real app is driven through the scripted flow
(`tests.support.inputs.typical_accepted_item`, the one tests/ui/test_app.py checks): a
trade-up request's listed device with its serial declared, accepted.

Usage: python -m benchmarks.inputs
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from benchmarks.figures import Figure, NotMeasured
from tests.support.inputs import typical_accepted_item
from tests.support.station import seeded_station

TARGET = 8


def figures(quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-inputs-") as name:
        given, saved = asyncio.run(typical_accepted_item(seeded_station(Path(name))))
    if not saved:
        raise NotMeasured("the scripted item was never saved: its inputs do not count")
    return [
        Figure.of(
            "inputs for a typical accepted item (package label to saved outcome)",
            len(given),
            "inputs",
            [len(given)],
            f"≤ {TARGET}",
            len(given) <= TARGET,
            note=" ".join(given),
        )
    ]


def main() -> None:
    [figure] = figures()
    verdict = "met" if figure.met else "MISSED"
    print(f"{figure.name}: {figure.value:.0f} ({figure.note}); target {figure.target}: {verdict}")


if __name__ == "__main__":
    main()
