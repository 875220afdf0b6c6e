"""Pauses and memory over a shift of continuous scanning: the real app (`run_test`,
120x40) with 1,000,000 requests in the replica, scanned one package label after another
with no quiet between them (each request shown, Esc back home), as a busy bench is.

Measured in a fresh process (the replica is written first by the parent, as
`benchmarks.scan_latency` writes it):

  - every garbage collection during the scans (gc.callbacks): the longest is the longest
    pause the collector put on the screen; target no pause over 50 ms;
  - what a full collection costs once the scans are done (the once-a-minute collection of
    a bench never left idle pays this);
  - GC-tracked objects still alive after a full collection, before and after the scans,
    per scan (cycles that survive a scan grow it);
  - resident memory (/proc/self/statm) after the scans, target under 150 MB, and its
    growth per scan.

Usage: python -m benchmarks.pauses [--requests 1000000] [--scans 300]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.cli.station import station_app
from bench.config import CENTRAL_URL_ENV
from bench.logs import setup_logging
from benchmarks.figures import Figure
from benchmarks.scan_latency import GcWatch, home, pick_ids, request_shown
from benchmarks.station import SIZE, FrameWatch, fill_replica, log_in, station_config

PAUSE_TARGET_MS = 50.0
MEMORY_TARGET_MB = 150.0


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class Shift:
    scans: int
    collections_ms: list[float]
    """Every collection during the scans, any generation."""
    full_collections_ms: list[float]
    step_ms: list[float]
    """Each scan to its request on screen, and each Esc back to home."""
    full_after_ms: float
    live_before: int
    live_after: int
    resident_before_mb: float
    resident_after_mb: float


async def shift(folder: Path, codes: list[str]) -> Shift:
    config = station_config(folder)
    setup_logging(config.log.path, config.log.level)
    app = station_app(config)
    steps: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        watch = FrameWatch(app, encode=True)
        scanner = await log_in(app, pilot, watch, home)
        live_before = GcWatch.live_objects()
        resident_before = resident_mb()
        with GcWatch() as collector:
            for code in codes:
                watch.expect(request_shown(code))
                scanner.scan(code)
                began = time.perf_counter()
                steps.append((await watch.wait(code) - began) * 1000)
                watch.expect(home)
                began = time.perf_counter()
                await pilot.press("escape")
                steps.append((await watch.wait("the home screen") - began) * 1000)
        resident_after = resident_mb()
        began = time.perf_counter()
        gc.collect()
        full_after = (time.perf_counter() - began) * 1000
        live_after = GcWatch.live_objects()
        await pilot.pause()
    return Shift(
        scans=len(codes),
        collections_ms=[(end - start) * 1000 for _, start, end in collector.collections],
        full_collections_ms=[
            (end - start) * 1000
            for generation, start, end in collector.collections
            if generation == 2
        ],
        step_ms=steps,
        full_after_ms=full_after,
        live_before=live_before,
        live_after=live_after,
        resident_before_mb=resident_before,
        resident_after_mb=resident_after,
    )


def measure(requests: int, scans: int, seed: int = 11) -> Shift:
    """Write the replica here, scan in a fresh process (as a bench starts the app)."""
    with tempfile.TemporaryDirectory(prefix="bench-pauses-") as name:
        folder = Path(name)
        print(f"set-up: writing {requests:,} requests + {requests:,} items…", file=sys.stderr)
        fill_replica(folder / "station.db", requests, via_store=False)
        child = [
            sys.executable, "-m", "benchmarks.pauses", "--child", str(folder),
            "--requests", str(requests), "--scans", str(scans), "--seed", str(seed),
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k != CENTRAL_URL_ENV}
        done = subprocess.run(child, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the scanning process failed (exit status {done.returncode})")
    return Shift(**json.loads(done.stdout.strip().splitlines()[-1]))


def figures(quick: bool = False) -> list[Figure]:
    return shift_figures(*((20_000, 60) if quick else (1_000_000, 300)))


def shift_figures(requests: int, scans: int) -> list[Figure]:
    result = measure(requests, scans)
    longest = max(result.collections_ms)
    grown = (result.live_after - result.live_before) / result.scans
    per_scan_kb = (result.resident_after_mb - result.resident_before_mb) * 1024 / result.scans
    where = f"{result.scans} continuous scans, {requests:,} requests"
    fulls = result.full_collections_ms
    return [
        Figure.of(
            "longest garbage-collection pause in a shift of continuous scanning",
            longest,
            "ms",
            result.collections_ms,
            f"< {PAUSE_TARGET_MS:.0f} ms",
            longest < PAUSE_TARGET_MS,
            note=f"{where}; {len(result.collections_ms)} collections, {len(fulls)} full "
            f"(longest {max(fulls, default=0):.1f} ms); longest step "
            f"{max(result.step_ms):.1f} ms",
        ),
        Figure.of(
            "a full collection after the shift (what a bench never idle pays)",
            result.full_after_ms,
            "ms",
            [result.full_after_ms],
            f"< {PAUSE_TARGET_MS:.0f} ms",
            result.full_after_ms < PAUSE_TARGET_MS,
            note=f"live GC-tracked objects {result.live_before:,} -> {result.live_after:,}, "
            f"{grown:+.1f} per scan",
        ),
        Figure.of(
            f"resident memory after {result.scans} scans",
            result.resident_after_mb,
            "MB",
            [result.resident_before_mb, result.resident_after_mb],
            f"< {MEMORY_TARGET_MB:.0f} MB",
            result.resident_after_mb < MEMORY_TARGET_MB,
            note=f"{where}; {result.resident_before_mb:.1f} MB after login, "
            f"{per_scan_kb:+.1f} kB per scan",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="20,000 requests, 60 scans")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        codes = pick_ids(args.requests, args.scans, args.seed)
        print(json.dumps(asdict(asyncio.run(shift(args.child, codes)))))
        return
    sized = (20_000, 60) if args.quick else (args.requests, args.scans)
    for figure in shift_figures(*sized):
        verdict = "met" if figure.met else "MISSED"
        print(f"{figure.name}: {figure.value:.1f} {figure.unit} ({figure.note}); "
              f"target {figure.target}: {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
