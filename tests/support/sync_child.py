"""A sync process for crash and concurrency tests: `python -m tests.support.sync_child ...`.

It runs the real SyncEngine against the real stores. `--die-at HOOK:K` makes it SIGKILL
itself at the K-th passage through HOOK, to land a crash exactly between two steps:
  insert        before the K-th batch is sent to central
  before-mark   after central committed the K-th batch, before the bench marks it sent
  after-mark    right after the K-th batch is marked sent
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import __version__
from store import sync
from store.local import LocalStore
from store.sync import pgcopy
from tests.support.inspections import finished


def die_on_call(k: int, before: Callable[..., Any] | None, after: Callable[..., Any] | None):
    calls = {"n": 0}

    def hooked(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if before is None:
            result = after(*args, **kwargs)  # type: ignore[misc]
            if calls["n"] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        if calls["n"] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return before(*args, **kwargs)

    return hooked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("local")
    parser.add_argument("central")
    parser.add_argument("--station", default="B-07")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--create", type=int, default=0, help="record this many first")
    parser.add_argument("--go-file", type=Path, help="wait for this file before pushing")
    parser.add_argument("--die-at", default="")
    args = parser.parse_args()
    local = LocalStore.open(args.local)
    for n in range(args.create):
        local.finish_inspection(finished(n, station=args.station))
    if args.die_at:
        hook, k = args.die_at.split(":")
        if hook == "insert":
            pgcopy.store_batch = die_on_call(int(k), pgcopy.store_batch, None)  # type: ignore[assignment]
        elif hook == "before-mark":
            LocalStore.mark_sent = die_on_call(int(k), LocalStore.mark_sent, None)  # type: ignore[method-assign]
        elif hook == "after-mark":
            LocalStore.mark_sent = die_on_call(int(k), None, LocalStore.mark_sent)  # type: ignore[method-assign]
    if args.go_file:
        Path(f"{args.local}.ready").touch()  # recorded everything: ready for the start
        while not args.go_file.exists():
            time.sleep(0.01)
    engine = sync.SyncEngine(
        local, args.central, args.station, app_version=__version__, batch_size=args.batch
    )
    state = engine.run_once(pull=False)
    print(f"online={state.online} pushed={state.pushed} queued={state.queued}")
    raise SystemExit(0 if state.online else 1)


if __name__ == "__main__":
    main()
