"""A USB-serial or RS-232 barcode scanner: a reader thread that survives unplugging.

Most bench scanners run in USB-serial (CDC, virtual COM port) mode. The bench must read
them without ever stalling the screen, and an inspector yanking the cable, a scanner
rebooting or a flaky hub must not crash anything: the header says SCANNER DISCONNECTED and
the bench picks the scanner up again when it comes back, under the same configured name.

How, and why this way:

- One daemon thread owns the port from open to close (pyserial is blocking, and a port
  touched from two threads is a race). The UI never waits for it: `start` and `stop`
  return at once; the thread closes the port itself within one poll interval (50 ms).
- Results leave the thread only through the three callbacks (`on_scan`, `on_unreadable`,
  `on_state`), called *on the reader thread*; the app wraps them in
  `App.call_from_thread` / `post_message`. A callback that raises is logged and the
  reader carries on: a bug in a screen must not silence the scanner.
- `serial.serial_for_url` opens the port, so config.toml can name a device, a by-id link,
  ``vid:pid[:serial]`` (looked up afresh on every attempt, see `drivers.ports`) or a URL.
- When a read fails (pyserial's "device reports readiness to read but returned no data",
  ``EIO``...) the port is closed at once, a half-read frame becomes one unreadable notice,
  and opening is retried with a doubling delay capped at one second: fast enough that a
  replugged scanner is back before the inspector looks up, slow enough not to spin.
- Bytes become scans in `drivers.framing` (pure, tested on its own); repeats of the same
  code within the double-read window are dropped there too.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from bench.config import Parity, ScannerConfig
from bench.scans import Scan, ScanSource
from drivers.errors import ScannerLost, ScannerUnavailable
from drivers.framing import (
    Decoded,
    DoubleReadFilter,
    FrameDecoder,
    FrameEvent,
    FramingSettings,
    Unreadable,
)
from drivers.ports import Comports, PortSpec, resolve_port

log = logging.getLogger(__name__)

POLL_INTERVAL: Final = 0.05
"""Longest a read waits for a first byte: bounds how late `stop` and `flush` are seen."""
BACKOFF_FIRST: Final = 0.05
BACKOFF_MAX: Final = 1.0
_READ_CHUNK: Final = 4096

# pyserial's parity constants are single letters.
_PYSERIAL_PARITY: Final[dict[str, str]] = {
    "none": "N",
    "even": "E",
    "odd": "O",
    "mark": "M",
    "space": "S",
}


@dataclass(frozen=True)
class SerialSettings:
    """How to open and frame one serial scanner. Build it with `from_config`."""

    port: str
    """A path, a by-id link, ``vid:pid[:serial]`` or a pyserial URL (`drivers.ports`)."""
    baud: int = 9600
    data_bits: int = 8
    parity: Parity = "none"
    stop_bits: int = 1
    framing: FramingSettings = field(default_factory=FramingSettings)
    double_read_window: float = 1.5
    """Seconds; 0 turns the double-read filter off."""
    exclusive: bool = True
    """Lock the port (POSIX ``flock``) so a second bench process cannot split its bytes."""
    poll_interval: float = POLL_INTERVAL
    backoff_first: float = BACKOFF_FIRST
    backoff_max: float = BACKOFF_MAX

    @classmethod
    def from_config(
        cls,
        scanner: ScannerConfig,
        *,
        port: str | None = None,
        source: ScanSource = ScanSource.SERIAL,
    ) -> SerialSettings:
        """Settings from config.toml's [scanner]; `port` overrides it (the simulated pty)."""
        return cls(
            port=scanner.port if port is None else port,
            baud=scanner.baud,
            data_bits=scanner.data_bits,
            parity=scanner.parity,
            stop_bits=scanner.stop_bits,
            framing=FramingSettings(
                terminator=scanner.terminator,
                max_frame_length=scanner.max_frame_length,
                inter_char_timeout=scanner.inter_char_timeout_ms / 1000,
                source=source,
            ),
            double_read_window=scanner.double_read_window_ms / 1000,
        )

    def describe(self) -> str:
        """``9600 8N1, CR`` : the line settings as a technician reads them."""
        parity = _PYSERIAL_PARITY[self.parity]
        return f"{self.baud} {self.data_bits}{parity}{self.stop_bits}, {self.framing.terminator}"


class ScannerStatus(StrEnum):
    CONNECTING = "connecting"
    """Started, not opened yet."""
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    """Not open: never found, or lost; retrying. `ScannerState.problem` says why."""
    STOPPED = "stopped"


@dataclass(frozen=True)
class ScannerState:
    """What the header shows about the scanner."""

    status: ScannerStatus
    port: str
    """As configured (``/dev/serial/by-id/...``, ``0c2e:0b61``...)."""
    device: str | None = None
    """What `port` resolved to when last opened or tried (``/dev/ttyACM1``)."""
    problem: str | None = None
    """Why it is not connected, in plain words; None when connected."""
    since: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def connected(self) -> bool:
        return self.status is ScannerStatus.CONNECTED

    @property
    def label(self) -> str:
        """``SCANNER CONNECTED``, ``SCANNER DISCONNECTED``...: the header's words."""
        return f"SCANNER {self.status.value.upper()}"


ScanCallback = Callable[[Scan], None]
UnreadableCallback = Callable[[Unreadable], None]
StateCallback = Callable[[ScannerState], None]
FrameCallback = Callable[[FrameEvent, bool], None]
"""Diagnostics: every frame, and True if it was dropped as a double-read."""


class SerialScanner:
    """Reads one serial scanner on its own thread; see the module docstring.

    Callbacks run on the reader thread, one at a time, in the order things happened.
    `on_frame` (optional) sees every frame, double-reads included, for ``bench scanner
    --listen``. `comports` replaces `serial.tools.list_ports.comports` in tests.
    """

    def __init__(
        self,
        settings: SerialSettings,
        on_scan: ScanCallback,
        on_unreadable: UnreadableCallback,
        on_state: StateCallback,
        *,
        on_frame: FrameCallback | None = None,
        comports: Comports | None = None,
    ) -> None:
        self.settings = settings
        self._spec = PortSpec.parse(settings.port)
        self._on_scan = on_scan
        self._on_unreadable = on_unreadable
        self._on_state = on_state
        self._on_frame = on_frame
        self._comports = comports
        self._decoder = FrameDecoder(settings.framing)
        self._double_reads = DoubleReadFilter(settings.double_read_window)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = ScannerState(ScannerStatus.STOPPED, port=settings.port)

    @property
    def state(self) -> ScannerState:
        """The latest state (also reported through `on_state` when it changes)."""
        return self._state

    def start(self) -> None:
        """Start the reader thread; returns at once. A scanner is started once."""
        if self._thread is not None:
            raise RuntimeError("this scanner was started already")
        self._thread = threading.Thread(
            target=self._run, name=f"scanner {self.settings.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the reader to close the port and end; returns at once (never blocks a UI).

        The thread notices within `poll_interval` (or at once while waiting to retry),
        closes the port and reports `STOPPED`. `join` waits for that, off the UI thread.
        """
        self._stopping.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds for the reader to end; True if it has."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # -- the reader thread ----------------------------------------------------------------

    def _run(self) -> None:
        delay = self.settings.backoff_first
        self._set_state(ScannerStatus.CONNECTING)
        try:
            while not self._stopping.is_set():
                try:
                    port, device = self._open()
                except Exception as error:
                    if not isinstance(error, ScannerUnavailable):  # a bug, not the scanner
                        log.exception("scanner %s: unexpected error opening", self.settings.port)
                    self._set_state(ScannerStatus.DISCONNECTED, problem=str(error))
                    self._stopping.wait(delay)
                    delay = min(delay * 2, self.settings.backoff_max)
                    continue
                opened_at = time.monotonic()
                self._double_reads.reset()  # a replugged scanner's next read is never a repeat
                self._set_state(ScannerStatus.CONNECTED, device=device)
                lost = self._read_until_lost_or_stopped(port, device)
                if lost is None:
                    break
                self._deliver(self._decoder.abort(), time.monotonic())
                self._set_state(ScannerStatus.DISCONNECTED, device=device, problem=str(lost))
                if time.monotonic() - opened_at > self.settings.backoff_max:
                    delay = self.settings.backoff_first  # it had been working: retry soon
                self._stopping.wait(delay)
                delay = min(delay * 2, self.settings.backoff_max)
        finally:
            self._set_state(ScannerStatus.STOPPED)

    def _open(self) -> tuple[Any, str]:
        """Resolve and open the port; `ScannerUnavailable` (from pyserial's error) if not."""
        import serial  # pyserial; imported here so `import drivers.serial_scanner` stays cheap

        try:
            device = resolve_port(self._spec, self._comports)
        except OSError as error:  # sysfs unreadable while a device is being removed
            raise ScannerUnavailable(f"Cannot list serial ports: {error}") from error
        settings = self.settings
        try:
            port = serial.serial_for_url(
                device,
                baudrate=settings.baud,
                bytesize=settings.data_bits,
                parity=_PYSERIAL_PARITY[settings.parity],
                stopbits=settings.stop_bits,
                timeout=settings.poll_interval,
                exclusive=settings.exclusive,
            )
        except (OSError, ValueError) as error:  # SerialException is an OSError
            raise ScannerUnavailable(_why_not_opened(device, error)) from error
        if self._spec.kind == "path":
            # Show where a by-id link led (/dev/ttyACM1): that is what changes on a replug.
            device = os.path.realpath(device)
        log.info("scanner %s opened as %s (%s)", settings.port, device, settings.describe())
        return port, device

    def _read_until_lost_or_stopped(self, port: Any, device: str) -> ScannerLost | None:
        """Read and deliver frames until `stop` (None) or until the port fails (why).

        The port is closed before this returns, in either case: a lost device is released
        at once so the system can give its name to the scanner when it comes back.
        """
        try:
            while not self._stopping.is_set():
                try:
                    self._read_once(port)
                except ScannerLost as lost:
                    log.warning("scanner %s lost: %s", device, lost.__cause__ or lost)
                    return lost
                except Exception as error:  # a bug here must not end the reader for good
                    log.exception("scanner %s: unexpected error; reopening", device)
                    return ScannerLost(f"Scanner reader failed ({error}); reconnecting")
            return None
        finally:
            try:
                port.close()
            except Exception:  # closing a vanished device can fail; it is gone either way
                log.debug("closing scanner port %s failed", device, exc_info=True)

    def _read_once(self, port: Any) -> None:
        try:
            # read(1) waits up to poll_interval for the first byte; then take whatever the
            # driver already holds, so a frame is usually decoded from one chunk.
            data: bytes = port.read(1)
            if data:
                waiting = int(port.in_waiting)
                if waiting:
                    data += port.read(min(waiting, _READ_CHUNK))
        except OSError as error:  # SerialException, or EIO from in_waiting's ioctl
            raise ScannerLost(
                f"Scanner disconnected (unplugged or switched off); waiting for it at "
                f"{self.settings.port}"
            ) from error
        now = time.monotonic()
        events = self._decoder.feed(data, now) if data else self._decoder.flush(now)
        self._deliver(events, now)

    def _deliver(self, events: Sequence[FrameEvent], now: float) -> None:
        for event in events:
            if isinstance(event, Decoded):
                counted = self._double_reads.accept(event.scan, now)
                if self._on_frame is not None:
                    self._call(self._on_frame, event, not counted)
                if counted:
                    self._call(self._on_scan, event.scan)
            else:
                log.info("unreadable scan (%s): %s", event.reason.value, event.shown)
                if self._on_frame is not None:
                    self._call(self._on_frame, event, False)
                self._call(self._on_unreadable, event)

    def _set_state(
        self, status: ScannerStatus, *, device: str | None = None, problem: str | None = None
    ) -> None:
        old = self._state
        if (old.status, old.device, old.problem) == (status, device, problem):
            return  # retrying with the same outcome: nothing new to show
        self._state = ScannerState(status, port=self.settings.port, device=device, problem=problem)
        self._call(self._on_state, self._state)

    def _call(self, callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("scanner callback %r failed", callback)


def _why_not_opened(device: str, error: OSError | ValueError) -> str:
    """Why a port did not open, in words a technician can act on."""
    code = error.errno if isinstance(error, OSError) else None
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return f"No scanner at {device}: is it plugged in?"
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"No permission to open {device}: add the bench's user to the dialout group "
            "(then log in again)."
        )
    if code in (errno.EBUSY, errno.EAGAIN):
        return (
            f"{device} is in use by another program (another bench, or a serial terminal): "
            "close it."
        )
    if isinstance(error, ValueError):
        return f"{device} rejects the scanner settings in config.toml: {error}."
    return f"Cannot open {device}: {error}"
