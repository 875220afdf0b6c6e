"""Start-up: `bench` started in a real terminal until its login screen is ready for a badge
scan, and until its station is open, against a bare Textual app that shows one label,
alternated in one run.

Each start is a real process on a real pty (120x40, TERM=xterm-256color), exactly as a
technician's terminal runs it: `python -m bench.cli --config config.toml` for the station
(no central configured, a simulated scanner, a station file that exists already, as on
every morning after the first), `python -c <one label>` for the yardstick. The clock runs
from just before the process is spawned to the moment the terminal has received the text
the screen must show: the login screen's "SCAN YOUR BADGE" prompt, and the bare app's
label, the same words. The process is then killed; the next start is the other kind
(pairs alternate which goes first, so neither always starts on a warmer machine).

The login screen is the bench's first frame, drawn before its station has opened: a badge
scanned or typed then is held, and checked as soon as it opens. So a second figure says
when that is: the header's "LOCAL ONLY", which replaces "STARTING" once the station is open
(this station has no central) and a badge scanned is checked at once.

The first figure is the median of the bench's starts over the median of the bare app's in
the same run; the second is reported beside it.

Usage: python -m benchmarks.startup [--quick | --pairs N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.figures import Figure, NotMeasured
from tests.support.commands import ESCAPES
from tests.support.startup_imports import station_folder

READY = b"SCAN YOUR BADGE"
OPEN = b"LOCAL ONLY"  # the header's sync status once the station (no central) is open
SIZE = (120, 40)
TIMEOUT = 30.0  # seconds a start may take before the run is called broken
TARGET_RATIO = 1.3

BARE_APP = f"""
from textual.app import App, ComposeResult
from textual.widgets import Label

class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Label({READY.decode()!r})

Bare().run()
"""


def time_start(command: Sequence[str], marks: Sequence[bytes], cwd: Path) -> list[float]:
    """Spawn `command` on a new pty; seconds until each of `marks` has been drawn."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    env.pop("BENCH_CENTRAL_URL", None)
    # A station runs from compiled modules (pip writes them): without them every start
    # would compile the bench's sources again, which the bare app, all Textual, never does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:  # the child: its terminal is the pty's slave
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        os.chdir(cwd)
        os.execvpe(command[0], list(command), env)
    seen = b""
    found: dict[bytes, float] = {}
    try:
        deadline = started + TIMEOUT
        while len(found) < len(marks):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise NotMeasured(f"{command[-1]}: nothing showed {marks} within {TIMEOUT:.0f} s")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child ended: its terminal is gone
                chunk = b""
            if not chunk:
                raise NotMeasured(f"{command[-1]} ended before drawing {marks}: {seen[-400:]!r}")
            now = time.perf_counter()
            seen += chunk
            text = ESCAPES.sub(b"", seen)
            for mark in marks:
                if mark not in found and mark in text:
                    found[mark] = now - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(master)
    return [found[mark] for mark in marks]


def measure(pairs: int) -> tuple[list[float], list[float], list[float]]:
    """Alternated starts: (bare app ms, bench login ready ms, bench station open ms)."""
    bare: list[float] = []
    ready: list[float] = []
    opened: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as name:
        folder = Path(name)
        config = station_folder(folder)
        bench = [sys.executable, "-m", "bench.cli", "--config", str(config)]
        yardstick = [sys.executable, "-c", BARE_APP]
        # One start of each, not counted: the first compiles what has no .pyc yet.
        time_start(yardstick, [READY], folder)
        time_start(bench, [READY, OPEN], folder)
        for n in range(pairs):
            for kind in ("bare", "bench") if n % 2 == 0 else ("bench", "bare"):
                if kind == "bare":
                    [seconds] = time_start(yardstick, [READY], folder)
                    bare.append(seconds * 1000)
                else:
                    login, station = time_start(bench, [READY, OPEN], folder)
                    ready.append(login * 1000)
                    opened.append(station * 1000)
    return bare, ready, opened


def figures(quick: bool = False, *, pairs: int | None = None) -> list[Figure]:
    bare, ready, opened = measure(pairs or (3 if quick else 15))
    bare_ms = statistics.median(bare)
    ready_ms = statistics.median(ready)
    return [
        Figure.of(
            "start-up to the login screen ready for a badge scan",
            ready_ms,
            "ms",
            ready,
            f"≤ {TARGET_RATIO}x the bare app",
            ready_ms <= TARGET_RATIO * bare_ms,
            yardstick="bare Textual app showing one label",
            yardstick_value=bare_ms,
            note=f"median of {len(ready)} alternated starts, real processes on a pty",
        ),
        Figure.of(
            "start-up to the station open, a badge scan checked at once (header: LOCAL ONLY)",
            statistics.median(opened),
            "ms",
            opened,
            "",
            None,
            yardstick="bare Textual app showing one label",
            yardstick_value=bare_ms,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 pairs instead of 15")
    parser.add_argument("--pairs", type=int, default=None, help="this many pairs instead")
    args = parser.parse_args()
    for figure in figures(args.quick, pairs=args.pairs):
        low, high = figure.spread
        ratio = f", {figure.ratio:.2f}x the bare app's {figure.yardstick_value:.1f} ms"
        verdict = "" if figure.met is None else (" (met)" if figure.met else " (MISSED)")
        print(
            f"{figure.name}: median {figure.value:.1f} ms (min {low:.1f}, max {high:.1f}, "
            f"n={len(figure.samples)}){ratio}; target {figure.target or '-'}{verdict}"
        )


if __name__ == "__main__":
    main()
