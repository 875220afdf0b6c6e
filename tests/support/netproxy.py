"""A TCP proxy in front of PostgreSQL that tests can cut, restore, stall, slow down, or make
lose a reply.

Real outages, not mocks: the bench's sync talks to this proxy exactly as to a remote
central database, and the proxy does what a network does when it fails.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from contextlib import suppress


class Proxy:
    """Forwards 127.0.0.1:<port> to `upstream`. `cut()` drops every connection and
    refuses new ones; `restore()` lets them through again. `stall()` makes it a central
    that has gone silent: connections are accepted and read, and nothing is forwarded
    either way. `latency` (seconds) holds every byte that long before it goes on, each way,
    as a congested or far-away link does. `lose_reply_after_commit` forwards the next COMMIT
    to the server but drops its reply and the connection."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.stalled = False
        self.latency = 0.0
        self.lose_reply_after_commit = False
        self.replies_lost = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str, user: str = "postgres") -> str:
        # sslmode=disable: the proxy must see COMMIT go by to lose its reply.
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def cut(self) -> None:
        self.up = False
        with self._lock:
            for sock in list(self._sockets):
                _close(sock)
            self._sockets.clear()

    def restore(self) -> None:
        self.up = True

    def stall(self) -> None:
        self.stalled = True

    def end_stall(self) -> None:
        """Answer again. The stalled connections lost bytes, so they are dropped, as a
        server that comes back from a hang drops its clients."""
        self.cut()
        self.stalled = False
        self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        _close(self.listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets |= {client, server}
            state = {"commit_sent": False}
            threading.Thread(
                target=self._pump, args=(client, server, state, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(server, client, state, False), daemon=True
            ).start()

    def _pump(
        self, source: socket.socket, target: socket.socket, state: dict[str, bool], to_server: bool
    ) -> None:
        line = _DelayLine(target, self)
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if self.stalled:
                    continue  # read, never answered
                if to_server and self.lose_reply_after_commit and b"COMMIT" in data:
                    state["commit_sent"] = True
                if not to_server and state["commit_sent"]:
                    # The server committed; the client never hears of it.
                    self.lose_reply_after_commit = False
                    self.replies_lost += 1
                    break
                line.send(data)
        except OSError:
            pass
        finally:
            line.close()
            _close(source)
            _close(target)


class _DelayLine:
    """One direction of a connection: bytes go on `proxy.latency` seconds after they came,
    in order, without holding up the bytes behind them (a delay, not a slow pipe)."""

    def __init__(self, target: socket.socket, proxy: Proxy) -> None:
        self.target = target
        self.proxy = proxy
        self._due: deque[tuple[float, bytes]] = deque()
        self._ready = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closed = False

    def close(self) -> None:
        """The connection ended: the writer sends what is due, then stops."""
        with self._ready:
            self._closed = True
            self._ready.notify()

    def send(self, data: bytes) -> None:
        with self._ready:
            if not self._due and self.proxy.latency <= 0:
                self.target.sendall(data)  # no delay, nothing held: straight on
                return
            self._due.append((time.monotonic() + self.proxy.latency, data))
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, daemon=True)
                self._writer.start()
            self._ready.notify()

    def _write(self) -> None:
        try:
            while True:
                with self._ready:
                    while not self._due:
                        if self._closed:
                            return
                        self._ready.wait()
                    due, data = self._due[0]
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                with self._ready:
                    self._due.popleft()
                    self.target.sendall(data)
        except OSError:
            _close(self.target)  # the connection is gone: so is what was on its way


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()
