"""A deadline on every sync round: a central that stops answering is OFFLINE, not ONLINE.

The connect timeout, statement_timeout, TCP keepalives and tcp_user_timeout all need the
other end to say something (refuse, cancel a statement) or the network to lose data. A
central that accepted the connection and then never answers (a proxy that reads and never
replies, a SIGSTOPped server whose kernel still ACKs) trips none of them: a round would
wait on its socket for minutes, the header saying ONLINE, nothing in the log.

So a round runs in a thread of its own, watched. Every statement central answers, every
connection checked out and every batch is progress; when none has come for the deadline,
the watch shuts down the round's sockets (its blocked read fails at once and the round ends
as an outage) and the engine reports OFFLINE. A round still stuck after that, blocked
where no socket reaches, is left to end on its own, and no new round starts beside it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine, event

from bench.station import SyncState

# How long the watch waits for a round whose sockets it shut down to end, before it
# reports the stall anyway.
WIND_DOWN_SECONDS = 0.5


@dataclass(frozen=True)
class Stalled:
    """Central answered nothing for `seconds`; `still_running`: the round has not ended."""

    seconds: float
    still_running: bool


class RoundWatch:
    """Runs rounds under a no-progress deadline, and can cut the round's connections."""

    def __init__(self, deadline: float) -> None:
        if deadline <= 0:
            raise ValueError("the round deadline must be positive")
        self.deadline = deadline
        self._last = time.monotonic()
        # Every driver connection the engine opened and has not yet dropped: a round can
        # hang on one before it is checked out (the pool's pre-ping), so all are cut.
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._round: threading.Thread | None = None

    def attach(self, engine: Engine) -> None:
        """Count what `engine` does as progress and know which connections it opened."""
        event.listen(engine, "connect", self._connected)
        event.listen(engine, "checkout", lambda *_: self.progressed())
        event.listen(engine, "after_cursor_execute", lambda *_: self.progressed())

    def progressed(self) -> None:
        self._last = time.monotonic()

    @property
    def stuck(self) -> bool:
        """A round the watch gave up on has not ended yet."""
        return self._round is not None and self._round.is_alive()

    def run(self, round: Callable[[], SyncState]) -> SyncState | Stalled:
        """Run `round` in its own thread; its state, or `Stalled` if central went silent.

        An error the round raises is raised here, as if it had run in the caller.
        """
        outcome: list[SyncState | BaseException] = []

        def body() -> None:
            try:
                outcome.append(round())
            except BaseException as error:  # raised again in the caller's thread
                outcome.append(error)

        self.progressed()
        thread = threading.Thread(target=body, name="bench-sync-round", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(min(0.1, self.deadline / 4))
            silent = time.monotonic() - self._last
            if thread.is_alive() and silent > self.deadline:
                self._cut()
                thread.join(WIND_DOWN_SECONDS)
                self._round = thread
                return Stalled(silent, thread.is_alive())
        (result,) = outcome
        if isinstance(result, BaseException):
            raise result
        return result

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        self.progressed()
        if hasattr(dbapi_connection, "pgconn"):  # psycopg; SQLite has no socket to cut
            self._connections.add(dbapi_connection)

    def _cut(self) -> None:
        """Shut down the socket of every connection: a read blocked on one fails at once
        (closing the driver connection instead would wait on its lock). Idle pooled ones
        go too; the pool's pre-ping replaces them."""
        for connection in list(self._connections):
            with suppress(OSError, psycopg.Error):  # already closed: nothing to cut
                fd = os.dup(connection.pgconn.socket)
                # shutdown() acts on the socket itself, not only on this duplicate.
                with socket.socket(fileno=fd) as duplicate:
                    duplicate.shutdown(socket.SHUT_RDWR)
