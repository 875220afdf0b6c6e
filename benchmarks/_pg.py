"""The PostgreSQL a benchmark runs against: BENCH_TEST_PG_URL, or the local server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.pgtools import scratch_database as _scratch

DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch_database() -> Iterator[str]:
    with _scratch(os.environ.get("BENCH_TEST_PG_URL", DEFAULT), prefix="bench_bench") as url:
        yield url
