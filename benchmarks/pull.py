"""Pull: 1,000,000 requests (each with one item) from PostgreSQL into an empty replica.

Reports rows per second and the pulling process's peak memory (its own process, so the
set-up's memory does not count), over one pull or more (BENCH_BENCH_PULL_RUNS), each into
an empty replica. No target: the figures are for the record.

Usage: python -m benchmarks.pull [--requests 1000000] [--runs 1] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from benchmarks._pg import scratch_database
from benchmarks.figures import Figure
from store.central import init_central

REQUESTS = int(os.environ.get("BENCH_BENCH_PULL_REQUESTS", "1000000"))
RUNS = int(os.environ.get("BENCH_BENCH_PULL_RUNS", "1"))


def seed(url: str, requests: int) -> None:
    """Requests and items straight into central with COPY (set-up, not measured).

    Every row gets the same updated_at, as a portal's bulk import would: the hard case
    for a pull that pages by (updated_at, key)."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO programs (code, name, kind, max_items, max_age_years, ship_window_days,"
            " quote_valid_days, revise_response_working_days, ineligible_disposition,"
            " grade_percents, broken_percent, dirty_percent, age_step_percent, updated_at)"
            " VALUES ('WYZE-TC', 'Wyze Trade-In Credit', 'trade_in_credit', 10, 4, 14, 14, 5,"
            " 'recycle', '{}', 15, 85, 10, now())"
        )
        with cursor.copy(
            "COPY requests (id, program_code, customer_ref, created_at, tracking_number,"
            " shipping_cost_cents, status, updated_at) FROM STDIN"
        ) as copy:
            for n in range(requests):
                at = start + timedelta(seconds=n)
                copy.write_row((f"TI-{n:07d}", "WYZE-TC", f"C-{n}", at, f"1Z{n:016d}", 899,
                                "in_transit", start))  # fmt: skip
        with cursor.copy(
            "COPY request_items (id, request_id, sku, declared_serial, declared_condition,"
            " purchased_on, offer_cents, quoted_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(requests):
                at = start + timedelta(seconds=n)
                copy.write_row((f"TI-{n:07d}-01", f"TI-{n:07d}", "WYZE-PAN-V2-TC", f"SN{n:09d}",
                                "good", at.date(), 1200, at, start))  # fmt: skip
        conn.commit()


def pull(url: str) -> None:
    """The measured part, in its own process: print seconds, rows and peak RSS as JSON."""
    from store.central import central_engine
    from store.local import LocalStore
    from store.sync.pull import pull_all

    with tempfile.TemporaryDirectory() as folder:
        local = LocalStore.open(Path(folder) / "station.db")
        engine = central_engine(url)
        started = time.perf_counter()
        counts = pull_all(engine, local)
        seconds = time.perf_counter() - started
        engine.dispose()
        local.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": sum(counts.values()), "peak_mb": peak_mb}))


def pulled(url: str) -> dict[str, float]:
    """One pull into an empty replica, in a process of its own: seconds, rows, peak MB."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.pull", "--child", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def figures(quick: bool = False, *, requests: int = REQUESTS, runs: int = RUNS) -> list[Figure]:
    requests, runs = (20_000, 1) if quick else (requests, runs)
    with scratch_database() as url:
        init_central(url)
        print(f"seeding {requests:,} requests and items…", file=sys.stderr)
        seed(url, requests)
        results = [pulled(url) for _ in range(runs)]
    rates = [r["rows"] / r["seconds"] for r in results]
    peaks = [r["peak_mb"] for r in results]
    what = f"{int(results[0]['rows']):,} rows ({requests:,} requests + their items)"
    return [
        Figure.of(f"pull {what} into an empty replica", statistics.median(rates), "rows/s",
                  rates, "none (for the record)", None),
        Figure.of(f"peak memory of the pulling process, {what}", max(peaks), "MB", peaks,
                  "none (for the record)", None),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--quick", action="store_true", help="a small run, for a smoke test")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        pull(args.child)
        return
    for figure in figures(args.quick, requests=args.requests, runs=args.runs):
        low, high = figure.spread
        print(f"{figure.name}: {figure.value:,.0f} {figure.unit} "
              f"(of {len(figure.samples)}: {low:,.0f} to {high:,.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
