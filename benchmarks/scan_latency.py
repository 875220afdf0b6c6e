"""Scan-to-screen latency: a package label scanned at home until the bench shows that
request, with 1,000,000 requests (each with one item) in the replica. Home and the request
are two views of one screen (`PackageScreen`): the request is shown in place.

One station, the real app and screens (`make_app`, headless `run_test` at 120x40), the
simulated scanner (`[scanner] kind = "simulated"`: a real pty read by the real serial
driver on its own thread), no central (LOCAL ONLY, so no sync runs), logging set up as the
CLI does. For each scan:

  t0  taken as soon as `app._scanner.scan(code)` returns: that call is one `os.write` of
      the whole frame (``TI-0123456`` + CR) to the pty master, so t0 is just after the last
      byte was written;
  t1  taken inside the app's `_display` (the one place a compositor update leaves for the
      terminal) for the first frame painted after t0 while the request view is on show,
      its title label holds the scanned id, and the painted frame itself contains the id.

"Shown" is t1: the frame with the request on it has been composed and (unless
--no-encode) turned into the escape codes a terminal would get. Headless Textual skips
that encoding, so by default this benchmark does it (`render_segments` with the app's own
console) inside the timed path; only the write to a real terminal is missing.

Between scans, not timed: Esc on the request (back to home), wait for a frame of home,
then --gap seconds of quiet. The first --warmup scans (the first visit
draws the request view) are reported apart and left out of the figures. Request ids
are drawn with a seeded RNG, never the same id twice in a row (the driver's double-read
filter would drop it). Percentiles are nearest-rank.

Each replica is measured in a fresh process (as a bench starts the app), so neither the
set-up's heap nor an earlier run's is in it. Beside the latencies it prints what the
garbage collector did: full (generation 2) collections during the run, how many landed
inside a measured scan, the latencies of the scans without one, and how many objects stay
alive per scan (counted after a full collection before and after the loop).

A control run does the same with a 1,000-request replica, to show whether replica size
matters. Set-up (not timed): the replica is written with plain executemany inserts on the
`store.local` tables in one transaction per table (--via-store: through
`LocalStore.write_replica_rows` in 50,000-row transactions, slower); the programs, catalog
and one inspector go through `LocalStore.write_replica`.

Usage: python -m benchmarks.scan_latency [--requests 1000000] [--control-requests 1000]
           [--scans 300] [--warmup 5] [--seed 7] [--gap 0.05] [--via-store] [--no-encode]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import math
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label

from bench.cli.station import station_app
from bench.config import CENTRAL_URL_ENV, Config, parse_config
from bench.demo_data import TRADE_IN_CREDIT, demo_catalog, demo_programs
from bench.domain import Inspector, Role
from bench.logs import setup_logging
from bench.pins import hash_pin
from bench.problems import Problem
from drivers.simulated import SimulatedSerialScanner
from screens.app import BenchApp
from screens.home import HomeView
from screens.messages import LoggedIn
from screens.package import PackageScreen
from screens.request import RequestView
from store.local import LocalStore, item_table, request_table

BADGE, PIN = "EMP-0001", "1234"
SKU = "WYZE-PAN-V2-TC"  # a trade-in credit model of the demo catalog
CHUNK = 50_000
SIZE = (120, 40)
TIMEOUT = 10.0  # seconds one scan may take before the run is called broken


def request_id(n: int) -> str:
    return f"TI-{n:07d}"


# -- set-up (not timed) -------------------------------------------------------------------


def fill_replica(path: Path, requests: int, via_store: bool) -> float:
    """Create the station database at `path` with `requests` requests of one item each,
    the demo programs and catalog and one inspector; return the seconds it took."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    created = now - timedelta(days=3)  # inside the 14-day ship window: no late warning
    purchased = (now - timedelta(days=400)).date()
    store = LocalStore.open(path)
    try:
        store.write_replica(
            programs=demo_programs(),
            models=demo_catalog(),
            inspectors=[(Inspector(BADGE, "Ana Inspector", Role.INSPECTOR), hash_pin(PIN))],
        )
        if via_store:
            _write_through_store(store, requests, now, created, purchased)
        else:
            _write_with_executemany(store, requests, now, created, purchased)
        counts = store.replica_counts()
        assert counts["requests"] == counts["request_items"] == requests, counts
        found = store.find_request(request_id(requests - 1))
        assert found is not None and len(found.items) == 1, found
    finally:
        store.close()
    return time.perf_counter() - started


def _request_row(n: int, now: datetime, created: datetime) -> dict[str, Any]:
    return {
        "id": request_id(n), "program_code": TRADE_IN_CREDIT, "customer_ref": f"C-{n}",
        "created_at": created, "tracking_number": f"1Z{n:016d}", "shipping_cost_cents": 899,
        "status": "in_transit", "updated_at": now,
    }  # fmt: skip


def _item_row(n: int, now: datetime, purchased: Any) -> dict[str, Any]:
    return {
        "id": f"{request_id(n)}-01", "request_id": request_id(n), "sku": SKU,
        "declared_serial": f"SN{n:09d}", "declared_condition": "good",
        "purchased_on": purchased, "offer_cents": 1200, "quoted_at": now, "updated_at": now,
    }  # fmt: skip


def _write_through_store(
    store: LocalStore, requests: int, now: datetime, created: datetime, purchased: Any
) -> None:
    for start in range(0, requests, CHUNK):
        numbers = range(start, min(requests, start + CHUNK))
        store.write_replica_rows("requests", [_request_row(n, now, created) for n in numbers])
        store.write_replica_rows("request_items", [_item_row(n, now, purchased) for n in numbers])


def _write_with_executemany(
    store: LocalStore, requests: int, now: datetime, created: datetime, purchased: Any
) -> None:
    """Plain INSERTs on the replica tables. Every timestamp is the same, so each is run
    through its column's own SQLAlchemy bind processing once: the stored text is exactly
    what the store writes and reads back."""
    dialect = store.engine.dialect

    def bound(table: Any, column: str, value: Any) -> Any:
        process = table.c[column].type.bind_processor(dialect)
        return process(value) if process else value

    def insert_sql(table: Any, columns: Sequence[str]) -> str:
        marks = ", ".join("?" * len(columns))
        return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"

    created_at = bound(request_table, "created_at", created)
    updated_at = bound(request_table, "updated_at", now)
    quoted_at = bound(item_table, "quoted_at", now)
    purchased_on = bound(item_table, "purchased_on", purchased)
    request_columns = list(_request_row(0, now, created))
    item_columns = list(_item_row(0, now, purchased))
    request_values: Iterator[tuple[Any, ...]] = (
        (request_id(n), TRADE_IN_CREDIT, f"C-{n}", created_at, f"1Z{n:016d}", 899,
         "in_transit", updated_at)
        for n in range(requests)
    )  # fmt: skip
    item_values: Iterator[tuple[Any, ...]] = (
        (f"{request_id(n)}-01", request_id(n), SKU, f"SN{n:09d}", "good", purchased_on, 1200,
         quoted_at, updated_at)
        for n in range(requests)
    )  # fmt: skip
    raw = store.engine.raw_connection()
    try:
        sqlite_connection = raw.driver_connection  # sqlite3's own: executemany takes iterators
        assert sqlite_connection is not None
        for table, columns, values in (
            (request_table, request_columns, request_values),
            (item_table, item_columns, item_values),
        ):
            sqlite_connection.execute("BEGIN IMMEDIATE")
            sqlite_connection.executemany(insert_sql(table, columns), values)
            sqlite_connection.execute("COMMIT")
    finally:
        raw.close()


def station_config(folder: Path) -> Config:
    return parse_config(
        {
            "station": {"id": "B-07"},
            "scanner": {"kind": "simulated"},
            "store": {"local_path": str(folder / "station.db"), "central_url": ""},
            "log": {"path": str(folder / "bench.log")},
        },
        base_dir=folder,
        name="benchmark settings",
    )


# -- watching frames ----------------------------------------------------------------------


def frame_text(update: RenderableType) -> str:
    """The characters a compositor update paints, line by line."""
    if isinstance(update, LayoutUpdate):
        return "\n".join("".join(strip.text for strip in line) for line in update.strips)
    if isinstance(update, ChopsUpdate):
        return "\n".join(
            "".join(strip.text for strip in chop.values() if strip is not None)
            for chop in update.chops
        )
    return ""


@dataclass
class Expected:
    """What the next frame must show to count: a view of the package screen, and for the
    request view the title it must hold and a text the painted frame must contain."""

    view: type[Widget]
    title: str | None = None
    text: str | None = None


class FrameWatch:
    """Wraps the app's `_display`, through which every frame leaves the compositor, and
    times the first frame that matches what is expected."""

    def __init__(self, app: BenchApp, encode: bool) -> None:
        self.app = app
        self.encode = encode
        self._original: Callable[[Screen[Any], RenderableType | None], None] = app._display
        self.expected: Expected | None = None
        self.shown_at = 0.0
        self.shown = asyncio.Event()
        app._display = self._display  # type: ignore[method-assign]

    def expect(self, expected: Expected) -> None:
        self.expected = expected
        self.shown.clear()

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        self._original(screen, renderable)
        if renderable is None:
            return
        if self.encode and isinstance(renderable, CompositorUpdate):
            # What the app would write to a real terminal (headless skips it).
            renderable.render_segments(self.app.console)
        now = time.perf_counter()
        expected = self.expected
        if (
            expected is None
            or not isinstance(screen, PackageScreen)
            or not isinstance(screen.view, expected.view)
        ):
            return
        if expected.title is not None:
            title = screen.query_one("#request-title", Label)
            if expected.title not in str(title.render()):
                return
        if expected.text is not None and expected.text not in frame_text(renderable):
            return
        self.expected = None
        self.shown_at = now
        self.shown.set()


class GcWatch:
    """When the garbage collector ran (gc.callbacks), to tell which scans a full
    (generation 2) collection landed in; and how many objects stay alive across the run."""

    def __init__(self) -> None:
        self.collections: list[tuple[int, float, float]] = []  # generation, start, end
        self._started = 0.0

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.collections.append((info["generation"], self._started, time.perf_counter()))

    def full_ms(self, windows: Sequence[tuple[float, float]]) -> list[float]:
        """Per window: milliseconds of full collections inside it."""
        full = [(start, end) for generation, start, end in self.collections if generation == 2]
        return [
            sum(max(0.0, min(end, t1) - max(start, t0)) for start, end in full) * 1000
            for t0, t1 in windows
        ]

    @staticmethod
    def live_objects() -> int:
        """Objects the collector tracks that are still reachable (after a full collection)."""
        gc.collect()
        return len(gc.get_objects())


# -- the measured loop --------------------------------------------------------------------


@dataclass
class Measured:
    warmup_ms: list[float]
    latencies_ms: list[float]
    full_gc_ms: list[float]
    """Per measured scan: time spent in full collections between t0 and t1."""
    full_gcs: list[float]
    """Every full collection during the measured scans and the walks home between them."""
    live_before: int
    live_after: int


@dataclass
class Run:
    requests: int
    setup_seconds: float
    measured: Measured


def pick_ids(requests: int, count: int, seed: int) -> list[str]:
    """`count` request ids drawn at random, never the same one twice in a row."""
    rng = random.Random(seed)
    picked: list[int] = []
    while len(picked) < count:
        n = rng.randrange(requests)
        if not picked or n != picked[-1] or requests == 1:
            picked.append(n)
    return [request_id(n) for n in picked]


async def wait_for(condition: Callable[[], bool], what: str, seconds: float = TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.005)


async def shown(watch: FrameWatch, what: str) -> None:
    try:
        await asyncio.wait_for(watch.shown.wait(), TIMEOUT)
    except TimeoutError:
        raise TimeoutError(f"no frame showed {what} within {TIMEOUT:.0f} s") from None


async def log_in(app: BenchApp, pilot: Pilot[None], watch: FrameWatch) -> SimulatedSerialScanner:
    """Wait for the login screen and a connected scanner, log in, wait for home."""
    await wait_for(lambda: app._session is not None, "the station to open")
    scanner = app._scanner
    assert isinstance(scanner, SimulatedSerialScanner), scanner
    await wait_for(lambda: scanner.state.connected, "the simulated scanner to connect")
    await wait_for(lambda: app.screen.is_mounted, "the login screen")
    login = app.session.login(BADGE, PIN)
    assert not isinstance(login, Problem), login
    watch.expect(Expected(HomeView))
    app.post_message(LoggedIn(login))
    await shown(watch, "the home screen")
    await pilot.pause()
    return scanner


async def measure(
    folder: Path, codes: Sequence[str], warmup: int, gap: float, encode: bool
) -> Measured:
    """Scan every code in the app; the first `warmup` scans are kept apart."""
    config = station_config(folder)
    setup_logging(config.log.path, config.log.level)
    app = station_app(config)
    latencies: list[float] = []
    windows: list[tuple[float, float]] = []
    async with app.run_test(size=SIZE) as pilot:
        watch = FrameWatch(app, encode)
        scanner = await log_in(app, pilot, watch)
        live_before = GcWatch.live_objects()
        with GcWatch() as collector:
            for code in codes:
                assert isinstance(app.screen, PackageScreen), app.screen
                assert isinstance(app.screen.view, HomeView), app.screen.view
                watch.expect(Expected(RequestView, title=code, text=code))
                scanner.scan(code)
                t0 = time.perf_counter()
                await shown(watch, code)
                windows.append((t0, watch.shown_at))
                latencies.append((watch.shown_at - t0) * 1000)
                # Back to the home screen, not timed.
                watch.expect(Expected(HomeView))
                await pilot.press("escape")
                await shown(watch, "the home screen")
                await pilot.pause()
                if gap:
                    await asyncio.sleep(gap)
            measured_from = windows[min(warmup, len(windows) - 1)][0]
        live_after = GcWatch.live_objects()
        await pilot.pause()
    full = [
        (end - start) * 1000
        for generation, start, end in collector.collections
        if generation == 2 and start >= measured_from
    ]
    return Measured(
        warmup_ms=latencies[:warmup],
        latencies_ms=latencies[warmup:],
        full_gc_ms=collector.full_ms(windows[warmup:]),
        full_gcs=full,
        live_before=live_before,
        live_after=live_after,
    )


def run(requests: int, args: argparse.Namespace) -> Run:
    """Set up a replica here, then measure in a fresh process (as a bench starts the app),
    so neither the set-up's heap nor an earlier run's is in the measured one."""
    with tempfile.TemporaryDirectory(prefix="bench-scan-latency-") as name:
        folder = Path(name)
        print(f"set-up: writing {requests:,} requests + {requests:,} items…", file=sys.stderr)
        setup = fill_replica(folder / "station.db", requests, args.via_store)
        print(f"measuring {args.warmup} + {args.scans} scans…", file=sys.stderr)
        child = [
            sys.executable, "-m", "benchmarks.scan_latency", "--child", str(folder),
            "--requests", str(requests), "--scans", str(args.scans),
            "--warmup", str(args.warmup), "--seed", str(args.seed), "--gap", str(args.gap),
            *([] if args.encode else ["--no-encode"]),
        ]  # fmt: skip
        done = subprocess.run(child, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the measuring process failed (exit status {done.returncode})")
    measured = Measured(**json.loads(done.stdout.strip().splitlines()[-1]))
    return Run(requests, setup, measured)


def child(folder: Path, args: argparse.Namespace) -> None:
    """The measured part, in its own process: print the figures as JSON."""
    codes = pick_ids(args.requests, args.warmup + args.scans, args.seed)
    measured = asyncio.run(measure(folder, codes, args.warmup, args.gap, args.encode))
    print(json.dumps(asdict(measured)))


# -- figures --------------------------------------------------------------------------------


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def report(result: Run, scans: int, target_ms: float) -> None:
    measured = result.measured
    ordered = sorted(measured.latencies_ms)
    p50, p90, p99 = (percentile(ordered, q) for q in (0.50, 0.90, 0.99))
    verdict = "meets" if p99 < target_ms else "MISSES"
    print(
        f"replica {result.requests:>9,} requests: {len(ordered)} scans  "
        f"p50 {p50:6.1f}  p90 {p90:6.1f}  p99 {p99:6.1f}  max {ordered[-1]:6.1f} ms  "
        f"({verdict} p99 < {target_ms:g} ms)"
    )
    pairs = list(zip(measured.latencies_ms, measured.full_gc_ms, strict=True))
    hit = [ms for ms, gc_ms in pairs if gc_ms]
    clean = sorted(ms for ms, gc_ms in pairs if not gc_ms)
    full = sorted(measured.full_gcs)
    if full:
        print(
            f"  full (gen-2) GCs during the run: {len(full)}, p50 {percentile(full, 0.5):.0f} ms, "
            f"max {full[-1]:.0f} ms; inside {len(hit)} of the {len(ordered)} measured scans"
        )
    if clean:
        print(
            f"  scans without a full GC inside: p50 {percentile(clean, 0.5):6.1f}  "
            f"p90 {percentile(clean, 0.9):6.1f}  p99 {percentile(clean, 0.99):6.1f}  "
            f"max {clean[-1]:6.1f} ms"
        )
    grown = measured.live_after - measured.live_before
    print(
        f"  live GC-tracked objects {measured.live_before:,} -> {measured.live_after:,} over "
        f"{scans} scans ({grown / scans:+,.0f} per scan)"
    )
    warm = ", ".join(f"{ms:.1f}" for ms in measured.warmup_ms)
    print(f"  warm-up scans (the first visit draws the request view), ms: {warm or '-'}")
    print(f"  set-up {result.setup_seconds:.1f} s")


def environment() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return (
        f"Python {platform.python_version()}, Textual {importlib.metadata.version('textual')}, "
        f"SQLAlchemy {importlib.metadata.version('sqlalchemy')}, SQLite {sqlite3.sqlite_version}, "
        f"{cpus} CPUs ({usable} usable), {platform.machine()} {platform.system()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--control-requests", type=int, default=1_000, help="0: no control")
    parser.add_argument("--scans", type=int, default=300, help="measured scans per replica")
    parser.add_argument("--warmup", type=int, default=5, help="scans first, not counted")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds of quiet between scans")
    parser.add_argument("--target-ms", type=float, default=50.0, help="the p99 to meet")
    parser.add_argument(
        "--via-store", action="store_true", help="set up through LocalStore.write_replica_rows"
    )
    parser.add_argument(
        "--no-encode",
        dest="encode",
        action="store_false",
        help="leave out turning frames into terminal escape codes (headless skips it)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scans < 1 or args.requests < 2:
        parser.error("need at least 1 scan and 2 requests")
    os.environ.pop(CENTRAL_URL_ENV, None)  # no central: nothing but the scans runs
    if args.child:
        child(args.child, args)
        return

    sizes = [args.requests] + ([args.control_requests] if args.control_requests > 1 else [])
    results = [run(size, args) for size in sizes]
    encoded = "composed and encoded" if args.encode else "composed (not encoded)"
    print(f"scan-to-screen latency: last byte into the pty -> first frame {encoded} with the "
          f"request on show (scanned at home), {SIZE[0]}x{SIZE[1]} headless")  # fmt: skip
    for result in results:
        report(result, args.warmup + args.scans, args.target_ms)
    print(environment())


if __name__ == "__main__":
    main()
