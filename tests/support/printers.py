"""A label printer's raw port on 127.0.0.1 for the printer tests: what a Zebra's port 9100
is. Bound from the start; until `listen()` every connection to it is refused, as by a
printer that is switched off, and from then on each connection's bytes are one job.
`switch_off()` mid-shift refuses connections again, on the same port, until `listen()`."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress


class ZplServer:
    def __init__(self, *, listening: bool = True) -> None:
        self.socket = self._bound(0)
        self.port: int = self.socket.getsockname()[1]
        self.received: list[bytes] = []
        self._off = False
        if listening:
            self.listen()

    @staticmethod
    def _bound(port: int) -> socket.socket:
        bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bound.bind(("127.0.0.1", port))
        return bound

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def listen(self) -> None:
        """The printer is switched on: connections are taken from now on."""
        if self._off:  # switched off mid-shift: the same port again
            self.socket = self._bound(self.port)
            self._off = False
        self.socket.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def switch_off(self) -> None:
        """The printer goes off: no more connections until `listen()`."""
        self._off = True
        with suppress(OSError):  # wakes the accept() waiting on it; close alone would not
            self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()

    def _serve(self) -> None:
        listening = self.socket
        while True:
            try:
                connection, _ = listening.accept()
            except OSError:
                return
            with connection:
                data = b""
                while chunk := connection.recv(65536):
                    data += chunk
                self.received.append(data)

    def item_ids(self) -> list[str]:
        """The item id of each label received, in the order they came."""
        return [
            re.search(rb"\^BC[^\^]*\^FH\^FD(.*?)\^FS", job).group(1).decode()  # type: ignore[union-attr]
            for job in self.received
        ]

    def close(self) -> None:
        self.socket.close()


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until `condition` holds (a worker thread is on it)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.01)
