"""``bench scanner``: set a scanner up at the bench without the station UI.

A technician plugging in a new scanner needs three answers before the station can use it:
which port it is on (and the name for config.toml that survives a replug), whether the
line settings are right, and what exactly the scanner sends (terminator, AIM prefix, GS1
separators). ``bench scanner`` lists the ports; ``bench scanner --listen`` prints every
frame as it arrives, raw bytes, decoded text, symbology and what the bench makes of it;
``bench scanner simulate`` is a scanner on a pseudo-terminal for trying all that (and the
station) without hardware.

One module of the `bench.cli` package; heavy imports (pyserial, the scan parser) happen
only when a command runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import queue
import random
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from bench.config import Terminator, load_config, parse_config

if TYPE_CHECKING:
    from drivers.framing import FrameEvent
    from drivers.serial_scanner import ScannerState, SerialSettings
    from drivers.simulated import SimulatedScanner

SIMULATE_HELP = """\
Each line typed is sent as one scan, with the terminator of --terminator. Lines starting
with ! are commands:
  !garbage          line noise, as one frame (the bench shows "unreadable scan")
  !split TEXT       TEXT in three pieces, 20 ms apart (the bench must see one scan)
  !half TEXT        the first half of TEXT, never finished (cut off after a pause)
  !cr TEXT  !lf TEXT  !crlf TEXT  !stx TEXT   TEXT with that terminator
  !raw HEX          these bytes, e.g. !raw 5d43310102 (no terminator added)
  !unplug           pull the cable: the pty closes and the link goes away
  !plug             plug it back in: a new pty behind the same link
  !!TEXT            send "!TEXT"
  !help             this list
End with Ctrl-D."""


def add_commands(commands: Any) -> None:
    """Add ``bench scanner`` to the `bench` parser's subcommands."""
    scanner = commands.add_parser(
        "scanner",
        help="list serial ports; --listen prints each scan as it arrives (set-up diagnostic)",
        description="Without options: list serial ports with their USB ids and by-id names. "
        "With --listen: open the scanner (settings from --config's [scanner], or the options "
        "below) and print every frame it sends until Ctrl-C.",
    )
    scanner.add_argument("--listen", action="store_true", help="print frames as they arrive")
    scanner.add_argument(
        "--port", help="path, /dev/serial/by-id/..., vid:pid[:serial] or URL (default: config)"
    )
    scanner.add_argument("--baud", type=int, help="line speed (default: config, or 9600)")
    scanner.add_argument("--data-bits", type=int, help="5 to 8 (default: config, or 8)")
    scanner.add_argument("--parity", help="none | even | odd | mark | space (default: none)")
    scanner.add_argument("--stop-bits", type=int, help="1 or 2 (default: config, or 1)")
    scanner.add_argument("--terminator", help="CR | LF | CRLF | STX/ETX (default: config, or CR)")
    scanner.add_argument(
        "--count", type=int, default=None, help="stop after this many frames (default: never)"
    )
    scanner.set_defaults(command=scanner_command)
    scanner_commands = scanner.add_subparsers(title="scanner commands", metavar="COMMAND")
    simulate = scanner_commands.add_parser(
        "simulate",
        help="a scanner on a pseudo-terminal: each line typed is sent as a scan",
        description="Create a pseudo-terminal and a link to it at --link, then send each line "
        "read from standard input as one scan. Point the bench at the link ([scanner] kind = "
        '"serial", port = LINK) or run `bench scanner --listen --port LINK` next to it.\n\n'
        + SIMULATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument("--link", type=Path, required=True, help="where to create the link")
    simulate.add_argument(
        "--terminator",
        default="CR",
        choices=("CR", "LF", "CRLF", "STX/ETX"),
        help="what ends each scan (default: CR)",
    )
    simulate.set_defaults(command=simulate_command)


def scanner_command(args: argparse.Namespace) -> int:
    if args.listen:
        return listen(args)
    given = [f"--{name}" for name in ("port", "baud", "terminator", "count") if getattr(args, name)]
    if given:
        _fail(f"{given[0]} is for --listen: add --listen to print what the scanner sends.")
    return list_ports_command(args)


# -- listing ports -------------------------------------------------------------------------


def list_ports_command(args: argparse.Namespace) -> int:
    from drivers.ports import list_ports

    ports = list_ports()
    if not ports:
        print(
            "No serial ports found. A USB scanner in serial (USB-COM / CDC) mode shows up as "
            '/dev/ttyACM<n>; one in keyboard mode needs [scanner] kind = "wedge" instead. '
            'Check the cable, or scan the scanner\'s "USB serial" set-up code.'
        )
    for port in ports:
        usb = f"USB {port.usb_id}" if port.usb_id else "not USB"
        serial_number = f", serial {port.serial_number}" if port.serial_number else ""
        print(f"{port.device}  {usb}{serial_number}  {port.description}".rstrip())
        for link in port.links:
            print(f"    {link}")
        print(f'    config.toml: port = "{port.config_value}"')
    _show_configured_port(args.config)
    return 0


def _show_configured_port(path: Path) -> None:
    """Say whether config.toml's scanner port is there: the first thing a technician asks."""
    if not path.exists():
        return
    from drivers.errors import ScannerUnavailable
    from drivers.ports import resolve_port

    scanner = load_config(path).scanner
    if scanner.kind == "wedge" or not scanner.port:
        print(f'{path}: [scanner] kind = "{scanner.kind}" (no serial port to check)')
        return
    try:
        found = resolve_port(scanner.port)
    except (ScannerUnavailable, ValueError) as error:
        print(f"{path}: [scanner] port {scanner.port}: {error}")
    else:
        print(f"{path}: [scanner] port {scanner.port} is {found}")


# -- listening -----------------------------------------------------------------------------


def listen(args: argparse.Namespace) -> int:
    from drivers.serial_scanner import ScannerState, SerialScanner

    if args.count is not None and args.count < 1:
        _fail("--count must be at least 1.")
    # The lines printed here say what the driver's log would: keep its warnings off stderr.
    logging.getLogger("drivers").addHandler(logging.NullHandler())
    settings = _listen_settings(args)
    inbox: queue.Queue[ScannerState | tuple[FrameEvent, bool]] = queue.Queue()

    def ignore(_: object) -> None:
        """Frames are printed from `on_frame`, which also sees double-reads."""

    scanner = SerialScanner(
        settings,
        on_scan=ignore,
        on_unreadable=ignore,
        on_state=inbox.put,
        on_frame=lambda event, double: inbox.put((event, double)),
    )
    print(f"Listening on {settings.port} ({settings.describe()}). Ctrl-C stops.", flush=True)
    scanner.start()
    frames = 0
    try:
        while args.count is None or frames < args.count:
            try:
                item = inbox.get(timeout=0.2)  # a timeout keeps Ctrl-C responsive
            except queue.Empty:
                continue
            if isinstance(item, ScannerState):
                print(_state_line(item), flush=True)
            else:
                print(_frame_line(*item), flush=True)
                frames += 1
    finally:
        scanner.stop()
        scanner.join(2.0)
    return 0


def _listen_settings(args: argparse.Namespace) -> SerialSettings:
    """The serial settings: config.toml's [scanner] if there is one, options on top.

    The options go through the same validation as config.toml, so `--parity N` gets the
    same message as `parity = "N"` would.
    """
    from drivers.serial_scanner import SerialSettings

    options = {
        "port": args.port,
        "baud": args.baud,
        "data_bits": args.data_bits,
        "parity": args.parity,
        "stop_bits": args.stop_bits,
        "terminator": args.terminator,
    }
    given = {key: value for key, value in options.items() if value is not None}
    scanner: dict[str, Any] = {}
    config_path: Path = args.config
    if config_path.exists():
        scanner = dataclasses.asdict(load_config(config_path).scanner)
        if "port" not in given and (scanner["kind"] != "serial" or not scanner["port"]):
            _fail(
                f'{config_path} has [scanner] kind = "{scanner["kind"]}": there is no serial '
                "port to listen to. Pass --port (see `bench scanner` for the ports there are)."
            )
    elif "port" not in given:
        _fail(
            f"No {config_path} to take the scanner's port from: pass --port, e.g. --port "
            "/dev/ttyACM0 (`bench scanner` lists the ports there are)."
        )
    scanner.update(given, kind="serial")
    config = parse_config(
        {"station": {"id": "LISTEN"}, "scanner": scanner},
        base_dir=Path.cwd(),
        name="bench scanner --listen",
    )
    return SerialSettings.from_config(config.scanner)


def _state_line(state: ScannerState) -> str:
    from drivers.serial_scanner import ScannerStatus

    stamp = _clock(state.since)
    if state.status is ScannerStatus.CONNECTED:
        device = f" ({state.device})" if state.device and state.device != state.port else ""
        return f"{stamp}  -- connected to {state.port}{device}; scan a code"
    if state.status is ScannerStatus.DISCONNECTED:
        return f"{stamp}  -- DISCONNECTED: {state.problem} (retrying)"
    return f"{stamp}  -- {state.status.value}"


def _frame_line(event: FrameEvent, double_read: bool) -> str:
    """One frame: time, raw bytes, decoded text, symbology, what the bench makes of it."""
    from bench.scans import classify_scan, describe
    from drivers.framing import Decoded, shown_bytes

    if not isinstance(event, Decoded):
        return (
            f"{_clock(event.read_at)}  raw {event.shown}  UNREADABLE ({event.reason.value}): "
            f"{event.problem}"
        )
    scan = event.scan
    meaning = describe(classify_scan(scan))
    if double_read:
        meaning += "  [double read: the bench ignores it]"
    return (
        f"{_clock(scan.read_at)}  raw {shown_bytes(event.raw, limit=120)}  "
        f"text {shown_bytes(scan.text.encode('utf-8'), limit=120)}  "
        f"symbology {scan.symbology or '-'}  => {meaning}"
    )


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S.%f")[:-3]


# -- the simulated scanner -----------------------------------------------------------------


def simulate_command(args: argparse.Namespace) -> int:
    from drivers.simulated import SimulatedScanner

    link: Path = args.link
    if link.exists() and not link.is_symlink():
        _fail(f"{link} exists and is not a link: choose another --link, or remove it.")
    if not link.parent.is_dir():
        _fail(f"{link.parent} is not a folder: --link must be in an existing folder.")
    try:
        device = SimulatedScanner(link=link, terminator=args.terminator)
    except OSError as error:
        _fail(f"Cannot create the simulated scanner at {link}: {error.strerror or error}.")
    print(
        f"Simulated scanner at {link} (now {device.device}). For the bench, set [scanner] "
        f'kind = "serial", port = "{link}", terminator = "{args.terminator}"; or run '
        f"`bench scanner --listen --port {link}`. Type a code and Enter to scan it, "
        "!help for more, Ctrl-D to end.",
        flush=True,
    )
    rng = random.Random()
    try:
        for line in sys.stdin:
            print(_simulate_line(device, line.rstrip("\r\n"), rng), flush=True)
    finally:
        device.close()
    return 0


def _simulate_line(device: SimulatedScanner, line: str, rng: random.Random) -> str:
    """Act on one line of `bench scanner simulate` input; returns what was done."""
    from drivers.framing import shown_bytes

    command, _, rest = line.partition(" ")
    if command == "!help":
        return SIMULATE_HELP
    if command == "!unplug":
        device.unplug()
        return "unplugged"
    if command == "!plug":
        device.plug()
        return f"plugged in at {device.port} (now {device.device})"
    if not device.plugged:
        return "unplugged: !plug first"
    terminators: dict[str, Terminator] = {
        "!cr": "CR",
        "!lf": "LF",
        "!crlf": "CRLF",
        "!stx": "STX/ETX",
    }
    if command == "!garbage":
        data = device.frame(_garbage(rng))
    elif command in terminators:
        data = device.frame(rest, terminators[command])
    elif command == "!raw":
        try:
            data = bytes.fromhex(rest)
        except ValueError:
            return "!raw needs hex digits, e.g. !raw 5d433130"
    elif command in ("!split", "!half"):
        data = device.frame(rest)
        if command == "!half":
            data = data[: max(1, len(data) // 2)]  # never reaches the terminator
    elif line.startswith("!") and not line.startswith("!!"):
        return f"unknown command {command}; !help lists them"
    else:
        data = device.frame(line[1:] if line.startswith("!!") else line)
    try:
        if command == "!split":
            third = max(1, len(data) // 3)
            device.send_split(data, [third, 2 * third], pause=0.02)
        else:
            device.write(data, timeout=1.0)
    except TimeoutError:
        return "not sent: nobody has read the last scans (is the bench reading the link?)"
    return f"sent {shown_bytes(data, limit=120)}"


def _garbage(rng: random.Random) -> bytes:
    from drivers.simulated import garbage

    return garbage(rng)


def _fail(message: str) -> NoReturn:
    """Stop the command with one plain line (`bench.cli.main` prints it, exits non-zero)."""
    from bench.cli.common import CommandFailed

    raise CommandFailed(message)
