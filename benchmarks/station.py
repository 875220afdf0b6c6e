"""A station with a big replica, run headless, and the frames it paints: what the
latency benchmarks (`benchmarks.scan_latency`, `benchmarks.steps`) share.

Set-up (never timed): the replica is written with plain executemany inserts on the
`store.local` tables in one transaction per table (`via_store`: through
`LocalStore.write_replica_rows` in 50,000-row transactions, slower); the programs, catalog
and one inspector go through `LocalStore.write_replica`. Each request has one item, a
trade-in credit Wyze Pan v2 declared good, created 3 days ago (no late warning).

Timing a frame: `FrameWatch` wraps the app's `_display`, the one place a compositor update
leaves for the terminal, and takes t1 at the first frame painted while the app is in the
expected state whose painted characters contain what that state shows. Headless Textual
skips turning a frame into escape codes, so by default the watch does it (`render_segments`
with the app's own console) before t1; only the write to a real terminal is missing.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from bench.config import CENTRAL_URL_ENV, Config, parse_config
from bench.demo_data import TRADE_IN_CREDIT, demo_catalog, demo_programs
from bench.domain import Inspector, Role
from bench.pins import hash_pin
from bench.problems import Problem
from benchmarks.figures import Figure
from drivers.simulated import SimulatedSerialScanner
from screens.app import BenchApp
from screens.messages import LoggedIn
from store.local import LocalStore, item_table, request_table

BADGE, PIN = "EMP-0001", "1234"
SKU = "WYZE-PAN-V2-TC"  # a trade-in credit model of the demo catalog
CHUNK = 50_000
SIZE = (120, 40)
TIMEOUT = 10.0  # seconds one step may take before the run is called broken


# The witness: sleeps 1 ms at a time until its stdin closes, and prints, as JSON, how many
# times it woke, its longest oversleep and each oversleep of argv[1] ms or more with when it
# began (perf_counter is CLOCK_MONOTONIC, one clock for every process of the machine). An
# oversleep is the time between two wake-ups beyond the 1 ms asked, so a stop anywhere in the
# loop counts. It says "watching" first: a loaded machine can take longer than a step to
# start Python.
_WITNESS = """
import json, select, sys, time
stall_ms = float(sys.argv[1])
woke, longest, stalls = 0, 0.0, []
awake = time.perf_counter()
print("watching", flush=True)
while not select.select([sys.stdin], [], [], 0.001)[0]:
    woke += 1
    now = time.perf_counter()
    over = (now - awake - 0.001) * 1000
    longest = max(longest, over)
    if over >= stall_ms:
        stalls.append((awake + 0.001, over))
    awake = now
print(json.dumps({"woke": woke, "longest": longest, "stalls": stalls}))
"""
STALL_MS = 5.0
"""An oversleep of the witness this long is a stall of the machine, not of the app."""


class MachineStalls:
    """A bare process beside the measured one, doing nothing but sleep 1 ms at a time:
    each wake-up STALL_MS late or more is a stall of the machine itself (another guest on
    the host, the kernel), which the app measured at the same moment suffered too. The
    same run's yardstick for a tail: a step whose window overlaps one is no sign of the
    app's own slowness."""

    def __init__(self) -> None:
        self.woke = 0
        self.longest = 0.0
        self.stalls: list[tuple[float, float]] = []
        """(start, milliseconds) of each stall, start on `time.perf_counter`'s clock."""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> MachineStalls:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WITNESS, str(STALL_MS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline() != "watching\n":  # ready before anything is timed
            raise SystemExit("the stall witness did not start")
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        assert process is not None and process.stdin is not None
        out, _ = process.communicate()  # closing its stdin stops it
        if process.returncode:
            raise SystemExit(f"the stall witness failed (exit status {process.returncode})")
        seen = json.loads(out)
        self.woke, self.longest = seen["woke"], seen["longest"]
        self.stalls = [(start, ms) for start, ms in seen["stalls"]]

    def during(self, start: float, end: float) -> list[float]:
        """The stalls (milliseconds) that overlap [start, end]."""
        return [ms for at, ms in self.stalls if at < end and at + ms / 1000 > start]


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


def on_show(screen: Screen[Any], selector: str) -> Widget | None:
    """The widget `selector` picks on `screen` if it and every container above it are
    displayed; else None. By id, so it reads a view of one screen and a screen alike."""
    try:
        widget = screen.query_one(selector)
    except NoMatches:
        return None
    node: Widget | None = widget
    while node is not None and node is not screen:
        if not node.display:
            return None
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return widget


Expected = Callable[[Screen[Any]], str | None]
"""What the next frame must show to count, given the screen it paints: the text the painted
frame must contain once the app is in the expected state, None while it is not."""


class FrameWatch:
    """Wraps the app's `_display`, through which every frame leaves the compositor, and
    times the first frame that matches what is expected."""

    def __init__(self, app: BenchApp, encode: bool) -> None:
        self.app = app
        self.encode = encode
        self._original: Callable[[Screen[Any], RenderableType | None], None] = app._display
        self.expected: Expected | None = None
        self.shown_at = 0.0
        self.shown_cpu = 0.0
        """`time.thread_time()` as the expected frame was painted: the app's thread's CPU."""
        self.shown = asyncio.Event()
        app._display = self._display  # type: ignore[method-assign]

    def expect(self, expected: Expected) -> None:
        self.expected = expected
        self.shown.clear()

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if self.encode and isinstance(renderable, CompositorUpdate):
            # What the app would write to a real terminal (headless skips it), done where
            # the app does it: inside `_display`, before what the bench does after a frame.
            renderable.render_segments(self.app.console)
        self._original(screen, renderable)
        if renderable is None:
            return
        now, cpu = time.perf_counter(), time.thread_time()  # before this check's own work
        expected = self.expected
        text = None if expected is None else expected(screen)
        if text is None or text not in frame_text(renderable):
            return
        self.expected = None
        self.shown_at = now
        self.shown_cpu = cpu
        self.shown.set()

    async def wait(self, what: str) -> float:
        """Wait for the expected frame; the seconds from `t0` to it."""
        try:
            await asyncio.wait_for(self.shown.wait(), TIMEOUT)
        except TimeoutError:
            raise TimeoutError(f"no frame showed {what} within {TIMEOUT:.0f} s") from None
        return self.shown_at


async def wait_for(condition: Callable[[], bool], what: str, seconds: float = TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.005)


async def log_in(
    app: BenchApp, pilot: Pilot[None], watch: FrameWatch, home: Expected
) -> SimulatedSerialScanner:
    """Wait for the login screen and a connected scanner, log in, wait for `home`."""
    await wait_for(lambda: app._session is not None, "the station to open")
    scanner = app._scanner
    assert isinstance(scanner, SimulatedSerialScanner), scanner
    await wait_for(lambda: scanner.state.connected, "the simulated scanner to connect")
    await wait_for(lambda: app.screen.is_mounted, "the login screen")
    login = app.session.login(BADGE, PIN)
    assert not isinstance(login, Problem), login
    watch.expect(home)
    app.post_message(LoggedIn(login))
    await watch.wait("the home screen")
    await pilot.pause()
    return scanner


def environment() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return (
        f"Python {platform.python_version()}, Textual {importlib.metadata.version('textual')}, "
        f"SQLAlchemy {importlib.metadata.version('sqlalchemy')}, SQLite {sqlite3.sqlite_version}, "
        f"{cpus} CPUs ({usable} usable), {platform.machine()} {platform.system()}"
    )


def described(figure: Figure) -> str:
    """One figure as a line: its value, its samples' median and spread, and its target;
    its note, if any, on a line of its own."""
    low, high = figure.spread
    verdict = "" if figure.met is None else ("met" if figure.met else "MISSED")
    yardstick = (
        f"; {figure.yardstick} {figure.yardstick_value:.1f} {figure.unit}"
        if figure.yardstick_value is not None
        else ""
    )
    return (
        f"{figure.name}: {figure.value:.1f} {figure.unit} (median {figure.median:.1f}, "
        f"{low:.1f} to {high:.1f}, {len(figure.samples)} samples{yardstick}) "
        f"{figure.target} {verdict}".rstrip()
        + (f"\n  {figure.note}" if figure.note else "")
    )


def run_child(module: str, folder: Path, arguments: Sequence[str]) -> dict[str, Any]:
    """Measure in a fresh process (as a bench starts the app), so neither the set-up's heap
    nor an earlier run's is in it: `python -m module --child folder ...`, with no central
    (LOCAL ONLY, so no sync runs), prints its measurements as JSON on its last line; what
    it writes to stderr comes through."""
    command = [sys.executable, "-m", module, "--child", str(folder), *arguments]
    env = {name: value for name, value in os.environ.items() if name != CENTRAL_URL_ENV}
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"the measuring process failed (exit status {done.returncode})")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured
