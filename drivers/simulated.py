"""A scanner without a scanner: a real pseudo-terminal that the demo and the tests write to.

The serial driver must be tested against what it will meet on a bench, not a mock of
pyserial. A pty is a real tty: pyserial opens its slave end exactly as it opens
``/dev/ttyACM0``, and closing the master end makes the next read fail with the same
"device reports readiness to read but returned no data" that a USB scanner gives when it
is unplugged. So `SimulatedScanner` is a scanner device: its master end is the scanner's
"cable", with helpers to send frames with any terminator, garbage, split writes and
half-sent frames, and to unplug and replug it behind the same link (like udev's
``/dev/serial/by-id/...``, which points at a new ``ttyACM<n>`` after a replug).

`SimulatedSerialScanner` pairs one with the real `SerialScanner` for ``bench demo`` and
``[scanner] kind = "simulated"``: codes "scanned" in the demo go through the same bytes,
framing and thread as a real scanner's.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import select
import threading
import time
import tty
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

from bench.config import ScannerConfig
from bench.scans import ScanSource
from drivers.framing import CR, ETX, LF, STX, frame_bytes
from drivers.serial_scanner import (
    ScanCallback,
    ScannerState,
    ScannerStatus,
    SerialScanner,
    SerialSettings,
    StateCallback,
    UnreadableCallback,
)

# Bytes that cannot be part of a valid frame: control bytes (not GS, not the framing bytes
# themselves, so one garbage frame stays one frame) and bytes that are never valid UTF-8.
_BAD_BYTES: Final = bytes(
    b
    for b in [*range(0x20), 0x7F, 0xC0, 0xC1, *range(0xF5, 0x100)]
    if b not in (CR, LF, STX, ETX, 0x1D)
)
# Anything but the framing bytes: garbage around the bad byte.
_NOISE_BYTES: Final = bytes(b for b in range(0x100) if b not in (CR, LF, STX, ETX))


def garbage(rng: random.Random, length: int = 12) -> bytes:
    """Line noise: `length` random bytes, at least one of them bad, none of them CR, LF,
    STX or ETX, so it makes exactly one unreadable frame once a terminator follows."""
    noise = bytearray(rng.choice(_NOISE_BYTES) for _ in range(max(1, length)))
    noise[rng.randrange(len(noise))] = rng.choice(_BAD_BYTES)
    return bytes(noise)


class SimulatedScanner:
    """A scanner device on a pseudo-terminal; write to it to "scan".

    `port` is what the bench opens: `link` when given (a symlink kept pointing at the
    current pty), else the pty's own name. Writes block until the bench has read enough
    (a pty buffers a few kilobytes), unless given a `timeout`.
    """

    def __init__(self, link: Path | str | None = None, terminator: str = "CR") -> None:
        self.link = Path(link) if link is not None else None
        self.terminator = terminator
        self._master: int | None = None
        self._device: str | None = None
        # Guards the master fd: `unplug` may come from another thread (the demo's reader
        # stopping) while a write is under way, and a closed fd number can be reused.
        self._lock = threading.Lock()
        self.plug()

    @property
    def device(self) -> str:
        """The pty slave the bench reads (``/dev/pts/7``); changes with every replug."""
        if self._device is None:
            raise RuntimeError("the simulated scanner is unplugged")
        return self._device

    @property
    def port(self) -> str:
        """What to put in [scanner] port: the link if there is one, else the device."""
        return str(self.link) if self.link is not None else self.device

    @property
    def plugged(self) -> bool:
        return self._master is not None

    # -- plugging -------------------------------------------------------------------------

    def plug(self) -> None:
        """Create a new pty (a new device name) and point the link at it."""
        if self._master is not None:
            return
        master, slave = os.openpty()
        try:
            # Raw from the start: a tty's default line discipline would turn CR into LF
            # and eat control bytes before pyserial gets to configure it.
            tty.setraw(slave)
            device = os.ttyname(slave)
        finally:
            # The master keeps the pty alive; the bench opens the slave by name.
            os.close(slave)
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        with self._lock:
            self._master, self._device = master, device
        if self.link is not None:
            # Swap the link atomically, as udev does: the bench never sees it half-made.
            temporary = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            os.symlink(device, temporary)
            os.replace(temporary, self.link)

    def unplug(self) -> None:
        """Close the pty and remove the link: to the bench, the cable was pulled."""
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()
        with self._lock:
            if self._master is not None:
                os.close(self._master)
            self._master, self._device = None, None

    def replug(self) -> None:
        """Unplug, then plug in again (at a new pty, behind the same link)."""
        self.unplug()
        self.plug()

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> SimulatedScanner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sending --------------------------------------------------------------------------

    def write(self, data: bytes, timeout: float | None = None) -> None:
        """Send raw bytes; wait while the pty is full (up to `timeout` s: TimeoutError)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        view = memoryview(data)
        while view:
            with self._lock:
                master = self._master
                if master is None:
                    raise RuntimeError("the simulated scanner is unplugged")
                try:
                    view = view[os.write(master, view) :]
                    continue
                except BlockingIOError:
                    pass  # the pty is full: wait below, without holding the lock
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError("nobody is reading the simulated scanner")
            with contextlib.suppress(OSError, ValueError):
                # Unplugged meanwhile: the fd is closed (or reused); the loop re-checks.
                select.select([], [master], [], left)

    def frame(self, text: str | bytes, terminator: str | None = None) -> bytes:
        """The bytes a scanner sends for `text`: with our terminator unless one is given."""
        return frame_bytes(text, terminator or self.terminator)

    def send(self, text: str | bytes, terminator: str | None = None) -> None:
        """Scan `text`: one whole frame in one write."""
        self.write(self.frame(text, terminator))

    def send_split(self, data: bytes, cuts: Sequence[int], pause: float = 0.0) -> None:
        """Write `data` in pieces cut at the `cuts` offsets, `pause` seconds apart."""
        start = 0
        for cut in [*sorted(cuts), len(data)]:
            if cut <= start:
                continue
            if start and pause:
                time.sleep(pause)
            self.write(data[start:cut])
            start = cut

    def send_half(self, text: str | bytes) -> None:
        """The first half of a frame, never finished: a trigger released mid-read."""
        payload = text.encode("utf-8") if isinstance(text, str) else text
        if self.terminator == "STX/ETX":
            payload = bytes([STX]) + payload
        self.write(payload[: max(1, len(payload) // 2)])

    def send_garbage(self, rng: random.Random, length: int = 12) -> bytes:
        """Line noise as one terminated frame; returns the noise sent."""
        noise = garbage(rng, length)
        self.write(self.frame(noise))
        return noise


class SimulatedSerialScanner:
    """A `SimulatedScanner` read by the real `SerialScanner`: the demo's scanner.

    Same `start` / `stop` / `join` / `state` as `SerialScanner`, plus `scan(text)` to send
    a code as if it had been scanned (callable from the UI thread: it never waits). The
    pty goes away by itself once the reader has stopped.
    """

    def __init__(
        self,
        config: ScannerConfig,
        on_scan: ScanCallback,
        on_unreadable: UnreadableCallback,
        on_state: StateCallback,
    ) -> None:
        self.device = SimulatedScanner(terminator=config.terminator)
        settings = SerialSettings.from_config(
            config, port=self.device.port, source=ScanSource.SIMULATED
        )

        def state_changed(state: ScannerState) -> None:
            if state.status is ScannerStatus.STOPPED:
                # Called after the reader closed its end: the device can go now, and
                # unplugging it earlier would have shown a disconnect, not a stop.
                self.device.close()
            on_state(state)

        self.reader = SerialScanner(settings, on_scan, on_unreadable, state_changed)

    @property
    def state(self) -> ScannerState:
        return self.reader.state

    def start(self) -> None:
        self.reader.start()

    def stop(self) -> None:
        """Stop reading; returns at once. The device is closed when the reader is done."""
        self.reader.stop()

    def join(self, timeout: float | None = None) -> bool:
        return self.reader.join(timeout)

    def scan(self, text: str) -> None:
        """Send `text` as one scan. Raises TimeoutError if nobody has read the last few
        kilobytes, RuntimeError once stopped."""
        self.device.write(self.device.frame(text), timeout=0)
