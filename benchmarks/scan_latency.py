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
matters: its p99 is the figure's yardstick. The replica is written as `benchmarks.station`
says (not timed). `figures(quick=True)` measures 20,000 requests and 30 scans, no control.

Usage: python -m benchmarks.scan_latency [--requests 1000000] [--control-requests 1000]
           [--scans 300] [--warmup 5] [--seed 7] [--gap 0.05] [--via-store] [--no-encode]
           [--target-ms 25]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label

from bench.cli.station import station_app
from bench.logs import setup_logging
from benchmarks.figures import Figure, percentile
from benchmarks.station import (
    SIZE,
    Expected,
    FrameWatch,
    described,
    environment,
    fill_replica,
    log_in,
    request_id,
    run_child,
    station_config,
)
from screens.home import HomeView
from screens.package import PackageScreen
from screens.request import RequestView

TARGET_MS = 25.0


def viewing(screen: Screen[Any], view: type[Widget], title: str | None = None) -> bool:
    """The package screen shows `view` (and, for the request, its title holds `title`)."""
    if not isinstance(screen, PackageScreen) or not isinstance(screen.view, view):
        return False
    return title is None or title in str(screen.query_one("#request-title", Label).render())


def request_shown(code: str) -> Expected:
    def shows(screen: Screen[Any]) -> str | None:
        return code if viewing(screen, RequestView, code) else None

    return shows


def home(screen: Screen[Any]) -> str | None:
    return "" if viewing(screen, HomeView) else None


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
# -- the measured loop --------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    requests: int = 1_000_000
    control_requests: int = 1_000
    scans: int = 300
    warmup: int = 5
    seed: int = 7
    gap: float = 0.05
    via_store: bool = False
    encode: bool = True


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


async def measure(folder: Path, codes: Sequence[str], settings: Settings) -> Measured:
    """Scan every code in the app; the first `warmup` scans are kept apart."""
    config = station_config(folder)
    setup_logging(config.log.path, config.log.level)
    app = station_app(config)
    latencies: list[float] = []
    windows: list[tuple[float, float]] = []
    warmup = settings.warmup
    async with app.run_test(size=SIZE) as pilot:
        watch = FrameWatch(app, settings.encode)
        scanner = await log_in(app, pilot, watch, home)
        live_before = GcWatch.live_objects()
        with GcWatch() as collector:
            for code in codes:
                assert viewing(app.screen, HomeView), app.screen
                watch.expect(request_shown(code))
                scanner.scan(code)
                t0 = time.perf_counter()
                t1 = await watch.wait(code)
                windows.append((t0, t1))
                latencies.append((t1 - t0) * 1000)
                # Back to the home screen, not timed.
                watch.expect(home)
                await pilot.press("escape")
                await watch.wait("the home screen")
                await pilot.pause()
                if settings.gap:
                    await asyncio.sleep(settings.gap)
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


def run(requests: int, settings: Settings) -> Run:
    """Set up a replica here, then measure in a fresh process (as a bench starts the app),
    so neither the set-up's heap nor an earlier run's is in the measured one."""
    with tempfile.TemporaryDirectory(prefix="bench-scan-latency-") as name:
        folder = Path(name)
        print(f"set-up: writing {requests:,} requests + {requests:,} items…", file=sys.stderr)
        setup = fill_replica(folder / "station.db", requests, settings.via_store)
        print(f"measuring {settings.warmup} + {settings.scans} scans…", file=sys.stderr)
        measured = run_child(
            "benchmarks.scan_latency", folder,
            ["--requests", str(requests), "--scans", str(settings.scans),
             "--warmup", str(settings.warmup), "--seed", str(settings.seed),
             "--gap", str(settings.gap), *([] if settings.encode else ["--no-encode"])],
        )  # fmt: skip
    return Run(requests, setup, Measured(**measured))


def child(folder: Path, settings: Settings) -> None:
    """The measured part, in its own process: print the figures as JSON."""
    codes = pick_ids(settings.requests, settings.warmup + settings.scans, settings.seed)
    measured = asyncio.run(measure(folder, codes, settings))
    print(json.dumps(asdict(measured)))


# -- figures --------------------------------------------------------------------------------


def measured_runs(settings: Settings) -> list[Run]:
    """The replica asked for, then the control (if any)."""
    sizes = [settings.requests]
    if settings.control_requests > 1:
        sizes.append(settings.control_requests)
    return [run(size, settings) for size in sizes]


def as_figures(runs: Sequence[Run], target_ms: float = TARGET_MS) -> list[Figure]:
    """p99 of the big replica against the control's, and the p50 beside it."""
    big, *control = runs
    samples = big.measured.latencies_ms
    yardstick = control[0].measured.latencies_ms if control else []
    p99 = percentile(samples, 99)
    where = f"{big.requests:,} requests, {SIZE[0]}x{SIZE[1]}"
    return [
        Figure.of(
            f"scan → request on screen, p99 ({where})", p99, "ms", samples,
            f"p99 < {target_ms:g} ms", p99 < target_ms,
            yardstick=f"p99 with {control[0].requests:,} requests" if control else "",
            yardstick_value=percentile(yardstick, 99) if yardstick else None,
            note=f"{len(samples)} scans, last byte into the pty → first frame with the request",
        ),
        Figure.of(
            f"scan → request on screen, p50 ({where})", percentile(samples, 50), "ms",
            samples, "", None,
        ),
    ]  # fmt: skip


def figures(quick: bool = False) -> list[Figure]:
    settings = (
        Settings(requests=20_000, control_requests=0, scans=30, warmup=3) if quick else Settings()
    )
    return as_figures(measured_runs(settings))


def report(result: Run, scans: int, target_ms: float) -> None:
    measured = result.measured
    ordered = sorted(measured.latencies_ms)
    p50, p90, p99 = (percentile(ordered, q) for q in (50, 90, 99))
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
            f"  full (gen-2) GCs during the run: {len(full)}, p50 {percentile(full, 50):.0f} ms, "
            f"max {full[-1]:.0f} ms; inside {len(hit)} of the {len(ordered)} measured scans"
        )
    if clean:
        print(
            f"  scans without a full GC inside: p50 {percentile(clean, 50):6.1f}  "
            f"p90 {percentile(clean, 90):6.1f}  p99 {percentile(clean, 99):6.1f}  "
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = Settings()
    parser.add_argument("--requests", type=int, default=default.requests)
    parser.add_argument(
        "--control-requests", type=int, default=default.control_requests, help="0: no control"
    )
    parser.add_argument("--scans", type=int, default=default.scans, help="measured scans")
    parser.add_argument(
        "--warmup", type=int, default=default.warmup, help="scans first, not counted"
    )
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument(
        "--gap", type=float, default=default.gap, help="seconds of quiet between scans"
    )
    parser.add_argument("--target-ms", type=float, default=TARGET_MS, help="the p99 to meet")
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
    settings = Settings(
        requests=args.requests, control_requests=args.control_requests, scans=args.scans,
        warmup=args.warmup, seed=args.seed, gap=args.gap, via_store=args.via_store,
        encode=args.encode,
    )  # fmt: skip
    if args.child:
        child(args.child, settings)
        return
    results = measured_runs(settings)
    encoded = "composed and encoded" if args.encode else "composed (not encoded)"
    print(f"scan-to-screen latency: last byte into the pty -> first frame {encoded} with the "
          f"request on show (scanned at home), {SIZE[0]}x{SIZE[1]} headless")  # fmt: skip
    for result in results:
        report(result, settings.warmup + settings.scans, args.target_ms)
    for figure in as_figures(results, args.target_ms):
        print(described(figure))
    print(environment())


if __name__ == "__main__":
    main()
