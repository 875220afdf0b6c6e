"""`python -m benchmarks`: one table of every figure, and a loud failure for a missing one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import MODULES


def run_benchmarks(output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output), *args],
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip


def rows_of(text: str) -> dict[str, list[list[str]]]:
    """The results table's rows, by benchmark module."""
    rows: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0] in MODULES:
            rows.setdefault(cells[0], []).append(cells)
    return rows


def test_a_benchmark_that_cannot_be_measured_is_named_and_fails_the_run(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    done = run_benchmarks(output, "--only", "pin_guess,no_such_benchmark")
    assert done.returncode == 1
    text = output.read_text()
    assert "`benchmarks.no_such_benchmark`: failed" in text
    assert "No module named 'benchmarks.no_such_benchmark'" in text
    assert "NOT MEASURED: no_such_benchmark" in done.stderr
    assert len(rows_of(text)["pin_guess"]) == 1  # what could be measured still is


@pytest.mark.slow
def test_the_quick_run_writes_a_measured_row_for_every_benchmark(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    done = run_benchmarks(output)
    text = output.read_text()
    assert done.returncode == 0, text + done.stderr[-3000:]
    rows = rows_of(text)
    assert sorted(rows) == sorted(MODULES)
    for module, cells_of in rows.items():
        for cells in cells_of:
            value, samples = cells[2], cells[5]
            assert re.match(r"^-?[\d,.]+ ", value), (module, cells)
            assert re.search(r"n=[1-9]", samples), (module, cells)
    for what in ("CPU", "cores", "Python", "Textual", "SQLite", "PostgreSQL", "date"):
        assert f"| {what} |" in text
