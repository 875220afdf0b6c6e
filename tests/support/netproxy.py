"""A TCP proxy in front of PostgreSQL that tests can cut, restore, stall, or make lose a reply.

Real outages, not mocks: the bench's sync talks to this proxy exactly as to a remote
central database, and the proxy does what a network does when it fails.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class Proxy:
    """Forwards 127.0.0.1:<port> to `upstream`. `cut()` drops every connection and
    refuses new ones; `restore()` lets them through again. `stall()` makes it a central
    that has gone silent: connections are accepted and read, and nothing is forwarded
    either way. `lose_reply_after_commit` forwards the next COMMIT to the server but drops
    its reply and the connection."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.stalled = False
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
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()
