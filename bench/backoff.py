"""Capped exponential backoff with jitter: how the sync and the print worker wait between
tries while central or the printer does not answer."""

from __future__ import annotations

import random


class Backoff:
    """Capped exponential backoff with full jitter: 1, 2, 4… seconds, at most `cap`."""

    def __init__(self, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None):
        self.base = base
        self.cap = cap
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2**self.failures)
        self.failures += 1
        # Jitter spreads out twenty benches that lost central at the same moment.
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0
