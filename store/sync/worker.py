"""The sync worker: runs `SyncEngine` rounds in a background thread, often while central
answers and with capped exponential backoff while it does not.

Apart from the engine because it is the only threaded, timed part of sync: the engine's
rounds can be run and tested one by one without it. No Textual: the app listens to
`SyncWorker` through a callback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bench.backoff import Backoff
from bench.problems import DISK_FULL, disk_full
from bench.station import SyncState
from store.sync.engine import SyncEngine

log = logging.getLogger(__name__)


class SyncWorker:
    """Runs the engine in a background thread: often while online, backing off while not.

    `on_state` is called from the worker thread after every round; the app turns it into a
    message. `wake()` asks for a round now (an inspection was just saved).
    """

    def __init__(
        self,
        engine: SyncEngine,
        on_state: Callable[[SyncState], None],
        *,
        interval: float = 5.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.engine = engine
        self.on_state = on_state
        self.interval = interval
        self.backoff = backoff or Backoff(cap=30.0)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 0.0) -> None:
        """Ask the worker to finish; wait at most `timeout` seconds (0: do not wait, the
        thread closes its connections itself when its round ends)."""
        self._stop.set()
        self._wake.set()
        if timeout:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    state = self.engine.run_once()
                except Exception as error:  # a bug must not kill sync for the rest of the shift
                    state = self._failed(error)
                self.on_state(state)
                if state.online:
                    self.backoff.reset()
                delay = self.interval if state.online else self.backoff.next_delay()
                self._wake.wait(delay)
                self._wake.clear()
        finally:
            self.engine.close()

    def _failed(self, error: Exception) -> SyncState:
        if disk_full(error):
            # What central took stays queued here and is sent again, which changes nothing.
            log.warning("sync: cannot record the round in the station database: %s", error)
            problem = str(error)
            return SyncState(
                online=False, queued=self._queued(), problem=problem, needs_action=DISK_FULL
            )
        log.exception("sync: round failed")
        return SyncState(online=False, queued=self._queued(), problem="sync failed: see the log")

    def _queued(self) -> int:
        try:
            return self.engine.local.queued_count()
        except Exception:  # the count is only for the header
            return 0
