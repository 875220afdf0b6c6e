"""The real bench killed with SIGKILL at seeded moments of a shift, and restarted each time.

`BENCH_CRASH_SEEDS` (200 by default) seeds, one kill each, across login, checklist,
confirm, label print and sync (`tests/support/crash_loop.py` says what is checked after
each). `BENCH_CRASH_SEED=N` replays one seed on a fresh station. The loop's runtime and
where the kills landed are printed (`pytest -s`).
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bench.cli.demo import seed_central
from bench.demo_data import demo_dataset
from tests.support.crash_loop import (
    PHASES,
    STATION_ID,
    CrashLoop,
    devices_of,
    kill_point,
    seeds_to_run,
)
from tests.support.tmux import BENCH, StationFiles, bench_in_tmux, log_in, quit_bench

pytestmark = pytest.mark.slow

# Requests per seed: every seed can begin a device of its own (about 0.6 a request).
REQUESTS_PER_SEED = 2.25


def station_config(folder: Path, central_url: str) -> StationFiles:
    local_db, log = folder / "station.db", folder / "bench.log"
    config = folder / "config.toml"
    config.write_text(
        f'[station]\nid = "{STATION_ID}"\n\n'
        '[scanner]\nkind = "wedge"\n\n'
        f'[store]\nlocal_path = "{local_db}"\ncentral_url = "{central_url}"\n\n'
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


def test_bench_killed_at_seeded_moments_loses_doubles_and_corrupts_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    seeds = seeds_to_run(dict(os.environ))
    dataset = demo_dataset(
        date.today(), request_count=max(100, int(REQUESTS_PER_SEED * len(seeds)))
    )
    seed_central(pg_url, dataset)
    devices = devices_of(dataset.requests)
    assert len(devices) > len(seeds), "a seed begins one device at most"
    files = station_config(tmp_path, pg_url)

    with bench_in_tmux(files) as term:
        loop = CrashLoop(term, files.local_db, tmp_path / "labels", pg_url, devices)
        try:
            began = time.monotonic()
            for seed in seeds:
                loop.run_seed(kill_point(seed))
            runtime = time.monotonic() - began
            loop.drain()
            log_in(term)
            quit_bench(term)
            finished = loop.finished_items()
            central = loop.central_items()
            saved_shown = set(loop.saved_shown)
        finally:
            loop.close()

    tally = loop.tally
    print(
        f"\ncrash loop: {len(seeds)} seeds in {runtime:.1f} s "
        f"({runtime / len(seeds):.2f} s a seed); planned {dict(tally.planned)}; "
        f"landed {dict(tally.landed)}; {dict(tally.details)}; "
        f"{len(finished)} inspections saved, {len(saved_shown)} of them shown saved"
    )
    # The end of the shift: everything finished is at central once, labelled, chained.
    assert set(central) == finished and all(n == 1 for n in central.values())
    assert saved_shown <= finished
    labels = list((tmp_path / "labels").iterdir())
    assert not [p.name for p in labels if p.name.startswith(".")], "a half-written label"
    for item in finished:
        (label,) = [p for p in labels if p.name.endswith(f"-{item}.png")]
        with Image.open(label) as image:
            image.verify()
    for args in ((), ("--central", "--url", pg_url)):
        verified = audit_verify(files.config, *args)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    # The kills really landed in every phase, not only where they were aimed.
    if len(seeds) >= 50:
        least = len(seeds) // 40
        for phase in PHASES:
            assert tally.landed[phase] >= least, (
                f"only {tally.landed[phase]} kills landed in {phase}: {dict(tally.landed)}"
            )
