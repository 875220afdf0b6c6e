"""`python -m benchmarks`: every benchmark, each in a process of its own, into RESULTS.md.

Each benchmark module exposes `figures(quick: bool = False) -> list[Figure]`. The runner
imports each by name in a fresh interpreter (so no benchmark's heap, imports or threads
are in another's figures), collects the figures it hands back as JSON and writes one table:
each figure, its yardstick measured in the same run, their ratio, the raw samples' median
and spread, the target and whether it is met. A module that cannot be imported, has no
`figures()` or fails is named in the file and on stderr, and the run exits 1: a figure is
never left out quietly.

Usage: python -m benchmarks [--quick] [--only startup,inputs] [--output benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.metadata
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.figures import Figure

# Every benchmark, in the order RESULTS.md lists them.
MODULES = (
    "startup",
    "steps",
    "scan_latency",
    "pauses",
    "inputs",
    "push",
    "pull",
    "supervisor",
    "pin_guess",
)
RESULTS = Path(__file__).parent / "RESULTS.md"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@dataclasses.dataclass
class Outcome:
    """What one benchmark's process handed back: its figures, or why there are none."""

    module: str
    figures: list[Figure]
    problem: str = ""
    seconds: float = 0.0


def run_one(module: str, quick: bool) -> None:
    """In the benchmark's own process: import it, take its figures, print them as JSON."""
    benchmark = importlib.import_module(f"benchmarks.{module}")
    take = getattr(benchmark, "figures", None)
    if take is None:
        raise SystemExit(f"benchmarks.{module} has no figures(quick) function")
    figures: list[Figure] = take(quick=quick)
    if not figures or not all(isinstance(figure, Figure) for figure in figures):
        raise SystemExit(f"benchmarks.{module}.figures() handed back no Figure: {figures!r}")
    print(json.dumps([dataclasses.asdict(figure) for figure in figures]))


def measure(module: str, quick: bool) -> Outcome:
    began = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks", "--one", module, *(["--quick"] if quick else [])]
    print(f"-- benchmarks.{module}{' (quick)' if quick else ''}", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    sys.stderr.write(done.stderr)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return Outcome(module, [], f"failed, exit status {done.returncode}: {last}", seconds)
    try:
        rows = json.loads(done.stdout.strip().splitlines()[-1])
        figures = [Figure(**{**row, "samples": tuple(row["samples"])}) for row in rows]
    except (IndexError, ValueError, TypeError) as error:
        return Outcome(module, [], f"handed back no figures ({error})", seconds)
    return Outcome(module, figures, "", seconds)


# -- the machine ------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def postgresql_version() -> str:
    url = os.environ.get("BENCH_TEST_PG_URL", PG_DEFAULT)
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"
    except Exception as error:  # the table says so rather than leaving the line out
        return f"not reached ({type(error).__name__})"


def machine() -> list[tuple[str, str]]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        ("CPU", cpu_model()),
        ("cores", f"{os.cpu_count()} ({usable} usable)"),
        ("load average at the start", load),
        ("Python", platform.python_version()),
        ("Textual", importlib.metadata.version("textual")),
        ("SQLAlchemy", importlib.metadata.version("sqlalchemy")),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgresql_version()),
        ("system", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


# -- RESULTS.md -------------------------------------------------------------------------


def number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def verdict(figure: Figure) -> str:
    if figure.met is None:
        return "(no target)"
    return "met" if figure.met else "**missed**"


def row(module: str, figure: Figure) -> str:
    low, high = figure.spread
    ratio = f"{figure.ratio:.2f}x" if figure.ratio is not None else ""
    yardstick = (
        f"{figure.yardstick}: {number(figure.yardstick_value)}" if figure.yardstick else ""
    ).rstrip(": ")
    cells = [
        module,
        figure.name + (f" ({figure.note})" if figure.note else ""),
        f"{number(figure.value)} {figure.unit}",
        yardstick,
        ratio,
        f"{number(figure.median)} ({number(low)} to {number(high)}), n={len(figure.samples)}",
        figure.target,
        verdict(figure),
    ]
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


def results_text(outcomes: list[Outcome], described: list[tuple[str, str]], quick: bool) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks" + (" --quick`: a smoke run" if quick else "`") + ", "
        "every benchmark in a process of its own, one after the other.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {what} | {value} |" for what, value in described),
        "",
        "| benchmark | figure | value | yardstick (same run) | ratio | samples: median "
        "(min to max) | target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [row(o.module, figure) for o in outcomes for figure in o.figures]
    missing = [o for o in outcomes if o.problem]
    if missing:
        lines += ["", "## Not measured", ""]
        lines += [f"- `benchmarks.{o.module}`: {o.problem}" for o in missing]
    took = ", ".join(f"{o.module} {o.seconds:.0f} s" for o in outcomes)
    lines += ["", f"Run time: {took}.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="a smaller run, for a smoke test")
    parser.add_argument("--only", default="", help="comma-separated modules (default: all)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.quick)
        return 0
    modules = [m for m in args.only.split(",") if m] or list(MODULES)
    described = machine()  # before the runs: the load they find
    outcomes = [measure(module, args.quick) for module in modules]
    args.output.write_text(results_text(outcomes, described, args.quick))
    print(args.output.read_text())
    failed = [o.module for o in outcomes if o.problem]
    if failed:
        print(f"NOT MEASURED: {', '.join(failed)} (see {args.output})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
