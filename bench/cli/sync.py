"""`bench sync`: the station's sync with central from a shell, without the TUI.

`bench sync --once` runs one round and exits (non-zero when central cannot be reached), for
scripts. `bench sync` runs rounds until Ctrl+C or SIGTERM, as the TUI does in the
background: for a station whose screen is off, or to watch a queue drain. Its status line
(ONLINE or OFFLINE, sent, pulled, queued) is rewritten in place on a terminal and printed as
a plain line whenever it changes otherwise, so a service's log gets one line per change,
not one per round. Stopping ends the round in progress (what central committed is marked
sent; the rest stays queued) and prints a summary.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from bench.cli.common import CommandFailed, check_writable, log_to_file, progress_bar, shown_url
from bench.config import Config, load_config
from bench.text import shown

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bench.station import QuarantinedRow, SyncState
    from store.local import LocalStore


def add_commands(commands: Any) -> None:
    sync = commands.add_parser(
        "sync",
        help="send queued inspections to central and pull what changed, until Ctrl+C",
        description="Without --once: a round every [sync] interval_seconds until Ctrl+C or "
        "SIGTERM, with a status line, then a summary. The station's TUI syncs on its own; "
        "this is for a station without its screen, or to watch the queue drain.",
    )
    sync.add_argument(
        "--once",
        action="store_true",
        help="one round, then exit: non-zero when central cannot be reached (for scripts)",
    )
    sync.set_defaults(command=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    from bench.config import central_url
    from store.local import LocalStore

    config = load_config(args.config)
    url = central_url(config)
    if not url:
        raise CommandFailed(
            f"No central database in {args.config} ([store] central_url) "
            "and BENCH_CENTRAL_URL is not set."
        )
    check_writable(config.store.local_path, config.source)
    log_to_file(config)
    local = LocalStore.open(config.store.local_path)
    try:
        if args.once:
            return _sync_once(config, url, local)
        return _sync_until_stopped(config, url, local)
    finally:
        local.close()


def _sync_once(config: Config, url: str, local: LocalStore) -> int:
    """One round; non-zero when central can't be reached."""
    from store.station import sync_engine

    bars: dict[str, Callable[[int, int], None]] = {}

    def progress(what: str, done: int, total: int) -> None:
        bars.setdefault(what, progress_bar(f"{what:<16}"))(done, total)

    engine = sync_engine(local, config, url, progress)
    try:
        state = engine.run_once()
    finally:
        engine.close()
    skipped = _skipped_rows(local.quarantined_rows())
    dead = _refused(state)
    if not state.online:
        raise CommandFailed(
            f"OFFLINE: {state.problem}. {state.queued} inspections stay queued{dead}; "
            "they will be sent when central is back." + "".join(f"\n{line}" for line in skipped)
        )
    print(f"ONLINE: sent {state.pushed}, pulled {state.pulled}, {state.queued} queued{dead}")
    for line in skipped:
        print(line)
    return 0


def _sync_until_stopped(config: Config, url: str, local: LocalStore) -> int:
    """Rounds until SIGINT or SIGTERM; 0 when stopped so, whatever central's state."""
    from store.station import sync_engine
    from store.sync import SyncWorker

    line = StatusLine(sys.stdout)
    totals = Totals(started=time.monotonic())

    def report(state: SyncState) -> None:  # called from the worker's thread
        totals.add(state)
        line.show(totals.status(datetime.now().astimezone()))

    def progress(what: str, done: int, total: int) -> None:
        if total:  # every round reports each table, most with nothing to pull
            line.show_step(f"{what} {done:,}/{total:,}")

    engine = sync_engine(local, config, url, progress)
    worker = SyncWorker(engine, report, interval=config.sync.interval_seconds)
    interval = config.sync.interval_seconds
    print(
        f"Syncing station {config.station.id} with {shown_url(url)} every {interval:g} s. "
        "Ctrl+C to stop.",
        file=sys.stderr,
    )
    with _stop_requested() as stop:
        worker.start()
        while not stop.wait(0.5):
            pass
    line.end()
    print("Stopping: the round in progress ends first (Ctrl+C again: now).", file=sys.stderr)
    worker.stop(timeout=config.sync.round_deadline_seconds + 5)
    line.end()  # the round that was running may have shown its status
    for text in totals.summary(time.monotonic()):
        print(text)
    for text in _skipped_rows(local.quarantined_rows()):
        print(text)
    return 0


@contextmanager
def _stop_requested() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM; the usual handlers come back afterwards, so a
    second Ctrl+C while the last round ends leaves at once."""
    stop = threading.Event()

    def handle(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass
class Totals:
    """What the rounds of one `bench sync` did, and the last state central was in."""

    started: float
    rounds: int = 0
    sent: int = 0
    pulled: int = 0
    last: SyncState | None = None

    def add(self, state: SyncState) -> None:
        self.rounds += 1
        self.sent += state.pushed
        self.pulled += state.pulled
        self.last = state

    def status(self, now: datetime) -> Status:
        state = self.last
        assert state is not None, "a status is shown after a round"
        counts = f"sent {self.sent} · pulled {self.pulled} · {state.queued} queued"
        if state.online:
            return Status(f"{now:%H:%M:%S}", f"ONLINE · {counts}{_refused(state)}")
        since = state.offline_since.astimezone() if state.offline_since else now
        # The reason last: where a terminal is too narrow, it is what gets cut.
        return Status(
            f"{now:%H:%M:%S}",
            f"OFFLINE since {since:%H:%M:%S} · {counts}{_refused(state)} · {_why(state)}",
        )

    def summary(self, now: float) -> list[str]:
        took = _duration(now - self.started)
        if self.last is None:
            return [f"Stopped after {took}, before the first round ended: nothing sent."]
        state = self.last
        lines = [
            f"Stopped after {self.rounds} {'round' if self.rounds == 1 else 'rounds'} in "
            f"{took}: sent {self.sent}, "
            f"pulled {self.pulled}, {state.queued} queued{_refused(state)}."
        ]
        if not state.online:
            later = f" The {state.queued} queued are sent by the next sync." if state.queued else ""
            lines.append(f"Central was OFFLINE at the last round: {_why(state)}.{later}")
        return lines


@dataclass(frozen=True)
class Status:
    """The status line: when, and what; a plain line is printed only when `what` changes."""

    at: str
    what: str

    def __str__(self) -> str:
        return f"{self.at} {self.what}"


class StatusLine:
    """The status on `out`: rewritten in place on a terminal, else a line per change.

    Written from the worker's thread and the main one, hence the lock.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.terminal = out.isatty()
        self._lock = threading.Lock()
        self._last: Status | None = None
        self._open = False  # a line in place, not ended yet

    def show(self, status: Status) -> None:
        with self._lock:
            if self.terminal:
                self._in_place(str(status))
            elif self._last is None or status.what != self._last.what:
                print(status, file=self.out, flush=True)
            self._last = status

    def show_step(self, step: str) -> None:
        """A step within a round (a batch pushed or pulled), after the last status: on a
        terminal only, where the next status replaces it."""
        if self.terminal:
            with self._lock:
                self._in_place(f"{self._last} · {step}" if self._last else step)

    def end(self) -> None:
        with self._lock:
            if self._open:
                print(file=self.out, flush=True)
                self._open = False

    def _in_place(self, text: str) -> None:
        # A line longer than the terminal wraps, and \r would rewrite only its last part.
        fitted = shown(text, max(1, shutil.get_terminal_size().columns - 1))
        self.out.write(f"\r{fitted}\x1b[K")
        self.out.flush()
        self._open = True


def _refused(state: SyncState) -> str:
    return f", {state.dead} refused by central (see the bench)" if state.dead else ""


def _why(state: SyncState) -> str:
    return (state.problem or "central did not answer").rstrip(".")


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 1:
        return "less than a second"
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def _skipped_rows(rows: list[QuarantinedRow]) -> list[str]:
    """The quarantine as `bench sync` lists it: central rows someone must fix there."""
    if not rows:
        return []
    return [f"{len(rows)} central rows skipped:"] + [
        f"  {row.table} {row.key}: {row.reason}" for row in rows
    ]
