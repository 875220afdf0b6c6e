"""Full garbage collections only while the bench is idle.

A full collection stalls the screen for 0.1-0.5 s wherever it falls, so a scan could wait
that long: freeze what start-up built, let the cheap young collections run as usual, and
run full ones only while nobody is scanning or typing (or at least once a minute on a busy
bench).
"""

from __future__ import annotations

import gc
import time

# Garbage is collected when the bench has had no scan or key for IDLE_AFTER seconds
# (checked every IDLE_CHECK_EVERY), and at least every COLLECT_AT_LEAST_EVERY.
IDLE_AFTER = 1.5
IDLE_CHECK_EVERY = 2.0
COLLECT_AT_LEAST_EVERY = 60.0
# Generation-1 collections before an automatic full one: so many that none happens.
NO_AUTOMATIC_FULL_COLLECTION = 1_000_000_000


class IdleCollector:
    """Takes full collections over from the interpreter between `start` and `stop`."""

    def __init__(self) -> None:
        self._thresholds = gc.get_threshold()
        self._last_collect = time.monotonic()

    def start(self) -> None:
        gc.freeze()
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, NO_AUTOMATIC_FULL_COLLECTION)
        self._last_collect = time.monotonic()

    def check(self, now: float, last_input: float) -> None:
        """Collect if the bench is idle, or has not collected for too long."""
        if now - last_input > IDLE_AFTER or now - self._last_collect > COLLECT_AT_LEAST_EVERY:
            gc.collect()
            self._last_collect = now

    def stop(self) -> None:
        # The process (a test run, say) goes on with the usual collector.
        gc.set_threshold(*self._thresholds)
        gc.unfreeze()
