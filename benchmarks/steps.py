"""Every step of an inspection an inspector waits on, timed from the input to the first
frame that shows what it led to, with 1,000,000 requests (each with one item) in the
replica, at 120x40:

  home → request           the package label scanned at home
  request → checklist      the device's serial scanned on its request
  answer → next question   a key answering one question of the checklist
  checklist → outcome      the key answering the last question
  outcome → request        Enter saves the outcome; the request shows it saved
  request → home           Escape: the next package

One station, the real app and screens (`make_app`, headless `run_test`), no central (LOCAL
ONLY, so no sync runs), logging set up as the CLI does, the replica written as
`benchmarks.station` says (not timed). Each item gets the answers of an accepted one: the
data's facts kept (Enter), not broken, not dirty, reset, wiped, grade A, owned outright.

  t0  taken just before the input is handed to the app: a key as the terminal driver
      hands it (`driver.send_message`), a scan as the scanner's thread posts it
      (`ScanRead`; `benchmarks.scan_latency` times the pty and the driver too);
  t1  the first frame painted (and turned into escape codes, unless --no-encode) while the
      app shows the step's new state, whose painted characters contain it: the request's
      id, the new question's "Question n of m", the outcome's headline, "Saved" and the
      item's id, "SCAN A PACKAGE LABEL".

Widgets are found by id, so this times a screen per step and views of one screen alike.
Between steps, not timed: a pause until the app is idle, then --gap seconds of quiet. The
first --warmup inspections (the first visit of each screen builds it) are left out.
Percentiles are nearest-rank. `figures(quick=True)` measures 20,000 requests and 10
inspections.

Beside the measuring process, a bare one sleeps 1 ms at a time (`MachineStalls`): each of
its wake-ups 5 ms late or more is a stall of the machine itself, which the app suffered at
the same moment. Each step's line says which of its timings overlapped one, and the p99 of
the others; the stalls have a line of their own. It also gives the CPU time the app's
thread used from t0 to t1, at the median and in the slowest tenth: when that is nearly all
of the wall time, a slow timing was work (more of it, or a slower machine), not the app
waiting on something.

--profile STEP runs pyinstrument over that step's timed windows (all of them after the
warm-up; "answer" for both answering steps) and prints where their time went, to stderr;
the profiler's sampling slows what it profiles, so the figures of such a run are not ones
to quote.

Usage: python -m benchmarks.steps [--requests 1000000] [--inspections 100] [--warmup 3]
           [--seed 7] [--gap 0.02] [--no-encode] [--target-ms 16] [--profile STEP]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from bench.cli.station import station_app
from bench.logs import setup_logging
from bench.scans import Scan, ScanSource
from benchmarks.figures import Figure, percentile
from benchmarks.scan_latency import pick_ids
from benchmarks.station import (
    SIZE,
    STALL_MS,
    Expected,
    FrameWatch,
    MachineStalls,
    described,
    environment,
    fill_replica,
    log_in,
    on_show,
    run_child,
    station_config,
)
from screens.app import BenchApp
from screens.messages import ScanRead

TARGET_MS = 16.0  # one 60 Hz frame
STEPS = (
    "home → request",
    "request → checklist",
    "answer → next question",
    "checklist → outcome",
    "outcome → request",
    "request → home",
)
ANSWER_KEYS = {
    "broken": "n", "defect": "1", "dirty": "n", "factory_reset": "y", "wiped": "y",
    "grade": "a", "owned_outright": "y",
}  # fmt: skip
"""An accepted item's answer to each question the inspector is asked."""
ANSWER = "answer"
"""--profile's name for both answering steps: which one an answer is shows only after it."""
KEY_CHARACTERS = {"enter": "\r", "escape": "\x1b"}


@dataclass(frozen=True)
class Settings:
    requests: int = 1_000_000
    inspections: int = 100
    warmup: int = 3
    seed: int = 7
    gap: float = 0.02
    encode: bool = True
    profile: str = ""
    """A step to profile, or "" for none."""


# -- what each step shows -------------------------------------------------------------------


def _content(screen: Screen[Any], selector: str) -> str | None:
    """What the widget `selector` says, if it is on show on `screen`."""
    widget = on_show(screen, selector)
    if not isinstance(widget, Static):
        return None
    return str(widget.render())


def home(screen: Screen[Any]) -> str | None:
    return "SCAN A PACKAGE LABEL" if on_show(screen, "#code") is not None else None


def request(code: str) -> Expected:
    def shows(screen: Screen[Any]) -> str | None:
        title = _content(screen, "#request-title")
        return code if title is not None and code in title else None

    return shows


def saved(item_id: str) -> Expected:
    def shows(screen: Screen[Any]) -> str | None:
        line = _content(screen, "#request-saved")
        return item_id if line is not None and f"Saved {item_id}" in line else None

    return shows


def question(other_than: str | None) -> Expected:
    """A question of the checklist whose position line is not `other_than`."""

    def shows(screen: Screen[Any]) -> str | None:
        position = _content(screen, "#position")
        return position if position is not None and position != other_than else None

    return shows


def outcome(screen: Screen[Any]) -> str | None:
    return _content(screen, "#outcome-word") or None


# -- the measured loop ----------------------------------------------------------------------


class Stepper:
    """Hands the app one input at a time and times the frame that shows what it did."""

    def __init__(
        self, app: BenchApp, pilot: Pilot[None], watch: FrameWatch, gap: float, profile: str
    ) -> None:
        self.app, self.pilot, self.watch, self.gap = app, pilot, watch, gap
        self.timings: dict[str, list[float]] = {step: [] for step in STEPS}
        self.windows: dict[str, list[tuple[float, float]]] = {step: [] for step in STEPS}
        """Each timing's (t0, t1), on `time.perf_counter`'s clock: to set beside the
        machine's stalls (`MachineStalls`)."""
        self.cpu: dict[str, list[float]] = {step: [] for step in STEPS}
        """Each timing's milliseconds of CPU time on the app's thread, input to frame."""
        self._window = (0.0, 0.0)
        self._cpu = 0.0
        self.profile = profile
        self.profiler: Profiler | None = None
        """Started once the warm-up is over, when a step is to be profiled."""

    async def scan(self, code: str, step: str, expected: Expected) -> None:
        message = ScanRead(Scan.now(code, ScanSource.SIMULATED))
        self._note(step, await self._timed(step, expected, lambda: self.app.post_message(message)))

    def _note(self, step: str, took: float) -> None:
        self.timings[step].append(took)
        self.windows[step].append(self._window)
        self.cpu[step].append(self._cpu)

    def forget(self) -> None:
        """Leave out what was measured so far (the warm-up)."""
        self.timings = {step: [] for step in STEPS}
        self.windows = {step: [] for step in STEPS}
        self.cpu = {step: [] for step in STEPS}

    async def press(self, key: str, step: str, expected: Expected) -> float:
        """Press `key`; the milliseconds until `expected` was painted."""
        event = events.Key(key, KEY_CHARACTERS.get(key, key))
        event.set_sender(self.app)
        driver = self.app._driver
        assert driver is not None
        return await self._timed(step, expected, lambda: driver.send_message(event))

    async def _timed(self, what: str, expected: Expected, send: Callable[[], object]) -> float:
        self.watch.expect(expected)
        profiler = self.profiler if what == self.profile else None
        if profiler is not None:
            profiler.start()
        cpu = time.thread_time()
        t0 = time.perf_counter()
        send()
        t1 = await self.watch.wait(what)
        if profiler is not None:
            profiler.stop()
        self._window = (t0, t1)
        self._cpu = (self.watch.shown_cpu - cpu) * 1000
        await self.pilot.pause()
        if self.gap:
            await asyncio.sleep(self.gap)
        return (t1 - t0) * 1000

    async def inspect(self, code: str) -> None:
        """Scan a package, inspect its item to an accept, save it, go home."""
        app = self.app
        await self.scan(code, "home → request", request(code))
        item = app.session.pending_items[0]
        assert item.declared_serial is not None, item
        await self.scan(item.declared_serial, "request → checklist", question(None))
        while (active := app.session.active) is not None and not active.checklist.complete:
            asked = active.checklist.current
            assert asked is not None, active
            key = "enter" if asked.facts else ANSWER_KEYS[asked.question.value]
            await self._answer(key, _content(app.screen, "#position"))
        for key, step, expected in (
            ("enter", "outcome → request", saved(item.id)),
            ("escape", "request → home", home),
        ):
            self._note(step, await self.press(key, step, expected))

    async def _answer(self, key: str, position: str | None) -> None:
        """One answer: the next question or, after the last, the outcome, whichever shows."""

        def next_shown(screen: Screen[Any]) -> str | None:
            return outcome(screen) or question(position)(screen)

        took = await self.press(key, ANSWER, next_shown)
        shown_outcome = outcome(self.app.screen) is not None
        self._note("checklist → outcome" if shown_outcome else "answer → next question", took)


async def measure(folder: Path, codes: Sequence[str], settings: Settings) -> dict[str, Any]:
    """Each step's timings and their windows, as `Measured` takes them."""
    config = station_config(folder)
    setup_logging(config.log.path, config.log.level)
    app = station_app(config)
    async with app.run_test(size=SIZE) as pilot:
        watch = FrameWatch(app, settings.encode)
        await log_in(app, pilot, watch, home)
        stepper = Stepper(app, pilot, watch, settings.gap, settings.profile)
        for n, code in enumerate(codes):
            if n == settings.warmup:
                stepper.forget()
                if settings.profile:
                    # Every task's frames: the app handles the input in its own tasks, which
                    # the default async mode leaves out (it showed only this loop waiting).
                    stepper.profiler = Profiler(interval=0.0002, async_mode="disabled")
            await stepper.inspect(code)
        await pilot.pause()
    if stepper.profiler is not None:
        print(stepper.profiler.output_text(show_all=False), file=sys.stderr)
    return {"timings": stepper.timings, "windows": stepper.windows, "cpu": stepper.cpu}


@dataclass(frozen=True)
class Measured:
    timings: dict[str, list[float]]
    """Step -> milliseconds, input to frame."""
    windows: dict[str, list[tuple[float, float]]]
    """Step -> each timing's (t0, t1)."""
    stalls: MachineStalls
    """What the machine itself did meanwhile."""
    cpu: dict[str, list[float]]
    """Step -> each timing's milliseconds of CPU time on the app's thread."""

    def stalled(self, step: str) -> list[float]:
        """Per timing of `step`, the longest machine stall its window overlapped (0: none)."""
        return [max(self.stalls.during(*window), default=0.0) for window in self.windows[step]]


def run(settings: Settings) -> Measured:
    with tempfile.TemporaryDirectory(prefix="bench-steps-") as name:
        folder = Path(name)
        count = settings.requests
        print(f"set-up: writing {count:,} requests + {count:,} items…", file=sys.stderr)
        fill_replica(folder / "station.db", count, via_store=False)
        print(f"measuring {settings.warmup} + {settings.inspections} inspections…", file=sys.stderr)
        with MachineStalls() as stalls:
            measured = run_child(
                "benchmarks.steps", folder,
                ["--requests", str(count), "--inspections", str(settings.inspections),
                 "--warmup", str(settings.warmup), "--seed", str(settings.seed),
                 "--gap", str(settings.gap), "--profile", settings.profile,
                 *([] if settings.encode else ["--no-encode"])],
            )  # fmt: skip
    windows = {step: [(t0, t1) for t0, t1 in ws] for step, ws in measured["windows"].items()}
    return Measured(measured["timings"], windows, stalls, measured["cpu"])


def child(folder: Path, settings: Settings) -> None:
    """The measured part, in its own process: print the timings as JSON."""
    # Each request is inspected once: its item is done after.
    codes = list(
        dict.fromkeys(pick_ids(settings.requests, 4 * settings.inspections, settings.seed))
    )
    codes = codes[: settings.warmup + settings.inspections]
    print(json.dumps(asyncio.run(measure(folder, codes, settings))))


# -- figures --------------------------------------------------------------------------------


def as_figures(measured: Measured, requests: int, target_ms: float = TARGET_MS) -> list[Figure]:
    """Per step: its p99 against the target, with its p50 as the yardstick beside it, and
    how many of its timings the machine stalled in; then the machine's stalls themselves."""
    figures = []
    for step in STEPS:
        samples = measured.timings[step]
        p99 = percentile(samples, 99)
        notes = [
            "input handed to the app → first frame showing what it led to",
            _stalled_note(samples, measured.stalled(step)),
            _cpu_note(samples, measured.cpu[step]),
        ]
        figures.append(
            Figure.of(
                f"{step}, p99 ({requests:,} requests, {SIZE[0]}x{SIZE[1]})", p99, "ms",
                samples, f"p99 < {target_ms:g} ms", p99 < target_ms,
                yardstick="p50", yardstick_value=percentile(samples, 50),
                note="; ".join(notes),
            )
        )  # fmt: skip
    stalls = measured.stalls
    figures.append(
        Figure.of(
            "the machine: longest oversleep of a bare process sleeping 1 ms at a time beside "
            "the steps",
            stalls.longest, "ms", [ms for _, ms in stalls.stalls] or [stalls.longest],
            "none (the yardstick of the steps' tails)", None,
            note=f"{stalls.woke:,} wake-ups, {len(stalls.stalls)} of them {STALL_MS:g} ms late "
                 "or more (the samples)",
        )
    )  # fmt: skip
    return figures


def _stalled_note(samples: Sequence[float], stalled: Sequence[float]) -> str:
    """Which timings overlapped a stall of the machine (`MachineStalls`), and the p99 of the
    rest: what the app itself takes, where the machine let it."""
    hit = [(took, stall) for took, stall in zip(samples, stalled, strict=True) if stall]
    if not hit:
        return "no timing overlapped a stall of the machine"
    clear = [took for took, stall in zip(samples, stalled, strict=True) if not stall]
    took, stall = max(hit)
    said = (
        f"{len(hit)} timing(s) overlapped a stall of the machine (the slowest of them took "
        f"{took:.1f} ms, in a stall of {stall:.1f} ms)"
    )
    if not clear:
        return said
    return f"{said}; p99 of the other {len(clear)}: {percentile(clear, 99):.1f} ms"


def _cpu_note(samples: Sequence[float], cpu: Sequence[float]) -> str:
    """The app's thread's CPU time beside the wall time, at the median and in the slowest
    tenth: near all of it, and the slow timings were work (more of it, or a slower machine),
    not the app waiting."""
    paired = sorted(zip(samples, cpu, strict=True))
    slowest = paired[-max(1, len(paired) // 10) :]
    took = statistics.median(ms for ms, _ in slowest)
    busy = statistics.median(used for _, used in slowest)
    return (
        f"the app's thread on the CPU {statistics.median(cpu):.1f} ms of the median "
        f"{statistics.median(samples):.1f}, {busy:.1f} of the slowest tenth's {took:.1f}"
    )


def figures(quick: bool = False) -> list[Figure]:
    settings = Settings(requests=20_000, inspections=10, warmup=2) if quick else Settings()
    return as_figures(run(settings), settings.requests)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = Settings()
    parser.add_argument("--requests", type=int, default=default.requests)
    parser.add_argument("--inspections", type=int, default=default.inspections)
    parser.add_argument("--warmup", type=int, default=default.warmup, help="not counted")
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument("--gap", type=float, default=default.gap, help="seconds between steps")
    parser.add_argument("--target-ms", type=float, default=TARGET_MS, help="the p99 to meet")
    parser.add_argument(
        "--no-encode",
        dest="encode",
        action="store_false",
        help="leave out turning frames into terminal escape codes (headless skips it)",
    )
    parser.add_argument(
        "--profile", default="", choices=["", ANSWER, *STEPS], help="a step to profile"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inspections < 1 or args.requests < 2 * (args.inspections + args.warmup):
        parser.error("need at least 1 inspection and twice as many requests as inspections")
    settings = Settings(
        requests=args.requests, inspections=args.inspections, warmup=args.warmup,
        seed=args.seed, gap=args.gap, encode=args.encode, profile=args.profile,
    )  # fmt: skip
    if args.child:
        child(args.child, settings)
        return
    measured = run(settings)
    encoded = "composed and encoded" if args.encode else "composed (not encoded)"
    print(f"inspection steps: input -> first frame {encoded} showing its result, "
          f"{SIZE[0]}x{SIZE[1]} headless, {settings.inspections} inspections")  # fmt: skip
    for figure in as_figures(measured, settings.requests, args.target_ms):
        print(described(figure))
    print(environment())


if __name__ == "__main__":
    main()
