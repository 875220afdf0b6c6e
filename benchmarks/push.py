"""Push throughput: 100,000 queued inspections from a station's outbox to PostgreSQL.

Side by side, in one run, on the same rows:
  bench   the sync engine's push (batches of 500, idempotent on the UUID, marked sent)
  naive   an ORM loop that adds and commits one row at a time (on a sample: it is slow)
  copy    PostgreSQL COPY of the same rows into the same table: the practical ceiling

Usage: python benchmarks/push.py [--rows 100000] [--naive-rows 5000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from bench import __version__
from bench.evidence import INSPECTION, Entry, following
from benchmarks._pg import scratch_database
from store import rows as row_shapes
from store.central import CentralInspection, central_engine, init_central
from store.local import LocalStore, evidence, outbox_table
from store.local import inspection_table as local_inspections
from store.local.schema import evidence_table
from store.sync import SyncEngine
from store.sync.pgcopy import central_row, copy_row, copy_rows
from tests.support.inspections import finished


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


def payloads(count: int) -> list[dict[str, Any]]:
    return [
        central_row(row_shapes.inspection_payload(d, d.answers))
        for d in map(finished, range(count))
    ]


def bench_push(url: str, count: int, batch: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        local = LocalStore.open(Path(folder) / "station.db")
        queue(local, count)
        engine = SyncEngine(local, url, "B-07", app_version=__version__, batch_size=batch)
        engine.engine.dispose()  # connect outside the timing
        with engine.engine.connect():
            pass
        started = time.perf_counter()
        report = engine.push()
        elapsed = time.perf_counter() - started
        assert report.sent == count and local.queued_count() == 0, report
        engine.close()
        local.close()
    return elapsed


def bench_naive(url: str, count: int, batch: int) -> float:
    engine = central_engine(url)
    values = payloads(count)
    started = time.perf_counter()
    with Session(engine) as session:
        for value in values:
            session.add(CentralInspection(**value))
            session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def bench_copy(url: str, count: int, batch: int) -> float:
    """One COPY of every row, with the same code the push uses for a batch; turning the
    outbox payloads into rows is part of the work, as it is for the push."""
    outbox = [row_shapes.inspection_payload(d, d.answers) for d in map(finished, range(count))]
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            copy_rows(cursor, "inspections", [copy_row(payload) for payload in outbox])
        conn.commit()
        return time.perf_counter() - started


def clear(url: str) -> None:
    engine = central_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE inspections, item_conflicts, evidence_chain"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=500, help="the push's batch size")
    args = parser.parse_args()
    with scratch_database() as url:
        init_central(url)
        results = {}
        for name, run, count in (
            ("bench push", bench_push, args.rows),
            ("naive ORM loop", bench_naive, args.naive_rows),
            ("COPY", bench_copy, args.rows),
        ):
            clear(url)
            seconds = run(url, count, args.batch)
            results[name] = count / seconds
            print(
                f"{name:<16} {count:>8,} rows in {seconds:7.2f} s = {count / seconds:>9,.0f} rows/s"
            )
        ours = results["bench push"]
        print(f"bench push is {ours / results['naive ORM loop']:.1f}x the naive loop "
              f"and {ours / results['COPY']:.0%} of COPY")  # fmt: skip


if __name__ == "__main__":
    main()
