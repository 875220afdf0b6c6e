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
    """Freezes what start-up built between `start` and `stop`; collects when idle."""

    def __init__(self) -> None:
        self._last_collect = time.monotonic()
        self._started = False
        self._held_since: float | None = None
        """When collections were last held for a step, until its frame is painted."""
        self._release: asyncio.TimerHandle | None = None

    def start(self) -> None:
        gc.collect()  # start-up's own garbage is not frozen with it
        gc.freeze()
        self._last_collect = time.monotonic()
        self._started = True

    def hold_for_step(self, now: float) -> None:
        """An input arrived: no collection until just after `frame_painted`."""
        if self._started:
            gc.disable()
            if self._held_since is None:  # held since the first of inputs in a row
                self._held_since = now
            if self._release is not None:  # the previous step's: this one holds on
                self._release.cancel()
                self._release = None

    def frame_painted(self) -> None:
        """A frame went to the terminal: collections run again a moment later."""
        if self._held_since is not None and self._release is None:
            self._release = asyncio.get_running_loop().call_later(AFTER_FRAME, self._let_go)

    def _let_go(self) -> None:
        self._release = None
        if self._held_since is not None:
            gc.enable()
            self._held_since = None

    def check(self, now: float, last_input: float) -> None:
        """Collect once the bench is idle, if anything happened since the last time."""
        if self._held_since is not None and now - self._held_since > HELD_AT_MOST:
            self._let_go()
        if now - last_input > IDLE_AFTER and last_input > self._last_collect:
            gc.collect()
            self._last_collect = now

    def stop(self) -> None:
        # The process (a test run, say) goes on with everything collectable again.
        if self._release is not None:
            self._release.cancel()
        self._let_go()
        self._started = False
        gc.unfreeze()


class AfterFrame:
    """What waits for the frame that shows a step: writes the inspector does not wait on
    (the audit entry of a request opened, the inspection a scan began), waking the threads
    that push and print, emptying a view left. Each runs AFTER_FRAME after the next frame
    is painted, through `run` (the app's message queue), or at the idle check should no
    frame come within HELD_AT_MOST.

    Not Textual's `call_after_refresh`: its message lets the screen go idle before the
    widgets of the step have asked to be laid out, and it ran before the step's frame.
    """

    def __init__(self, run: Callable[[Callable[[], object]], object]) -> None:
        self._run = run
        self._waiting: list[Callable[[], object]] = []
        self._since: float | None = None
        self._due: asyncio.TimerHandle | None = None

    def add(self, callback: Callable[[], object], now: float) -> None:
        self._waiting.append(callback)
        if self._since is None:
            self._since = now

    def frame_painted(self) -> None:
        if self._waiting and self._due is None:
            self._due = asyncio.get_running_loop().call_later(AFTER_FRAME, self._go)

    def check(self, now: float) -> None:
        if self._since is not None and now - self._since > HELD_AT_MOST:
            self._go()

    def _go(self) -> None:
        if self._due is not None:
            self._due.cancel()
            self._due = None
        waiting, self._waiting, self._since = self._waiting, [], None
        for callback in waiting:
            self._run(callback)

    def stop(self) -> None:
        if self._due is not None:
            self._due.cancel()
            self._due = None
