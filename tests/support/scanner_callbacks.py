"""A scanner driver's three callbacks, recording what arrives and on which thread: the
serial-driver tests and the `bench scanner` tests read a driver through it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bench.scans import Scan
from drivers.framing import Unreadable
from drivers.framing import UnreadableReason as R
from drivers.serial_scanner import ScannerState, ScannerStatus


class Collector:
    """The three callbacks, recording what arrives and on which thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[Scan | Unreadable] = []
        self.states: list[ScannerState] = []
        self.threads: set[int] = set()

    def on_scan(self, scan: Scan) -> None:
        with self.lock:
            self.events.append(scan)
            self.threads.add(threading.get_ident())

    def on_unreadable(self, notice: Unreadable) -> None:
        with self.lock:
            self.events.append(notice)
            self.threads.add(threading.get_ident())

    def on_state(self, state: ScannerState) -> None:
        with self.lock:
            self.states.append(state)
            self.threads.add(threading.get_ident())

    @property
    def scans(self) -> list[str]:
        with self.lock:
            return [e.text for e in self.events if isinstance(e, Scan)]

    @property
    def notices(self) -> list[R]:
        with self.lock:
            return [e.reason for e in self.events if isinstance(e, Unreadable)]

    @property
    def statuses(self) -> list[ScannerStatus]:
        with self.lock:
            return [s.status for s in self.states]

    def status(self) -> ScannerStatus | None:
        with self.lock:
            return self.states[-1].status if self.states else None

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what}; states {self.statuses}, "
                    f"events {self.events[-5:]}"
                )
            time.sleep(0.005)

    def wait_status(self, status: ScannerStatus, timeout: float = 5.0) -> None:
        self.wait_for(f"status {status.value}", lambda: self.status() is status, timeout)
