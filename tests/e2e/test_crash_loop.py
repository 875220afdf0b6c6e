"""The real bench killed with SIGKILL at seeded moments of a shift, and restarted each time.

`BENCH_CRASH_SEEDS` (200 by default) seeds, one kill each, across login, checklist,
confirm, label print and sync (`tests/support/crash_loop.py` says what is checked after
each), shared between two benches pushing to one central. `BENCH_CRASH_SEED=N` replays
one seed on a fresh station. The loop's runtime and where the kills landed are printed
(`pytest -s`).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bench.cli.demo import seed_central
from bench.demo_data import demo_dataset
from tests.support.crash_loop import (
    PHASES,
    STATIONS,
    CrashLoop,
    devices_of,
    kill_point,
    seeds_to_run,
)
from tests.support.tmux import BENCH, StationFiles, bench_in_tmux, log_in, quit_bench

pytestmark = pytest.mark.slow

# Requests per seed: every seed can begin a device of its own (about 0.6 a request).
REQUESTS_PER_SEED = 2.25


def station_files(folder: Path, station_id: str, central_url: str) -> StationFiles:
    folder.mkdir()
    local_db, log = folder / "station.db", folder / "bench.log"
    config = folder / "config.toml"
    config.write_text(
        f'[station]\nid = "{station_id}"\n\n'
        '[scanner]\nkind = "wedge"\n\n'
        # The harness tells this bench's connections at central by their name.
        f'[store]\nlocal_path = "{local_db}"\n'
        f'central_url = "{central_url}?application_name={station_id}"\n\n'
        f'[log]\npath = "{log}"\n\n'
        f'[printer]\nkind = "file"\nfolder = "{folder / "labels"}"\n\n'
        # No second gradings picked by chance: every device leaves with its own label.
        "[grading]\nsecond_share = 0\n",
        encoding="utf-8",
    )
    return StationFiles(folder, config, local_db, log, "")


def audit_verify(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BENCH_CENTRAL_URL"}
    return subprocess.run(
        [str(BENCH), "--config", str(config), "audit", "verify", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def run_share(loop: CrashLoop, seeds: list[int], failed: threading.Event) -> None:
    """One station's seeds; stops early once the other station has failed."""
    try:
        for seed in seeds:
            if failed.is_set():
                return
            loop.run_seed(kill_point(seed))
    except BaseException:
        failed.set()
        raise


def test_bench_killed_at_seeded_moments_loses_doubles_and_corrupts_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    seeds = seeds_to_run(dict(os.environ))
    requests = max(100, int(REQUESTS_PER_SEED * len(seeds)))
    dataset = demo_dataset(date.today(), request_count=requests)
    seed_central(pg_url, dataset)
    devices = devices_of(dataset.requests)
    assert len(devices) > len(seeds), "a seed begins one device at most"
    stations = STATIONS[: min(len(STATIONS), len(seeds))]
    files = [station_files(tmp_path / s, s, pg_url) for s in stations]

    with contextlib.ExitStack() as stack:
        loops = []
        for n, (station, f) in enumerate(zip(stations, files, strict=True)):
            term = stack.enter_context(bench_in_tmux(f))
            share = devices[n :: len(stations)]
            loop = CrashLoop(station, term, f.local_db, f.folder / "labels", pg_url, share)
            stack.callback(loop.close)
            loops.append(loop)
        failed = threading.Event()
        began = time.monotonic()
        with ThreadPoolExecutor(len(loops)) as pool:
            runs = [
                pool.submit(run_share, loop, seeds[n :: len(loops)], failed)
                for n, loop in enumerate(loops)
            ]
            for run in runs:
                run.result()
        runtime = time.monotonic() - began
        for loop in loops:
            loop.drain()
            log_in(loop.term)
            quit_bench(loop.term)
        finished = [loop.finished_items() for loop in loops]
        central = sum((loop.central_items() for loop in loops), Counter[str]())

    planned = sum((loop.tally.planned for loop in loops), Counter[str]())
    landed = sum((loop.tally.landed for loop in loops), Counter[str]())
    details = sum((loop.tally.details for loop in loops), Counter[str]())
    saved = set().union(*finished)
    print(
        f"\ncrash loop: {len(seeds)} seeds on {len(loops)} benches in {runtime:.1f} s "
        f"({runtime / len(seeds):.2f} s a seed); planned {dict(planned)}; "
        f"landed {dict(landed)}; {dict(details)}; {len(saved)} inspections saved"
    )
    # The end of the shift: everything finished is at central once, labelled, chained.
    assert set(central) == saved and all(n == 1 for n in central.values())
    for loop, items, f in zip(loops, finished, files, strict=True):
        assert loop.saved_shown <= items
        labels = list((f.folder / "labels").iterdir()) if items else []
        assert not [p.name for p in labels if p.name.startswith(".")], "a half-written label"
        for item in items:
            (label,) = [p for p in labels if p.name.endswith(f"-{item}.png")]
            with Image.open(label) as image:
                image.verify()
        for args in ((), ("--central", "--url", pg_url, "--station", loop.station_id)):
            verified = audit_verify(f.config, *args)
            assert verified.returncode == 0, verified.stdout + verified.stderr
    # The kills really landed in every phase, not only where they were aimed.
    if len(seeds) >= 50:
        least = len(seeds) // 40
        for phase in PHASES:
            assert landed[phase] >= least, f"only {landed[phase]} kills landed in {phase}"
