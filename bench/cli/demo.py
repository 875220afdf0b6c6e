"""The demo warehouse in a central database: `bench demo`, `bench seed` and the tests use it."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench.cli.common import progress_bar
from bench.demo_data import DemoDataset
from bench.pins import hash_pin


def seed_central(
    url: str,
    dataset: DemoDataset,
    step: Callable[[str], None] | None = None,
    rows: Callable[[int, int], None] | None = None,
) -> None:
    """Create the central schema at `url` and write the demo data set into it."""
    from store.central import central_engine, init_central, write_demo_data

    init_central(url, progress=step)
    engine = central_engine(url)
    try:
        inspectors = [(i, hash_pin(dataset.pins[i.id])) for i in dataset.inspectors]
        write_demo_data(
            engine, dataset.programs, dataset.catalog, dataset.requests, inspectors, rows
        )
    finally:
        engine.dispose()


def seed_with_progress(url: str, dataset: DemoDataset) -> None:
    """`seed_central`, with each step and a bar of rows written on stderr."""
    seed_central(
        url,
        dataset,
        step=lambda step: print(f"  {step}", file=sys.stderr),
        rows=progress_bar("Writing demo data"),
    )
