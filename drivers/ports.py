"""Which serial port is the scanner: names that survive a replug, and a list for technicians.

A USB scanner in serial (CDC/virtual COM) mode gets the next free ``/dev/ttyACM<n>`` when
it is plugged in, so ``ttyACM0`` becomes ``ttyACM1`` after a replug while the old one is
still held open. config.toml therefore names the scanner in a way that does not move:

- a udev link, ``/dev/serial/by-id/usb-Honeywell_...-if00`` (made from the vendor, model
  and serial number), or any other path, opened as is, so the link is followed afresh on
  every reconnect;
- ``vid:pid`` or ``vid:pid:serial`` in hex (``0c2e:0b61``), looked up with
  `serial.tools.list_ports` on every reconnect;
- a pyserial URL (``loop://``, ``socket://host:port``, ``rfc2217://...``), passed to
  `serial.serial_for_url` untouched.

`list_ports` is what ``bench scanner`` prints: every port with its USB id and by-id links,
and the value to copy into config.toml.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from drivers.errors import PortNotFound

LINK_DIRS: Final[tuple[Path, ...]] = (Path("/dev/serial/by-id"), Path("/dev/serial/by-path"))
_USB_ID: Final = re.compile(
    r"(?P<vid>[0-9A-Fa-f]{4}):(?P<pid>[0-9A-Fa-f]{4})(?::(?P<serial>\S+))?", re.ASCII
)

Comports = Callable[[], Iterable[Any]]
"""What enumerates ports: `serial.tools.list_ports.comports`, or a stand-in in tests.
Each item needs pyserial's `ListPortInfo` attributes (device, vid, pid, serial_number...)."""


def system_comports() -> Iterable[Any]:
    from serial.tools import list_ports

    return list(list_ports.comports())


@dataclass(frozen=True)
class PortSpec:
    """The scanner's port as config.toml names it, parsed once."""

    text: str
    kind: Literal["path", "usb", "url"]
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None

    @classmethod
    def parse(cls, text: str) -> PortSpec:
        text = text.strip()
        if not text:
            raise ValueError("no serial port given")
        if "://" in text:
            return cls(text=text, kind="url")
        usb = _USB_ID.fullmatch(text)
        if usb is not None:
            return cls(
                text=text,
                kind="usb",
                vid=int(usb["vid"], 16),
                pid=int(usb["pid"], 16),
                serial_number=usb["serial"],
            )
        return cls(text=os.path.expanduser(text), kind="path")

    def matches(self, port: Any) -> bool:
        """True if a `ListPortInfo` is this USB device (vid, pid and serial, if given)."""
        if self.kind != "usb" or port.vid != self.vid or port.pid != self.pid:
            return False
        return self.serial_number is None or port.serial_number == self.serial_number


def resolve_port(spec: PortSpec | str, comports: Comports | None = None) -> str:
    """The name to hand `serial.serial_for_url` now; raises `PortNotFound` when absent.

    Called on every (re)connect, because what a USB id points at changes with each replug.
    """
    if isinstance(spec, str):
        spec = PortSpec.parse(spec)
    if spec.kind == "url":
        return spec.text
    if spec.kind == "path":
        # os.path.exists follows links: a by-id link whose scanner is unplugged is dangling.
        if not os.path.exists(spec.text):
            raise PortNotFound(f"No scanner at {spec.text}: is it plugged in?")
        return spec.text
    ports = (comports or system_comports)()
    found = sorted((p for p in ports if spec.matches(p)), key=lambda p: str(p.device))
    if not found:
        raise PortNotFound(
            f"No USB scanner {spec.text} is plugged in (`bench scanner` lists the ports there are)."
        )
    if len(found) > 1:
        # Reading whichever came first could be the neighbouring bench's scanner.
        listed = ", ".join(f"{p.device} (serial {p.serial_number or 'unknown'})" for p in found)
        raise PortNotFound(
            f"{len(found)} USB devices match {spec.text}: {listed}. Add the serial number, "
            f'e.g. port = "{_usb_id(found[0])}:{found[0].serial_number or "SERIAL"}".'
        )
    return str(found[0].device)


@dataclass(frozen=True)
class PortInfo:
    """One serial port, as ``bench scanner`` shows it."""

    device: str
    description: str
    usb_id: str | None
    """``vid:pid`` in hex, for USB ports."""
    serial_number: str | None
    links: tuple[str, ...]
    """udev links (``/dev/serial/by-id/...``, ``/dev/serial/by-path/...``) to the device."""

    @property
    def config_value(self) -> str:
        """What to write as [scanner] port: the most stable name the port has."""
        by_id = [link for link in self.links if "/by-id/" in link]
        if by_id:
            return by_id[0]
        if self.usb_id is not None:
            return f"{self.usb_id}:{self.serial_number}" if self.serial_number else self.usb_id
        return self.device


def list_ports(
    comports: Comports | None = None, link_dirs: Sequence[Path] | None = None
) -> list[PortInfo]:
    """Every serial port the system knows, sorted by device, with USB ids and udev links."""
    links = _links_by_target(LINK_DIRS if link_dirs is None else link_dirs)
    ports = []
    for port in (comports or system_comports)():
        device = str(port.device)
        description = str(port.description) if port.description not in (None, "n/a") else ""
        ports.append(
            PortInfo(
                device=device,
                description=description,
                usb_id=_usb_id(port) if port.vid is not None else None,
                serial_number=str(port.serial_number) if port.serial_number else None,
                links=tuple(links.get(os.path.realpath(device), ())),
            )
        )
    return sorted(ports, key=lambda p: p.device)


def _usb_id(port: Any) -> str:
    return f"{int(port.vid):04x}:{int(port.pid):04x}"


def _links_by_target(link_dirs: Sequence[Path]) -> Mapping[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in link_dirs:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:  # no such folder: no udev, or no USB serial device plugged in
            continue
        for entry in entries:
            found.setdefault(os.path.realpath(entry.path), []).append(entry.path)
    return found
