"""Sync processes killed with SIGKILL at seeded points, and twenty benches at once."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.central import central_engine, init_central, inspection_table
from store.local import LocalStore
from tests.support.inspections import finished
from tests.support.store_helpers import outbox_rows

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.sync_child", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def central_ids(url: str) -> list[str]:
    engine = central_engine(url)
    try:
        with engine.connect() as conn:
            return [str(i) for i in conn.execute(select(inspection_table.c.id)).scalars()]
    finally:
        engine.dispose()


def test_sync_killed_at_fifty_seeded_points_loses_and_doubles_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    init_central(pg_url)
    path = tmp_path / "station.db"
    local = LocalStore.open(path)
    recorded = 0
    hooks = ("insert", "before-mark", "after-mark")
    killed = 0
    for seed in range(50):
        rng = random.Random(seed)
        for _ in range(rng.randint(5, 40)):  # the bench goes on inspecting between crashes
            local.finish_inspection(finished(recorded))
            recorded += 1
        if seed % 5 == 4:
            # A kill from outside at a random moment, wherever the process happens to be.
            proc = child(str(path), pg_url, "--batch", "7")
            time.sleep(rng.uniform(0.3, 1.5))
            proc.kill()
        else:
            point = f"{hooks[seed % 3]}:{rng.randint(1, 3)}"
            proc = child(str(path), pg_url, "--batch", "7", "--die-at", point)
        killed += proc.wait(timeout=60) == -9
        # Whatever the bench marked sent, central has; central never has a row twice.
        in_central = central_ids(pg_url)
        assert len(in_central) == len(set(in_central))
        sent = {r.inspection_id for r in outbox_rows(local) if r.sent_at is not None}
        assert sent <= set(in_central), f"seed {seed}: marked sent but not central"
    assert killed >= 40  # the crashes really happened, not clean exits
    final = child(str(path), pg_url, "--batch", "7")
    _out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    in_central = central_ids(pg_url)
    local_ids = {r.inspection_id for r in outbox_rows(local)}
    assert len(in_central) == len(set(in_central)) == recorded
    assert set(in_central) == local_ids
    assert local.queued_count() == 0
    local.close()


def test_twenty_benches_pushing_at_once_land_exactly_twenty_thousand(
    tmp_path: Path, pg_url: str
) -> None:
    init_central(pg_url)
    go = tmp_path / "go"
    benches = [
        child(str(tmp_path / f"B-{n:02d}.db"), pg_url, "--station", f"B-{n:02d}",
              "--create", "1000", "--go-file", str(go))
        for n in range(20)
    ]  # fmt: skip
    # Let every bench record its 1,000 inspections, then release them together.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready = [p for p in benches if (tmp_path / f"B-{benches.index(p):02d}.db").exists()]
        if len(ready) == 20:
            break
        time.sleep(0.2)
    go.touch()
    results = [p.communicate(timeout=600) for p in benches]
    assert all(p.returncode == 0 for p in benches), [err for _, err in results if err][:1]
    engine = central_engine(pg_url)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(inspection_table)).scalar_one()
        stations = conn.execute(
            select(func.count(func.distinct(inspection_table.c.station_id)))
        ).scalar_one()
    engine.dispose()
    assert total == 20_000 and stations == 20
