"""Garbage collections kept small, and done while nobody waits.

A full collection walks every object the collector tracks. Start-up builds most of them
(modules, the station's screens, the store) and they live all day, so they are frozen
once the station is open: from then on a full collection walks only what was made since,
a few tens of thousands of objects, and costs milliseconds. The bench collects in the
quiet after each scan or key, when its screen shows what the input led to and the
inspector reads it; on a bench that is never quiet the interpreter's own full collections
run as usual, each one small. Holding them off instead let a busy bench's garbage pile up
into one collection of half a second, and its memory grow by 200 kB a scan.
"""

from __future__ import annotations

import gc
import time

# Garbage is collected once a scan or key is followed by IDLE_AFTER seconds of quiet
# (checked every IDLE_CHECK_EVERY): longer than any step takes to show, shorter than an
# inspector takes to read it and answer.
IDLE_AFTER = 0.3
IDLE_CHECK_EVERY = 0.25


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
