"""Fault switches for a running bench: central unreachable, central slow, the station's
disk full, the scanner gone, the printer gone. A test flips one on and off while the real
app runs, with every part real:

- central is a real PostgreSQL behind a TCP proxy (`tests.support.netproxy`) that refuses
  and drops connections, or holds every byte for a set latency;
- the station's files live on a small tmpfs of their own, filled to the last byte for
  real (mounting one needs root: where this process may not, only the disk switch is
  unavailable, and a test flipping it is skipped saying why; filling a directory of an
  ordinary disk would fill the machine's disk, and a size limit on the process is not a
  full disk: SQLite reports it as an I/O error);
- the scanner is a real pseudo-terminal behind a by-id style link, read by the real serial
  driver; gone means the pty closed and the link removed, as when a cable is pulled;
- the printer is a ZPL port on 127.0.0.1 that stops listening and comes back.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.cli.demo import seed_central
from drivers.simulated import SimulatedScanner
from screens.app import BenchApp
from tests.support.netproxy import Proxy
from tests.support.printers import ZplServer
from tests.support.station import Station, dataset

DISK_BYTES = 8 * 1024 * 1024
PRINTER_TIMEOUT_SECONDS = 2.0
SLOW_CENTRAL_SECONDS = 2.0


@contextlib.contextmanager
def small_disk(folder: Path) -> Iterator[Path | str]:
    """A tmpfs of DISK_BYTES mounted at `folder`: its path; or why none could be mounted."""
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        yield f"cannot mount a tmpfs to fill here (needs root): {done.stderr.strip()}"
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def disk_filled(disk: Path) -> Iterator[None]:
    """Fill `disk` to the last byte, and free it again afterwards."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (65536, 512, 1):  # big blocks, then what is left to the last byte
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    try:
        yield
    finally:
        filler.unlink()


@dataclass
class Faults:
    """The switches. Each is a context manager: the fault while inside, gone after."""

    central: Proxy
    printer: ZplServer
    scanner: SimulatedScanner
    disk: Path | str
    """The station's own filesystem, or why there is none to fill."""

    @contextlib.contextmanager
    def central_unreachable(self) -> Iterator[None]:
        """Every connection to central dropped and every new one refused."""
        self.central.cut()
        try:
            yield
        finally:
            self.central.restore()

    @contextlib.contextmanager
    def central_slow(self, latency: float = SLOW_CENTRAL_SECONDS) -> Iterator[None]:
        """Every byte to and from central held `latency` seconds."""
        self.central.latency = latency
        try:
            yield
        finally:
            self.central.latency = 0.0

    @contextlib.contextmanager
    def disk_full(self) -> Iterator[None]:
        if isinstance(self.disk, str):
            pytest.skip(self.disk)
        with disk_filled(self.disk):
            yield

    @contextlib.contextmanager
    def scanner_gone(self) -> Iterator[None]:
        """The scanner's cable pulled: its pty closed and its link removed; then back."""
        self.scanner.unplug()
        try:
            yield
        finally:
            self.scanner.plug()

    @contextlib.contextmanager
    def printer_gone(self) -> Iterator[None]:
        """The printer switched off mid-shift: its port refuses connections; then on."""
        self.printer.switch_off()
        try:
            yield
        finally:
            self.printer.listen()


@dataclass
class FaultyBench:
    """A station with every part real and every switch at hand."""

    station: Station
    faults: Faults
    central_url: str
    """Central itself, not through the proxy: what the test reads back."""

    def app(self) -> BenchApp:
        return self.station.app(
            scanner="serial",
            # Command codes are scanned again and again: a short double-read window.
            scanner_settings={"port": self.faults.scanner.port, "double_read_window_ms": 100},
            printer={
                "kind": "zpl",
                "address": self.faults.printer.address,
                "timeout_seconds": PRINTER_TIMEOUT_SECONDS,
            },
        )


@contextlib.contextmanager
def faulty_bench(folder: Path, pg_url: str, sync_interval: float = 0.2) -> Iterator[FaultyBench]:
    """A seeded central on PostgreSQL behind a proxy, a ZPL printer, a pty scanner, and
    the station's files on a disk of their own (a plain folder where none can be mounted:
    then only the disk switch is unavailable)."""
    seed_central(pg_url, dataset())
    url = make_url(pg_url)
    assert url.database
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    printer = ZplServer()
    scanner = SimulatedScanner(link=folder / "scanner")
    try:
        with small_disk(folder / "disk") as disk:
            files = disk if isinstance(disk, Path) else folder / "disk"
            station = Station(files, proxy.url(url.database), sync_interval=sync_interval)
            yield FaultyBench(station, Faults(proxy, printer, scanner, disk), pg_url)
    finally:
        scanner.close()
        printer.close()
        proxy.close()
