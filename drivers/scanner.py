"""The one place the app gets its scanner from: config.toml's [scanner] kind decides which.

The app should not need to know that a simulated scanner is a pty read by the serial
driver, only that it gets an object to `start`, `stop` and ask for its `state`, and that
scans arrive through callbacks on another thread. A wedge scanner has no driver object:
it types into the terminal, and the app reads keys (`drivers.wedge`).
"""

from __future__ import annotations

from typing import Protocol

from bench.config import ScannerConfig
from drivers.serial_scanner import (
    ScanCallback,
    ScannerState,
    SerialScanner,
    SerialSettings,
    StateCallback,
    UnreadableCallback,
)


class ScannerDriver(Protocol):
    """What the app holds: a scanner read on its own thread."""

    @property
    def state(self) -> ScannerState: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> bool: ...


def scanner_from_config(
    config: ScannerConfig,
    *,
    on_scan: ScanCallback,
    on_unreadable: UnreadableCallback,
    on_state: StateCallback,
) -> ScannerDriver | None:
    """The driver for [scanner] kind (not started), or None for a keyboard-wedge scanner.

    The callbacks run on the driver's thread: wrap them in `App.call_from_thread` or post
    a message from them.
    """
    if config.kind == "wedge":
        return None
    if config.kind == "serial":
        return SerialScanner(SerialSettings.from_config(config), on_scan, on_unreadable, on_state)
    from drivers.simulated import SimulatedSerialScanner

    return SimulatedSerialScanner(config, on_scan, on_unreadable, on_state)
