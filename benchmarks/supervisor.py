"""The supervisor's figures over a year of a big site: 5,000,000 inspections at central.

200 stations and 2,000 inspectors on two shifts a day (06:00-22:00 UTC) for the year up to
now, written by generate_series in PostgreSQL itself; requests of three items, one item in
a thousand never inspected (its request left open; the portal closed every other one as
inspected), one request in 10,000 received with nothing inspected, 5% holds (some past
the ship window), 12% revisions due a week after, conflicts and a reopened (superseded)
item now and then. The schema is made by the real migrations: up to 0006 before the load,
then 0007 on (the supervisor's indexes, the stuck list's of 0011 and 0014) on the full
table, timed. Then each figure a screen shows is read several times (median and spread,
with the indexes its plan used; the stuck list with no window, page 1 and page 11, read
as the Stuck tab reads it: after the key of the 500th line), and the whole year's `bench
report throughput` is run as a supervisor would.

Targets: each screen's data < 200 ms, the year's report < 10 s.

Usage: python -m benchmarks.supervisor [--quick]   (--quick: 100,000 inspections, for a
smoke test; BENCH_BENCH_INSPECTIONS sets the count; BENCH_BENCH_KEEP_DATABASE=NAME keeps
the loaded database to time again; drop it after)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bench.cli import main as bench_main
from bench.supervision import SupervisionSettings
from benchmarks._pg import DEFAULT, scratch_database
from benchmarks.figures import Figure
from store.central import central_engine, init_central, normalise_url
from store.central.supervision import CentralFigures
from store.migrate import alembic_config
from tests.support.explain import indexes_used

KEEP = os.environ.get("BENCH_BENCH_KEEP_DATABASE")
INSPECTIONS = int(os.environ.get("BENCH_BENCH_INSPECTIONS", "5000000"))
QUICK_INSPECTIONS = 100_000
STATIONS, INSPECTORS = 200, 2000
RUNS, QUICK_RUNS = 7, 3
SCREEN_TARGET_S, REPORT_TARGET_S = 0.2, 10.0
SETTINGS = SupervisionSettings(
    time_zone=ZoneInfo("America/New_York"),
    country="US",
    subdivision=None,
    heartbeat_stale_after=timedelta(minutes=5),
)

# Inspection g (1..:n) is of item g + (g-1)/999: every thousandth item is skipped, so its
# request waits with an uninspected item. Items are the 3 of request (item-1)/3 + 1.
LOAD = """
INSERT INTO programs (code, name, kind, max_items, max_age_years, ship_window_days,
                      quote_valid_days, revise_response_working_days,
                      ineligible_disposition, value_cap_cents)
VALUES ('WYZE-UP', 'Trade-up', 'trade_up', 1, 4, 14, 14, 5, 'recycle', NULL),
       ('WYZE-CREDIT', 'Trade-in credit', 'trade_in_credit', 10, 4, 14, 14, 5, 'recycle', NULL),
       ('AMAZFIT', 'Graded', 'graded', 1, 4, 14, 14, 5, 'return', 5500);

INSERT INTO requests (id, program_code, customer_ref, created_at, shipping_cost_cents, status)
SELECT 'TI-' || lpad(r::text, 7, '0'),
       (ARRAY['WYZE-UP', 'WYZE-CREDIT', 'AMAZFIT'])[1 + r % 3],
       'C' || r, :start + ((r * 3 - 1) / :per_day) * interval '1 day' - interval '5 days',
       959,
       -- the portal closes a request once every item of it is inspected
       CASE WHEN (r * 3) / 1000 > (r * 3 - 3) / 1000 OR r * 3 > :last_inspected
            THEN 'received' ELSE 'inspected' END
FROM generate_series(1, :requests) AS r;

-- Received, says the portal, and no bench inspected any of it: one in 10,000, over the year.
INSERT INTO requests (id, program_code, customer_ref, created_at, shipping_cost_cents, status,
                      updated_at)
SELECT 'TI-' || lpad((:requests + u)::text, 7, '0'), 'WYZE-UP', 'C' || (:requests + u),
       :start + (u * 365 / :untouched) * interval '1 day', 959, 'received',
       :start + (u * 365 / :untouched) * interval '1 day' + interval '2 days'
FROM generate_series(1, :untouched) AS u;
INSERT INTO request_items (id, request_id, sku, declared_condition, offer_cents, quoted_at)
SELECT id || '-01', id, 'WYZE-PAN-V2', 'good', 1500, created_at
FROM requests WHERE id > 'TI-' || lpad(CAST(:requests AS text), 7, '0');

INSERT INTO request_items (id, request_id, sku, declared_condition, offer_cents, quoted_at)
SELECT 'TI-' || lpad(((i - 1) / 3 + 1)::text, 7, '0') || '-0' || ((i - 1) % 3 + 1),
       'TI-' || lpad(((i - 1) / 3 + 1)::text, 7, '0'),
       'WYZE-PAN-V2', 'good', 1500, :start
FROM generate_series(1, :items) AS i;

INSERT INTO inspections (id, request_item_id, station_id, inspector_id, started_at,
                         finished_at, scanned_code, identified_sku, answers, outcome,
                         reason_codes, final_cents, disposition, wiped, received_at,
                         response_due_on)
SELECT md5(g::text)::uuid,
       'TI-' || lpad(((item - 1) / 3 + 1)::text, 7, '0') || '-0' || ((item - 1) % 3 + 1),
       'B-' || lpad((g % :stations)::text, 3, '0'),
       'EMP-' || lpad(((g / 7) % :inspectors)::text, 4, '0'),
       finished - taken, finished, 'SN' || g, 'WYZE-PAN-V2', '[]', outcome,
       CASE outcome WHEN 'hold' THEN CASE WHEN g % 5 = 0 THEN ARRAY['arrived_late']
                                          ELSE ARRAY['serial_mismatch'] END
                    WHEN 'revise' THEN ARRAY['condition_differs']
                    WHEN 'reject' THEN ARRAY['too_old'] ELSE ARRAY[]::text[] END,
       CASE outcome WHEN 'accept' THEN 1500 WHEN 'revise' THEN 1344 ELSE 0 END,
       CASE outcome WHEN 'accept' THEN 'refurbish' WHEN 'revise' THEN 'refurbish'
                    WHEN 'reject' THEN 'recycle' ELSE 'hold' END,
       false, finished,
       CASE WHEN outcome = 'revise' THEN CAST(finished AS date) + 7 END
FROM (
    SELECT g, g + (g - 1) / 999 AS item,
           -- the day's inspections spread over its two shifts, 06:00 to 22:00
           :start + ((g - 1) / :per_day) * interval '1 day' + interval '6 hours'
               + ((g - 1) % :per_day) * (interval '16 hours' / :per_day) AS finished,
           (40 + (g * 7919) % 600) * interval '1 second' AS taken,
           CASE WHEN g % 100 < 70 THEN 'accept' WHEN g % 100 < 82 THEN 'revise'
                WHEN g % 100 < 95 THEN 'reject' ELSE 'hold' END AS outcome
    FROM generate_series(1, CAST(:n AS bigint)) AS g
) AS made;

-- A supervisor reopened one hold in a hundred: a later inspection supersedes it.
INSERT INTO inspections (id, request_item_id, station_id, inspector_id, started_at,
                         finished_at, scanned_code, identified_sku, answers, outcome,
                         reason_codes, final_cents, disposition, wiped, received_at,
                         supersedes)
SELECT gen_random_uuid(), request_item_id, station_id, 'EMP-SUP', finished_at + interval '1 day',
       finished_at + interval '1 day 2 minutes', scanned_code, identified_sku, '[]', 'accept',
       ARRAY[]::text[], 1500, 'refurbish', false, now(), id
FROM inspections WHERE outcome = 'hold' AND scanned_code LIKE '%00';

-- Two benches inspected one item: one item in ten thousand, flagged as the push flags it.
INSERT INTO inspections (id, request_item_id, station_id, inspector_id, started_at,
                         finished_at, scanned_code, identified_sku, answers, outcome,
                         reason_codes, final_cents, disposition, wiped, received_at)
SELECT gen_random_uuid(), request_item_id, 'B-999', inspector_id, started_at, finished_at,
       scanned_code, identified_sku, '[]', 'accept', ARRAY[]::text[], 1500, 'refurbish', false,
       now()
FROM inspections WHERE scanned_code LIKE '%0000' AND supersedes IS NULL;
INSERT INTO item_conflicts (request_item_id, detected_at, inspections)
SELECT request_item_id, max(finished_at), count(*) FROM inspections
WHERE scanned_code LIKE '%0000' GROUP BY request_item_id HAVING count(*) > 1;

INSERT INTO station_heartbeats (station_id, last_seen, queue_depth, app_version)
SELECT 'B-' || lpad(s::text, 3, '0'), now() - (s % 10) * interval '1 minute', s % 4, '0.1.0'
FROM generate_series(0, :stations - 1) AS s;
"""


def load(url: str, start: datetime, inspections: int) -> dict[str, float]:
    """Make the schema up to 0006, fill it, then apply 0007 on on the full table: timed.
    (An engine of its own: central_engine's statement timeout is for benches, not bulk
    loads.)"""
    timings: dict[str, float] = {}
    per_day = -(-inspections // 365)
    items = inspections + (inspections - 1) // 999 + 1
    values: dict[str, Any] = {
        "start": start, "n": inspections, "per_day": per_day, "items": items,
        "requests": -(-items // 3), "stations": STATIONS, "inspectors": INSPECTORS,
        "last_inspected": inspections + (inspections - 1) // 999,
        "untouched": max(1, inspections // 10_000),
    }  # fmt: skip
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config("central", conn), "0006")
        began = time.perf_counter()
        with engine.begin() as conn:
            for statement in LOAD.split(";\n"):
                if statement.strip():
                    conn.execute(text(statement), values)
        timings["load (generate_series)"] = time.perf_counter() - began
        began = time.perf_counter()
        # The migrations from 0007 on over the full table, on this engine: building 0010's
        # trigram index over 5,000,000 codes can outlast the 15 s statement timeout that
        # `bench central init` runs under, on a busy machine.
        with engine.begin() as conn:
            command.upgrade(alembic_config("central", conn), "head")
        timings["migrations 0007 to head"] = time.perf_counter() - began
        init_central(url)  # what `bench central init` does besides: the roles' grants
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return timings


@contextmanager
def database(keep: str | None) -> Iterator[tuple[str, bool]]:
    """(URL, whether it is empty): a scratch database dropped afterwards or, with
    BENCH_BENCH_KEEP_DATABASE=NAME, one kept to time again without loading it again."""
    if not keep:
        with scratch_database() as url:
            yield url, True
        return
    server = make_url(os.environ.get("BENCH_TEST_PG_URL", DEFAULT)).set(drivername="postgresql")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (keep,)).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{keep}"')
    kept = server.set(drivername="postgresql+psycopg", database=keep)
    yield kept.render_as_string(hide_password=False), found is None


def timed(read: Callable[[], object], runs: int) -> list[float]:
    read()  # warm: the first read pays for the connection and cold pages
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        read()
        times.append(time.perf_counter() - began)
    return times


def figures(quick: bool = False) -> list[Figure]:
    """Every figure, loading a scratch database first (or reusing a kept one)."""
    inspections, runs = (QUICK_INSPECTIONS, QUICK_RUNS) if quick else (INSPECTIONS, RUNS)
    now = datetime.now(UTC).replace(microsecond=0)
    start = (now - timedelta(days=365)).replace(hour=0, minute=0, second=0)
    site = f"{inspections:,} inspections"
    measured: list[Figure] = []
    with database(None if quick else KEEP) as (url, empty):
        if empty:
            for step, seconds in load(url, start, inspections).items():
                measured.append(
                    Figure.of(f"supervisor set-up, {site}: {step}", seconds, "s", [seconds],
                              "none (set-up, for the record)", None)
                )  # fmt: skip
        engine = central_engine(url)
        try:
            measured.extend(_timed_figures(engine, url, site, now, start, runs))
        finally:
            engine.dispose()
    return measured


def _timed_figures(
    engine: Engine, url: str, site: str, now: datetime, start: datetime, runs: int
) -> list[Figure]:
    today = now.astimezone(SETTINGS.time_zone).date()
    figures = CentralFigures(engine, SETTINGS)
    shift, day = now - timedelta(hours=8), now - timedelta(days=1)
    week = now - timedelta(days=7)
    # Page 11 as the Stuck tab reads it: after the key of the 500th line, the last shown.
    tenth = figures.stuck(now, limit=500).rows[-1].key
    screens: dict[str, Callable[[], object]] = {
        "throughput, the last 8 hours": lambda: figures.throughput(shift, now),
        "hourly counts, the last 24 hours": lambda: figures.hourly(day, now),
        "stations": lambda: figures.stations(now),
        "stuck, everything still stuck, page 1": lambda: figures.stuck(now),
        "stuck, everything still stuck, page 11": lambda: figures.stuck(now, after=tenth),
        "quotes, first page of 50": lambda: figures.quotes(today),
        "settlements, first page": lambda: figures.settlements(),
        "settlements ready, first page": lambda: figures.settlements("ready"),
        "settlements on hold, first page": lambda: figures.settlements("on_hold"),
    }
    # Wider windows a screen could offer, timed for the record, not held to 200 ms.
    wider: dict[str, Callable[[], object]] = {
        "throughput, the last 7 days": lambda: figures.throughput(week, now),
    }
    measured = []
    for name, read in (screens | wider).items():
        ms = [t * 1000 for t in timed(read, runs)]
        with indexes_used(engine) as plans:
            read()
        used = ", ".join(sorted(set().union(*plans))) or "no index"
        median = statistics.median(ms)
        target, met = ("< 200 ms", median < SCREEN_TARGET_S * 1000) if name in screens else (
            "none (a wider window, for the record)", None)  # fmt: skip
        measured.append(
            Figure.of(f"supervisor screen data, {site}: {name}", median, "ms", ms, target, met,
                      note=f"indexes: {used}")
        )  # fmt: skip
    # Not a screen's: everything stuck over the whole year, as `bench report stuck`.
    began = time.perf_counter()
    everything = figures.stuck(now, limit=None)
    took = time.perf_counter() - began
    measured.append(
        Figure.of(f"supervisor, {site}: stuck over the whole year, every line", took, "s",
                  [took], "none (for the record)", None, note=f"{len(everything.rows):,} lines")
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "year.csv"
        argv = ["report", "throughput", "--since", start.isoformat(),
                "--until", now.isoformat(), "--url", url, "-o", str(out)]  # fmt: skip
        began = time.perf_counter()
        code = bench_main(argv)
        year = time.perf_counter() - began
        if code != 0:
            raise RuntimeError(f"bench report throughput exited {code}")
        rows = len(out.read_text().splitlines()) - 1
    measured.append(
        Figure.of(f"supervisor, {site}: the year's bench report throughput", year, "s", [year],
                  "< 10 s", year < REPORT_TARGET_S, note=f"{rows:,} rows")
    )  # fmt: skip
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 inspections, 3 reads each")
    args = parser.parse_args()
    print(f"{STATIONS} stations, {INSPECTORS:,} inspectors, a year; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    for figure in figures(args.quick):
        low, high = figure.spread
        verdict = "" if figure.met is None else f"  target {figure.target}: " + (
            "met" if figure.met else "NOT met")  # fmt: skip
        print(f"{figure.name}: {figure.value:,.1f} {figure.unit} ({low:,.1f} to {high:,.1f})"
              f"{verdict}  {figure.note}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
