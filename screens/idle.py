"""Garbage collections kept small, and done while nobody waits.

A full collection walks every object the collector tracks. Start-up builds most of them
(modules, the station's screens, the store) and they live all day, so they are frozen
once the station is open: from then on a full collection walks only what was made since,
a few tens of thousands of objects, and costs milliseconds. The bench collects in the
quiet after each scan or key, when its screen shows what the input led to and the
inspector reads it; on a bench that is never quiet the interpreter's own full collections
run as usual, each one small. Holding them off instead let a busy bench's garbage pile up
into one collection of half a second, and its memory grow by 200 kB a scan.

Nor does a collection run between an input and the frame that shows what it led to: the
interpreter's collections wait until just after that frame (a few milliseconds), then run
as usual. Landing inside a step, they took its p99 from about 15 ms to 25 to 30.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

# Garbage is collected once a scan or key is followed by IDLE_AFTER seconds of quiet
# (checked every IDLE_CHECK_EVERY): longer than any step takes to show, shorter than an
# inspector takes to read it and answer.
IDLE_AFTER = 0.3
IDLE_CHECK_EVERY = 0.25
# Collections held for a step are let go by the check after this long, should its frame
# never come (an input that changes nothing on screen still gets one, but be sure).
HELD_AT_MOST = 0.2
# How long after the frame the collections wait: the terminal's writer thread needs the
# interpreter to send the frame, and a collection would hold it.
AFTER_FRAME = 0.005


class IdleCollector:
    """Freezes what start-up built between `start` and `stop`; collects when idle. Holds
    collections from an input to just after the frame that shows it, through the app's
    `AfterFrame`."""

    def __init__(self, after_frame: AfterFrame) -> None:
        self._after_frame = after_frame
        self._last_collect = time.monotonic()
        self._started = False

    def start(self) -> None:
        gc.collect()  # start-up's own garbage is not frozen with it
        gc.freeze()
        self._last_collect = time.monotonic()
        self._started = True

    def hold_for_step(self, now: float) -> None:
        """An input arrived: no collection until just after the frame that shows it."""
        if self._started:
            gc.disable()
            self._after_frame.add(self._let_go, now)

    @staticmethod
    def _let_go() -> None:
        gc.enable()

    def check(self, now: float, last_input: float) -> None:
        """Collect once the bench is idle, if anything happened since the last time."""
        if now - last_input > IDLE_AFTER and last_input > self._last_collect:
            gc.collect()
            self._last_collect = now

    def stop(self) -> None:
        # The process (a test run, say) goes on with everything collectable again.
        self._started = False
        gc.enable()
        gc.unfreeze()


class AfterFrame:
    """What waits for the frame that shows a step: collections held for it, writes the
    inspector does not wait on (the audit entry of a request opened, the inspection a scan
    began), waking the threads that push and print, emptying a view left. Each runs
    AFTER_FRAME after the frame painted next, through `run` (the app's message queue), or
    at the idle check should no frame come within HELD_AT_MOST. What an input adds before
    the last input's has run waits with it for the new step's frame.

    Not Textual's `call_after_refresh`: its message lets the screen go idle before the
    widgets of the step have asked to be laid out, and it ran before the step's frame.
    """

    def __init__(self, run: Callable[[Callable[[], object]], object]) -> None:
        self._run = run
        self._waiting: list[Callable[[], object]] = []
        self._since: float | None = None
        """When the first of what waits was added: since the first of inputs in a row."""
        self._due: asyncio.TimerHandle | None = None

    def add(self, callback: Callable[[], object], now: float) -> None:
        self._waiting.append(callback)
        if self._since is None:
            self._since = now
        self.stop()  # a frame painted before it is not the one it waits for

    def frame_painted(self) -> None:
        if self._waiting and self._due is None:
            self._due = asyncio.get_running_loop().call_later(AFTER_FRAME, self._go)

    def check(self, now: float) -> None:
        if self._since is not None and now - self._since > HELD_AT_MOST:
            self._go()

    def _go(self) -> None:
        self.stop()
        waiting, self._waiting, self._since = self._waiting, [], None
        for callback in waiting:
            self._run(callback)

    def stop(self) -> None:
        """Nothing runs until the next frame is painted, or the check."""
        if self._due is not None:
            self._due.cancel()
            self._due = None
