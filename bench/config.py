"""The station's config.toml: one declarative schema drives validation and the example file.

A bench is set up by a warehouse technician, not by the developer who wrote it, so every
mistake in config.toml must come back as one message that names the file, the section,
the key, what was expected and what was found, and suggests the fix. To keep that true as
keys are added, nothing here is written per key: `SCHEMA` is a table of keys (section,
name, type, default, allowed values, help text), and both `load_config` and
`write_example` read it. Adding a key means one row in `SCHEMA` and one field in the
section's dataclass (a test checks the two agree).

This module imports only the standard library (and `holidays`, to check the country, a
library the station loads anyway): it runs before the first screen is up.
It is over 400 lines because `SCHEMA` is in it: every key's row, and the checks and
messages all keys share; split, a key would sit apart from what reads it.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final, Literal, get_args

CENTRAL_URL_ENV: Final = "BENCH_CENTRAL_URL"
DEFAULT_CONFIG_PATH: Final = Path("config.toml")

ScannerKind = Literal["serial", "wedge", "simulated"]
Terminator = Literal["CR", "LF", "CRLF", "STX/ETX"]
Parity = Literal["none", "even", "odd", "mark", "space"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LabelSizeName = Literal["4x6", "4x3", "2x1"]  # width x height in inches; bench.labels draws each
Paper = Literal["letter", "a4"]
PrinterKind = Literal["file", "zpl", "cups"]
PrinterFormats = Literal["png", "svg", "png+svg"]  # what the `file` printer writes

# Thermal label printers print at 8, 12 or 24 dots per millimetre; the layout places every
# element on whole dots, so only these resolutions are offered.
LABEL_DPIS: Final = (203, 300, 600)

ZPL_PORT: Final = 9100
"""Zebra and compatible label printers take raw ZPL on this TCP port."""

# The databases bench can use as central, by URL scheme (SQLAlchemy's names, with
# psycopg 3 for PostgreSQL): anything else would only fail later, offline, for ever.
CENTRAL_SCHEMES: Final = ("postgresql", "postgres", "postgresql+psycopg", "sqlite")

# What ends one scan; an STX/ETX frame also starts with STX (0x02).
TERMINATOR_BYTES: Final[Mapping[str, bytes]] = {
    "CR": b"\r",
    "LF": b"\n",
    "CRLF": b"\r\n",
    "STX/ETX": b"\x03",
}


class ConfigError(Exception):
    """config.toml cannot be used. `str(error)` is the whole message, ready to show.

    `problems` holds one line per problem: every problem found is reported at once, so
    a technician fixes the file in one pass instead of one restart per typo.
    """

    def __init__(self, problems: str | list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("\n".join(self.problems))


# --- the sections, as typed values -------------------------------------------------------
# The dataclasses carry no defaults on purpose: defaults live in SCHEMA only, so there is
# one place to change them. Build a Config with `parse_config` or `load_config`.


@dataclass(frozen=True)
class StationConfig:
    id: str
    country: str
    subdivision: str | None


@dataclass(frozen=True)
class SiteConfig:
    time_zone: str
    heartbeat_stale_minutes: int


@dataclass(frozen=True)
class ScannerConfig:
    kind: ScannerKind
    port: str
    baud: int
    data_bits: int
    parity: Parity
    stop_bits: int
    terminator: Terminator
    max_frame_length: int
    inter_char_timeout_ms: int
    wedge_max_gap_ms: int
    double_read_window_ms: int

    @property
    def terminator_bytes(self) -> bytes:
        return TERMINATOR_BYTES[self.terminator]


@dataclass(frozen=True)
class StoreConfig:
    local_path: Path
    central_url: str


@dataclass(frozen=True)
class SyncConfig:
    interval_seconds: float
    batch_size: int
    round_deadline_seconds: float


@dataclass(frozen=True)
class LogConfig:
    path: Path
    level: LogLevel


@dataclass(frozen=True)
class UiConfig:
    idle_logout_minutes: int


@dataclass(frozen=True)
class LoginConfig:
    pin_min_length: int


@dataclass(frozen=True)
class LabelsConfig:
    size: LabelSizeName
    dpi: int
    paper: Paper


@dataclass(frozen=True)
class PrinterConfig:
    kind: PrinterKind
    folder: Path
    formats: PrinterFormats
    address: str
    port: str
    baud: int
    name: str
    timeout_seconds: float

    @property
    def host_and_port(self) -> tuple[str, int]:
        """The zpl printer's network address; the port is 9100 (raw printing) if not given."""
        host, _, port = self.address.strip().rpartition(":")
        if not host:
            return self.address.strip(), ZPL_PORT
        return host.strip("[]"), int(port)


@dataclass(frozen=True)
class GradingConfig:
    second_share: float


@dataclass(frozen=True)
class Config:
    station: StationConfig
    scanner: ScannerConfig
    store: StoreConfig
    sync: SyncConfig
    log: LogConfig
    ui: UiConfig
    login: LoginConfig
    labels: LabelsConfig
    printer: PrinterConfig
    site: SiteConfig
    grading: GradingConfig = GradingConfig(second_share=0.05)
    source: Path | None = None  # the file it was read from; None when built in code (demo)


# --- the schema ---------------------------------------------------------------------------

ValueType = Literal["str", "int", "float", "path"]


class _Required:
    """Marker default: the key has no default and must be present."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()


@dataclass(frozen=True)
class Key:
    """One row of the schema.

    `default` is REQUIRED, None (optional and absent by default: written commented out in
    the example), or the value used when the key is absent. `example` is what the example
    file sets when it differs from the default. `help` is the inline comment; `doc` lines
    go above the key for what does not fit on one line.
    """

    section: str
    name: str
    type: ValueType
    default: object
    help: str
    choices: tuple[str | int, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    pattern_hint: str = ""
    example: object = None
    doc: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def optional(self) -> bool:
        """Absent unless set: written commented out in the example."""
        return self.default is None

    def example_value(self) -> object:
        return self.default if self.example is None else self.example


SECTIONS: Final[Mapping[str, tuple[type, str]]] = {
    "station": (StationConfig, "Who this bench is."),
    "scanner": (ScannerConfig, "The barcode scanner on this bench."),
    "store": (StoreConfig, "Where inspections are kept: locally first, then centrally."),
    "sync": (SyncConfig, "Sending inspections to the central database, fetching requests."),
    "log": (LogConfig, "The log file a technician reads when something goes wrong."),
    "ui": (UiConfig, "The screen."),
    "login": (LoginConfig, "Badges and PINs."),
    "labels": (LabelsConfig, "The disposition label printed for each device, and the sheets."),
    "printer": (PrinterConfig, "Where labels are printed: a folder, a Zebra-type printer, CUPS."),
    "site": (SiteConfig, "The warehouse this bench is in, for the supervisor's figures."),
    "grading": (GradingConfig, "Blind second gradings: how consistently inspectors grade."),
}

SCHEMA: Final[tuple[Key, ...]] = (
    Key(
        "station", "id", "str", REQUIRED, "shown in the header, stored on inspections",
        pattern=r"\S.*", pattern_hint="a name such as \"B-07\"", example="B-07",
    ),
    Key(
        "station", "country", "str", "US", "public holidays for working-day counts",
        pattern=r"[A-Z]{2}", pattern_hint="a two-letter ISO 3166 country code such as \"US\"",
        doc=("Working days (the customer's 5 days to answer a revised quote) skip",
             "weekends and this country's public holidays."),
    ),
    Key(
        "station", "subdivision", "str", None, "state or province for regional holidays",
        example="CA",
    ),
    Key(
        "scanner", "kind", "str", REQUIRED, "serial | wedge | simulated",
        choices=get_args(ScannerKind), example="wedge",
        doc=("serial: a USB/RS-232 scanner read through its serial port (port below).",
             "wedge: the scanner types into this terminal like a keyboard.",
             "simulated: a pseudo-terminal; for demos and tests."),
    ),
    Key(
        "scanner", "port", "str", "",
        "serial only: a path, or \"vid:pid\", or a URL",
        doc=("Serial scanners only. Use a path that survives replugging, e.g.",
             "port = \"/dev/serial/by-id/usb-Honeywell_Scanner-if00\"   # or \"vid:pid\", or a URL",
             "(\"vid:pid\" finds the scanner whatever port number it gets)."),
    ),
    Key("scanner", "baud", "int", 9600, "serial only; the scanner's manual says", minimum=1),
    Key(
        "scanner", "data_bits", "int", 8, "serial only: 8, or 7 for old RS-232 set-ups",
        minimum=5, maximum=8,
    ),
    Key(
        "scanner", "parity", "str", "none", "serial only: none | even | odd | mark | space",
        choices=get_args(Parity),
    ),
    Key("scanner", "stop_bits", "int", 1, "serial only: 1 or 2", minimum=1, maximum=2),
    Key(
        "scanner", "terminator", "str", "CR", "CR | LF | CRLF | STX/ETX: what ends one scan",
        choices=get_args(Terminator),
        doc=("Serial only. With CR, LF or CRLF any of the three ends a scan, so a",
             "re-programmed scanner still works; STX/ETX wraps each scan in 0x02...0x03."),
    ),
    Key(
        "scanner", "max_frame_length", "int", 256,
        "serial only: longer is noise, shown unreadable", minimum=16,
    ),
    Key(
        "scanner", "inter_char_timeout_ms", "int", 200,
        "serial only: a scan stalled this long is cut off",
        minimum=10,
        doc=("A scan whose end has not come this long after its last byte is shown as",
             "unreadable. Scanners send a scan in one burst; raise it for Bluetooth."),
    ),
    Key(
        "scanner", "wedge_max_gap_ms", "int", 50,
        "wedge only: longer gaps are a person typing", minimum=1,
    ),
    Key(
        "scanner", "double_read_window_ms", "int", 1500,
        "the same code again within this is one scan", minimum=0,
    ),
    Key(
        "store", "local_path", "path", "bench-local.db", "the station's SQLite file",
        doc=("Relative paths are relative to the folder this file is in.",),
    ),
    Key(
        "store", "central_url", "str", "", "BENCH_CENTRAL_URL, if set, wins",
        example="sqlite:///bench-central.db",
        doc=("The central database. The environment variable BENCH_CENTRAL_URL, when",
             "set, overrides this. Passwords belong in BENCH_CENTRAL_URL, never here:",
             "e.g. BENCH_CENTRAL_URL=postgresql://bench:SECRET@central/trade_in",
             "\"sqlite:///bench-central.db\" suits a one-machine site or a try-out."),
    ),
    Key(
        "sync", "interval_seconds", "float", 5.0, "how often to push and pull when idle",
        minimum=0.1,
    ),
    Key("sync", "batch_size", "int", 2000, "inspections sent per round trip", minimum=1),
    Key(
        "sync", "round_deadline_seconds", "float", 20.0,
        "central silent this long: OFFLINE, retried",
        minimum=1,
        doc=("A central that accepts the connection and then answers nothing (a hung",
             "server or proxy) is shown OFFLINE after this long, and the round retried."),
    ),
    Key(
        "log", "path", "path", "bench.log", "rotated at 1 MB, 5 files kept",
        doc=("Relative to the folder this file is in. If it cannot be written, bench",
             "logs to the system temp folder instead and says so on screen."),
    ),
    Key(
        "log", "level", "str", "INFO", "DEBUG | INFO | WARNING | ERROR",
        choices=get_args(LogLevel),
    ),
    Key(
        "ui", "idle_logout_minutes", "int", 15,
        "no scan or key this long logs out; 0: never",
        minimum=0,
    ),
    Key(
        "login", "pin_min_length", "int", 6, "digits a new PIN needs (4 to 8)",
        minimum=4, maximum=8,
        doc=("For PINs set from now on (`bench inspectors add`); a shorter PIN set",
             "before still logs in. Five wrong PINs lock a badge for five minutes."),
    ),
    Key(
        "labels", "size", "str", "4x6", "4x6 | 4x3 | 2x1: the label stock, in inches",
        choices=get_args(LabelSizeName),
        doc=("Width x height of the label stock in inches. 4x6 and 4x3 carry every",
             "detail; 2x1 carries the barcode, where it goes, the id, grade and value."),
    ),
    Key(
        "labels", "dpi", "int", 203, "203 | 300 | 600: the label printer's resolution",
        choices=LABEL_DPIS,
    ),
    Key(
        "labels", "paper", "str", "letter", "letter | a4: for the command sheet and badges",
        choices=get_args(Paper),
    ),
    Key(
        "printer", "kind", "str", "file", "file | zpl | cups",
        choices=get_args(PrinterKind),
        doc=("file: each label is written as a file into folder (no printer needed).",
             "zpl: a Zebra-type label printer, sent ZPL II over the network (address)",
             "or a serial port (port, baud). cups: printed with `lp` (name).",
             "Labels queue on this station and print in order as the printer takes them."),
    ),
    Key(
        "printer", "folder", "path", "labels", "file only: where label files are written",
    ),
    Key(
        "printer", "formats", "str", "png", "file only: png | svg | png+svg",
        choices=get_args(PrinterFormats),
    ),
    Key(
        "printer", "address", "str", "", "zpl over the network: host:port (port 9100 if left out)",
        doc=("A zpl printer has either an address, e.g. address = \"10.0.0.5:9100\",",
             "or a serial port, e.g. port = \"/dev/serial/by-id/usb-Zebra-if00\"."),
    ),
    Key("printer", "port", "str", "", "zpl over a serial port: its path or a URL"),
    Key("printer", "baud", "int", 9600, "zpl over a serial port: the printer's baud", minimum=1),
    Key(
        "printer", "name", "str", "", "cups only: the lp printer name; empty: lp's default",
    ),
    Key(
        "printer", "timeout_seconds", "float", 10.0,
        "a printer silent this long has failed; the job is retried", minimum=0.5,
    ),
    Key(
        "site", "time_zone", "str", "UTC", "an IANA zone, e.g. \"America/New_York\"",
        example="America/New_York",
        doc=("The warehouse's time zone: `bench report` and the supervisor's figures",
             "show times and count hours and days in it."),
    ),
    Key(
        "site", "heartbeat_stale_minutes", "int", 5,
        "a station silent this long is shown stale", minimum=1,
    ),
    Key(
        "grading", "second_share", "float", 0.05,
        "0 to 1: the share picked for a second grading; 0: none",
        minimum=0.0, maximum=1.0,
        doc=("A finished inspection picked at random (by its id) is graded again, blind,",
             "by another inspector; the supervisor's Grading tab shows how often they agree.",
             "The first inspection is the one that counts for the customer."),
    ),
)  # fmt: skip

_BY_SECTION: Final[dict[str, dict[str, Key]]] = {
    section: {k.name: k for k in SCHEMA if k.section == section} for section in SECTIONS
}


def _schema_matches_dataclasses() -> None:
    """Fail at import, not in the field, if a key was added to SCHEMA or a dataclass only."""
    for section, (cls, _) in SECTIONS.items():
        declared = [f.name for f in fields(cls)]
        if declared != list(_BY_SECTION[section]):
            raise RuntimeError(
                f"bench.config: [{section}] SCHEMA keys {list(_BY_SECTION[section])} "
                f"differ from {cls.__name__} fields {declared}"
            )


_schema_matches_dataclasses()

_TYPE_WORDS: Final[Mapping[ValueType, str]] = {
    "str": "a string",
    "path": "a string (a file path)",
    "int": "an integer",
    "float": "a number",
}


# --- loading ------------------------------------------------------------------------------


def load_config(path: Path = DEFAULT_CONFIG_PATH, *, check_calendar: bool = True) -> Config:
    """Read and validate a config file; raise ConfigError with an actionable message.

    `check_calendar=False` leaves [station] country and subdivision, and [site] time_zone,
    to `calendar_problem`: the station checks them in its start-up worker, since loading a
    country's holiday calendar takes longer than drawing the first screen, and looking a
    zone up takes a few milliseconds more."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        # `bench init-config` writes the example from SCHEMA: it works from a pip install,
        # where no example file sits next to the user.
        make = "bench init-config" + ("" if path == DEFAULT_CONFIG_PATH else f" {path}")
        raise ConfigError(
            f"No config file at {_shown(path)}. Create one with `{make}` (writes a "
            "commented example to edit), or run `bench demo` to try the bench without one."
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{name} is a folder, not a config file.") from None
    except OSError as e:
        raise ConfigError(f"Cannot read {name}: {e.strerror or e}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{name}: not UTF-8 text (byte {e.start}); save it as UTF-8.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(_syntax_message(name, text, e)) from None
    return parse_config(
        data, base_dir=path.parent, name=name, source=path, check_calendar=check_calendar
    )


def parse_config(
    data: Mapping[str, Any],
    *,
    base_dir: Path,
    name: str = "config.toml",
    source: Path | None = None,
    check_calendar: bool = True,
) -> Config:
    """Validate already-parsed TOML data. Relative paths resolve against `base_dir`.

    Public so `bench demo` can build a Config in code, e.g.
    `parse_config({"station": {"id": "DEMO"}, "scanner": {"kind": "simulated"}}, base_dir=tmp)`.
    """
    problems: list[str] = []
    base = base_dir.expanduser().resolve()
    for section in data:
        if section not in SECTIONS:
            problems.append(
                f"{name}: unknown section [{section}].{_suggest(section, SECTIONS, '[{}]')} "
                f"Known sections: {', '.join(SECTIONS)}."
            )
    built: dict[str, Any] = {}
    read: dict[str, dict[str, Any]] = {}  # every section's values, wrong ones as None
    refused: set[tuple[str, str]] = set()  # (section, key) of each value refused
    for section, (cls, _) in SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, Mapping):
            problems.append(
                f"{name}: {section} must be a section [{section}], got {_describe(table)}."
            )
            continue
        values: dict[str, Any] = {}
        for key_name in table:
            if key_name not in _BY_SECTION[section]:
                problems.append(_unknown_key(name, section, key_name))
        for key in _BY_SECTION[section].values():
            if key.name in table:
                value, problem = _check(key, table[key.name], base)
                if problem:
                    problems.append(f"{name}: [{section}] {key.name} {problem}")
                    refused.add((section, key.name))
                values[key.name] = value
            elif key.required:
                problems.append(
                    f"{name}: [{section}] {key.name} is required, e.g. "
                    f"{key.name} = {_toml_value(key.example_value())}  # {key.help}"
                )
            else:
                values[key.name] = _check(key, key.default, base)[0]
        read[section] = values
        if not problems:
            built[section] = cls(**values)
    # Checked even when other keys are wrong, so the technician sees every problem at once.
    station = read.get("station")
    calendar_keys = {("station", "country"), ("station", "subdivision")}
    if check_calendar and station is not None and not refused & calendar_keys:
        found = _calendar_problem(station["country"], station["subdivision"])
        if found:
            problems.append(f"{name}: [station] {found}")
    site = read.get("site") if ("site", "time_zone") not in refused else None
    if check_calendar and site and (wrong := time_zone_problem(site["time_zone"])):
        problems.append(f"{name}: [site] time_zone {wrong}")
    if not problems:
        store = built["store"]
        assert isinstance(store, StoreConfig)
        if store.central_url.strip() and (wrong := central_url_problem(store.central_url)):
            problems.append(f"{name}: [store] central_url {wrong}")
        scanner = built["scanner"]
        assert isinstance(scanner, ScannerConfig)
        # The one rule that spans keys: a serial scanner cannot be opened without a port.
        if scanner.kind == "serial" and not scanner.port:
            problems.append(
                f'{name}: [scanner] port is required when kind = "serial", e.g. '
                'port = "/dev/serial/by-id/usb-Honeywell_Scanner-if00" (see `ls '
                '/dev/serial/by-id/`), or kind = "wedge" for a keyboard-wedge scanner.'
            )
        printer = built["printer"]
        assert isinstance(printer, PrinterConfig)
        if found := _printer_problem(printer):
            problems.append(f"{name}: [printer] {found}")
    if problems:
        raise ConfigError(problems)
    return Config(**built, source=source)


def _printer_problem(printer: PrinterConfig) -> str | None:
    """What is wrong with how the zpl printer is reached, as the rest of a sentence."""
    if printer.kind != "zpl":
        return None
    address, port = printer.address.strip(), printer.port.strip()
    if bool(address) == bool(port):
        return (
            'kind = "zpl" needs either address (the network printer, e.g. address = '
            '"10.0.0.5:9100") or port (a serial printer, e.g. port = '
            '"/dev/serial/by-id/usb-Zebra-if00"), not ' + ("both." if address else "neither.")
        )
    if address:
        host, colon, number = address.rpartition(":")
        if colon and (not host or not number.isdigit() or not 0 < int(number) < 65536):
            return (
                f"address must be host:port with a port from 1 to 65535, e.g. "
                f'"10.0.0.5:9100", got {_quoted(address)}.'
            )
    return None


def _check(key: Key, value: object, base: Path) -> tuple[object, str | None]:
    """Return (converted value, None) or (None, what is wrong, as the end of a sentence)."""
    if value is None:  # an optional key without default, left out
        return None, None
    # bool is a subclass of int in Python, but `baud = true` is a mistake, not 1.
    ok = {
        "str": isinstance(value, str),
        "path": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
    }[key.type]
    if not ok:
        return None, f"must be {_TYPE_WORDS[key.type]}, got {_describe(value)}."
    if key.choices and value not in key.choices:
        allowed = ", ".join(map(str, key.choices))
        return None, f"must be one of {allowed}, got {_describe_short(value)}."
    if key.pattern and isinstance(value, str) and not re.fullmatch(key.pattern, value):
        return None, f"must be {key.pattern_hint}, got {_describe_short(value)}."
    if key.minimum is not None and isinstance(value, int | float) and value < key.minimum:
        return None, f"must be at least {_number(key.minimum)}, got {_number(value)}."
    if key.maximum is not None and isinstance(value, int | float) and value > key.maximum:
        return None, f"must be at most {_number(key.maximum)}, got {_number(value)}."
    if key.type == "float" and isinstance(value, int):
        return float(value), None
    if key.type == "path" and isinstance(value, str):
        if not value.strip():
            return None, "must not be empty."
        path = Path(value).expanduser()
        return (path if path.is_absolute() else base / path), None
    return value, None


def calendar_problem(config: Config) -> str | None:
    """What is wrong with the config's [station] country and subdivision and its [site]
    time_zone, as load_config says it; None when their calendar and zone exist. Loads that
    calendar, so the first working-day count does not."""
    name = str(config.source) if config.source is not None else "config.toml"
    problems: list[str] = []
    if found := _calendar_problem(config.station.country, config.station.subdivision):
        problems.append(f"{name}: [station] {found}")
    if wrong := time_zone_problem(config.site.time_zone):
        problems.append(f"{name}: [site] time_zone {wrong}")
    return "\n".join(problems) or None


def _calendar_problem(country: str, subdivision: str | None) -> str | None:
    """What is wrong with [station] country and subdivision, as the rest of a sentence
    after the key's name; None when the `holidays` library has their calendar.

    Checked at load because the calendar is first needed at the first revised quote, long
    after the technician who set the station up has gone. `holidays` is imported here
    only: the check of these two keys is all this module needs of it.
    """
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        pass
    else:
        return None
    supported: dict[str, list[str]] = holidays.list_supported_countries()
    if country not in supported:
        codes = ", ".join(sorted(holidays.list_supported_countries(include_aliases=False)))
        return (
            f"country must be a country whose public holidays bench knows, got "
            f"{_describe_short(country)}. Valid codes: {codes}."
        )
    subdivisions = supported[country]
    if not subdivisions:
        return (
            f"subdivision must be left out: {country} has no subdivisions with holidays of "
            f"their own, got {_describe_short(subdivision)}."
        )
    return (
        f"subdivision must be one of {country}'s: {', '.join(subdivisions)}, "
        f"got {_describe_short(subdivision)}."
    )


def time_zone_problem(zone: str) -> str | None:
    """What is wrong with a time zone name, as the end of a sentence; None if it is one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return (
            f'must be an IANA time zone such as "America/New_York" or "Europe/Paris", '
            f"got {_describe_short(zone)}."
        )
    return None


def _unknown_key(name: str, section: str, key_name: str) -> str:
    known = _BY_SECTION[section]
    hint = _suggest(key_name, known)
    if not hint:
        # A known key in the wrong section is a common slip when copying lines around.
        homes = [k.section for k in SCHEMA if k.name == key_name]
        if homes:
            hint = f" {key_name} belongs in [{homes[0]}]."
    return (
        f"{name}: unknown key [{section}] {key_name}.{hint} "
        f"Known keys in [{section}]: {', '.join(known)}."
    )


def _suggest(word: str, known: Mapping[str, object], form: str = "{}") -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" Did you mean {form.format(close[0])}?" if close else ""


def _describe(value: object) -> str:
    """Name a TOML value the way the file spells it: `the string "9600"`."""
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        return f"the string {_quoted(value)}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"  # dates and times


def _describe_short(value: object) -> str:
    return _quoted(value) if isinstance(value, str) else _describe(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _syntax_message(name: str, text: str, error: tomllib.TOMLDecodeError) -> str:
    """File, line and column, tomllib's words, and the line itself with a caret under it."""
    message = str(error)
    # Python 3.11's TOMLDecodeError has no lineno/colno attributes; the position is only in
    # the message, as "(at line 3, column 5)" (or "(at end of document)").
    match = _TOML_POSITION.search(message)
    if not match:
        return f"{name}: not valid TOML: {message}"
    line_no, column = int(match.group(1)), int(match.group(2))
    reason = message[: match.start()]
    lines = text.splitlines()
    source_line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    gutter = f"{line_no:>5} | "
    return (
        f"{name}, line {line_no}, column {column}: not valid TOML: {reason}\n"
        f"{gutter}{source_line}\n"
        f"{' ' * (len(gutter) - 2)}| {' ' * (column - 1)}^"
    )


def _shown(path: Path) -> str:
    """A relative path as the technician would type it: `./config.toml`."""
    text = str(path)
    if path.is_absolute() or text.startswith((".", "~")):
        return text
    return f".{os.sep}{text}"


# --- helpers for the rest of the bench ----------------------------------------------------


def central_url(config: Config) -> str | None:
    """The central database URL: BENCH_CENTRAL_URL if set, else the config value, else None.

    The environment variable wins so that a password never has to be written into
    config.toml, and so that the shipped config.toml (which points at a local SQLite file
    for try-outs) can be redirected to the real central database without editing it.
    """
    from_env = os.environ.get(CENTRAL_URL_ENV, "").strip()
    if from_env:
        if wrong := central_url_problem(from_env):
            raise ConfigError(f"The environment variable {CENTRAL_URL_ENV} {wrong}")
        return from_env
    return config.store.central_url.strip() or None


def default_of(section: str, name: str) -> object:
    """A key's default, for a command run without a config file."""
    return _BY_SECTION[section][name].default


def central_url_problem(url: str) -> str | None:
    """What is wrong with a central database URL, as the end of a sentence; None if bench
    can use it. Only the scheme is quoted: the rest may hold a password."""
    scheme, sep, rest = url.strip().partition("://")
    schemes = " or ".join(f"{s}://" for s in ("postgresql", "sqlite"))
    if not sep or not scheme:
        return f"is not a database URL: write it as {schemes}…, e.g. postgresql://bench@central/trade_in."
    if scheme.lower() not in CENTRAL_SCHEMES:
        return (
            f"starts with {scheme}://, a database bench cannot use: it takes {schemes}…, "
            "e.g. postgresql://bench@central/trade_in."
        )
    if not rest.strip("/"):
        return f"names no database after {scheme}://."
    if rest.partition("?")[0].count("@") > 1:
        # The URL parser would read what follows the first @ as the host, and connect there.
        return "has an @ in its user name or password: write each @ there as %40."
    return None


# --- the example file ---------------------------------------------------------------------

_COMMENT_COLUMN: Final = 34  # where inline comments start, as in DESIGN.md's Config section


def example_text() -> str:
    """The commented example config, generated from SCHEMA (and loadable as is)."""
    out = [
        "# bench station config. Every key the bench reads is here, with its default or",
        "# an example. Written by `bench init-config`; edit freely. An unknown key or a",
        "# wrong value stops the bench with a message naming the line to fix.",
        "# Paths are relative to the folder this file is in.",
    ]
    for section, (_, about) in SECTIONS.items():
        out += ["", f"[{section}]", f"# {about}"]
        for key in _BY_SECTION[section].values():
            out += [f"# {line}" for line in key.doc]
            assignment = f"{key.name} = {_toml_value(key.example_value())}"
            if key.optional:
                # No default: show it commented out, so it is easy to turn on.
                assignment = f"# {assignment}"
            out.append(f"{assignment.ljust(_COMMENT_COLUMN - 1)} # {key.help}")
    return "\n".join(out) + "\n"


def write_example(path: Path) -> None:
    """Write the commented example config to `path` (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example_text(), encoding="utf-8")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _quoted(str(value))


def _quoted(text: str) -> str:
    """`text` as a TOML basic string: JSON's string escapes are valid TOML ones."""
    import json  # for messages and the example alone: a station's start needs none

    return json.dumps(text)
