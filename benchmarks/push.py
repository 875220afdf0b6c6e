"""Push throughput: 100,000 queued inspections from a station's outbox to PostgreSQL.

Side by side, in one run, on the same rows, alternated over several runs:
  bench   the sync engine's push: each payload checked against its evidence chain entry,
          the inspections and then their chain entries sent, idempotent, marked sent
  copy    PostgreSQL COPY of the same rows (the inspections, then their chain entries) into
          the same tables with the same COPY code the push uses: the practical ceiling
  copy of the inspections alone, as before the chain: for the record
  naive   an ORM loop that adds and commits one inspection at a time (on a sample: slow)

Rates are inspections per second. The target is the push at 0.8x COPY of the same rows or
better in every run. Beside each rate, how busy the run kept the machine (both cores' time
not idle, from /proc/stat) and this process's CPU time: a push that keeps both cores busy is
bound by the work it does, not by waiting on central or the disk.

Usage: python -m benchmarks.push [--rows 100000] [--naive-rows 5000] [--runs 3]
(or BENCH_BENCH_PUSH_ROWS, BENCH_BENCH_PUSH_RUNS)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from bench import __version__
from bench.evidence import INSPECTION, Entry, following
from benchmarks._pg import scratch_database
from benchmarks.figures import Figure
from store import rows as row_shapes
from store.central import CentralInspection, central_engine, init_central
from store.local import LocalStore, evidence, outbox_table
from store.local import inspection_table as local_inspections
from store.local.schema import evidence_table
from store.sync import SyncEngine
from store.sync import evidence as central_evidence
from store.sync.pgcopy import central_row, copy_row, copy_rows
from tests.support.inspections import finished

ROWS = int(os.environ.get("BENCH_BENCH_PUSH_ROWS", "100000"))
RUNS = int(os.environ.get("BENCH_BENCH_PUSH_RUNS", "3"))
NAIVE_ROWS = 5_000
COPY_TARGET, NAIVE_TARGET = 0.8, 20.0

Result = TypeVar("Result")


@dataclass(frozen=True)
class Run:
    """One timed run: its seconds, the share of both cores' time not idle meanwhile, and the
    CPU seconds of this process (every thread of it) meanwhile."""

    seconds: float
    machine_busy: float
    process_cpu: float

    @classmethod
    def of(cls, timed: Callable[[], Result]) -> tuple[Run, Result]:
        """`timed` called and measured, with what it returned."""
        cores, idle = _cpu_ticks()
        own = _process_cpu()
        started = time.perf_counter()
        result = timed()
        seconds = time.perf_counter() - started
        now_cores, now_idle = _cpu_ticks()
        busy = 1 - (now_idle - idle) / max(1, now_cores - cores)
        return cls(seconds, busy, _process_cpu() - own), result


def _cpu_ticks() -> tuple[int, int]:
    """All CPU time of the machine so far and the idle part of it (waiting on the disk
    counts as idle), in clock ticks, from the first line of /proc/stat."""
    with open("/proc/stat") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]


def _process_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def queue(local: LocalStore, count: int) -> None:
    """Fill the outbox fast (setup, not measured): one transaction, the real payloads."""
    made = [finished(n) for n in range(count)]
    now = datetime.now().astimezone()
    last: Entry | None = None
    with local.engine.begin() as conn:
        for start in range(0, count, 5000):
            chunk = made[start : start + 5000]
            conn.execute(
                insert(local_inspections),
                [
                    {
                        "id": d.started.id, "request_item_id": d.started.request_item_id,
                        "station_id": d.started.station_id, "inspector_id": d.started.inspector_id,
                        "started_at": d.started.started_at, "finished_at": d.finished_at,
                        "status": "finished", "scanned_code": d.started.scanned_code,
                        "identified_sku": d.started.identified_sku, "grade": None,
                        "outcome": d.decision.outcome.value,
                        "reason_codes": [r.value for r in d.decision.reasons],
                        "final_cents": d.decision.final_cents,
                        "disposition": d.decision.disposition.value, "wiped": d.wiped,
                    }
                    for d in chunk
                ],
            )  # fmt: skip
            payloads = [row_shapes.inspection_payload(d, d.answers) for d in chunk]
            conn.execute(
                insert(outbox_table),
                [
                    {"inspection_id": d.started.id, "payload": payload, "created_at": now}
                    for d, payload in zip(chunk, payloads, strict=True)
                ],
            )
            # Each chained as `finish_inspection` does, or the push would refuse it.
            entries = []
            for d, payload in zip(chunk, payloads, strict=True):
                last = following(last, d.started.station_id, INSPECTION, d.started.id, payload)
                entries.append(evidence.row_of(last))
            conn.execute(insert(evidence_table), entries)


def outbox(count: int) -> list[dict[str, Any]]:
    return [row_shapes.inspection_payload(d, d.answers) for d in map(finished, range(count))]


def bench_push(url: str, count: int) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        local = LocalStore.open(Path(folder) / "station.db")
        queue(local, count)
        engine = SyncEngine(local, url, "B-07", app_version=__version__)
        engine.engine.dispose()  # connect outside the timing
        with engine.engine.connect():
            pass
        run, report = Run.of(engine.push)
        assert report.sent == count and local.queued_count() == 0, report
        with engine.engine.connect() as conn:
            chained = conn.execute(text("SELECT count(*) FROM evidence_chain")).scalar_one()
        assert chained == count, f"{chained} chain entries at central, {count} pushed"
        engine.close()
        local.close()
    return run


def bench_naive(url: str, count: int) -> float:
    engine = central_engine(url)
    values = [central_row(payload) for payload in outbox(count)]
    started = time.perf_counter()
    with Session(engine) as session:
        for value in values:
            session.add(CentralInspection(**value))
            session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def bench_copy(url: str, count: int, chain: bool = True) -> Run:
    """One COPY of every inspection and, with `chain`, one of every chain entry, in one
    transaction, with the COPY code the push uses; turning the outbox payloads into rows is
    part of the work, as it is for the push."""
    payloads = outbox(count)
    last: Entry | None = None
    entries: list[tuple[Entry, str | None]] = []
    for payload in payloads:
        last = following(last, "B-07", INSPECTION, payload["id"], payload)
        entries.append((last, None))
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:

        def copy() -> None:
            with conn.cursor() as cursor:
                copy_rows(cursor, "inspections", [copy_row(payload) for payload in payloads])
                if chain:
                    central_evidence.copy_entries(cursor, "evidence_chain", entries)
            conn.commit()

        run, _ = Run.of(copy)
        return run


def clear(url: str) -> None:
    engine = central_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE inspections, item_conflicts, evidence_chain"))
    engine.dispose()


def _runs(url: str, count: int, runs: int) -> dict[str, list[Run]]:
    """Each way's runs, alternated run by run so load hits all alike."""
    ways: dict[str, Callable[[], Run]] = {
        "push": lambda: bench_push(url, count),
        "copy": lambda: bench_copy(url, count),
        "copy alone": lambda: bench_copy(url, count, chain=False),
    }
    done: dict[str, list[Run]] = {name: [] for name in ways}
    for _ in range(runs):
        for name, run in ways.items():
            clear(url)
            done[name].append(run())
    return done


def _busy(runs: list[Run]) -> str:
    """Runs' median share of the machine kept busy, and of this process's CPU time."""
    busy = statistics.median(run.machine_busy for run in runs)
    cpu = statistics.median(run.process_cpu / run.seconds for run in runs)
    return f"{busy:.0%} of both cores busy, this process {cpu:.1f} CPU-s a second"


def figures(
    quick: bool = False, *, rows: int = ROWS, runs: int = RUNS, naive_rows: int = NAIVE_ROWS
) -> list[Figure]:
    count, runs, naive = (5_000, 2, 200) if quick else (rows, runs, naive_rows)
    with scratch_database() as url:
        init_central(url)
        done = _runs(url, count, runs)
        clear(url)
        naive_rate = naive / bench_naive(url, naive)
    push, copy, alone = (
        [count / run.seconds for run in done[way]] for way in ("push", "copy", "copy alone")
    )
    per_run = [p / c for p, c in zip(push, copy, strict=True)]
    ratios = ", ".join(f"{r:.2f}x" for r in per_run)
    against_alone = statistics.median(p / a for p, a in zip(push, alone, strict=True))
    name = f"sync push, {count:,} inspections and their chain entries"
    return [
        Figure.of(
            name,
            statistics.median(push),
            "inspections/s",
            push,
            f"≥ {COPY_TARGET}x COPY of the same rows in every run",
            min(per_run) >= COPY_TARGET,
            "COPY of the same rows (inspections, then chain entries)",
            statistics.median(copy),
            f"per run {ratios}; {against_alone:.2f}x COPY of the inspections alone "
            f"({statistics.median(alone):,.0f}/s), which leaves the chain out; pushing, "
            f"{_busy(done['push'])}; COPY, {_busy(done['copy'])}",
        ),
        Figure.of(
            f"{name}, against a row-by-row ORM loop",
            statistics.median(push),
            "inspections/s",
            push,
            f"≥ {NAIVE_TARGET:.0f}x the ORM loop",
            statistics.median(push) / naive_rate >= NAIVE_TARGET,
            f"ORM loop committing each row ({naive:,} rows)",
            naive_rate,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--naive-rows", type=int, default=NAIVE_ROWS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--quick", action="store_true", help="a small run, for a smoke test")
    args = parser.parse_args()
    measured = figures(args.quick, rows=args.rows, runs=args.runs, naive_rows=args.naive_rows)
    for figure in measured:
        low, high = figure.spread
        print(f"{figure.name}: {figure.value:,.0f} {figure.unit} (median of "
              f"{len(figure.samples)}, {low:,.0f} to {high:,.0f}) against {figure.yardstick} "
              f"{figure.yardstick_value:,.0f}: {figure.ratio:.2f}x; target {figure.target}: "
              f"{'met' if figure.met else 'NOT met'}")  # fmt: skip
        if figure.note:
            print(f"  {figure.note}")


if __name__ == "__main__":
    main()
