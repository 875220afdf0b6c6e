"""A central that accepts connections and then never answers: OFFLINE within the deadline,
ONLINE again when it answers, and the queued inspections arrive exactly once.

Through a real TCP proxy in front of a real PostgreSQL (tests/support/netproxy.py) that
reads everything and forwards nothing, as a hung server or proxy does.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import __version__
from bench.station import SyncState
from store.central import init_central
from store.local import LocalStore
from store.sync import Backoff, SyncEngine, SyncWorker
from tests.support.inspections import finished
from tests.support.netproxy import Proxy
from tests.support.store_helpers import central_count

DEADLINE = 1.0


@pytest.fixture
def proxy(pg_url: str) -> Iterator[Proxy]:
    init_central(pg_url)
    url = make_url(pg_url)
    running = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield running
    running.close()


def next_state(states: queue.Queue[SyncState], online: bool, within: float) -> SyncState:
    """The first state reported within `within` seconds whose online is `online`."""
    ends = time.monotonic() + within
    while (left := ends - time.monotonic()) > 0:
        try:
            state = states.get(timeout=left)
        except queue.Empty:
            break
        if state.online is online:
            return state
    raise AssertionError(f"no {'ONLINE' if online else 'OFFLINE'} state within {within} s")


def test_a_silent_central_is_offline_within_the_deadline_then_recovers(
    tmp_path: Path, pg_url: str, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    database = make_url(pg_url).database
    assert database
    local = LocalStore.open(tmp_path / "station.db")
    sync = SyncEngine(
        local, proxy.url(database), "B-07", app_version=__version__, round_deadline=DEADLINE
    )
    states: queue.Queue[SyncState] = queue.Queue()
    worker = SyncWorker(sync, states.put, interval=0.2, backoff=Backoff(base=0.2, cap=0.5))
    worker.start()
    try:
        assert next_state(states, online=True, within=10).queued == 0
        caplog.set_level(logging.WARNING, logger="store.sync.engine")
        proxy.stall()
        for n in range(2):
            local.finish_inspection(finished(n))
        stalled_at = time.monotonic()
        worker.wake()
        silent = next_state(states, online=False, within=DEADLINE + 2)
        assert time.monotonic() - stalled_at < DEADLINE + 2
        assert silent.problem == f"central has not answered for {DEADLINE:.0f} s"
        assert silent.queued == 2 and silent.offline_since is not None
        assert any(
            r.levelno == logging.WARNING and "central has not answered for" in r.getMessage()
            for r in caplog.records
        )
        proxy.end_stall()
        back = next_state(states, online=True, within=15)
        if back.queued:  # the round that came back may have started before them
            back = next_state(states, online=True, within=5)
        assert back.queued == 0
    finally:
        worker.stop(timeout=10)
        local.close()
    assert central_count(pg_url) == 2
