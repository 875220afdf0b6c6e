"""Garbage collections kept small, so none is a pause an inspector feels.

A full collection walks every object the collector tracks. Start-up builds most of them
(modules, the station's screens, the store) and they live all day, so they are frozen
once the station is open: from then on a full collection walks only what was made since,
a few tens of thousands of objects, and costs milliseconds. The interpreter's own
thresholds then run full collections as usual, each one small; holding them off instead
let a busy bench's garbage pile up into one collection of half a second, and its memory
grow by 200 kB a scan. While nobody scans or types, garbage is also collected, so the
next collection during work finds less.
"""

from __future__ import annotations

import gc
import time

# Garbage is collected when the bench has had no scan or key for IDLE_AFTER seconds
# since its last collection (checked every IDLE_CHECK_EVERY).
IDLE_AFTER = 1.5
IDLE_CHECK_EVERY = 2.0


class IdleCollector:
    """Freezes what start-up built between `start` and `stop`; collects when idle."""

    def __init__(self) -> None:
        self._last_collect = time.monotonic()

    def start(self) -> None:
        gc.collect()  # start-up's own garbage is not frozen with it
        gc.freeze()
        self._last_collect = time.monotonic()

    def check(self, now: float, last_input: float) -> None:
        """Collect once the bench is idle, if anything happened since the last time."""
        if now - last_input > IDLE_AFTER and last_input > self._last_collect:
            gc.collect()
            self._last_collect = now

    def stop(self) -> None:
        # The process (a test run, say) goes on with everything collectable again.
        gc.unfreeze()
