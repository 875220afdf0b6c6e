"""What a scan is, and what it means, decided from its content alone.

The bench never decides what a scan means by where the cursor is: an inspector can scan a
package label, a device, a badge or a command code at any time and the bench must do the
right thing. Drivers (serial, keyboard wedge, simulated) turn bytes into `Scan` values;
`classify` turns a scan's text into a `Classified` reading the inspection session acts on.

Everything here is pure Python (no Textual, no SQLAlchemy) so drivers, the session, the
diagnostic listener and the tests can all share it, and so a garbage scan can never crash
anything: `classify` never raises, it answers "unreadable" with a message in plain words.

Precedence (first rule that matches wins; documented here because several formats are all
digits and overlap):

1. surrounding whitespace is stripped, then a leading AIM symbology id (``]C1``...);
   empty text, control characters (other than GS 0x1D, the GS1 separator), invisible
   characters or U+FFFD (bytes the driver could not decode) -> ``unreadable``;
2. ``CMD:`` (any case) -> ``command``; an unknown code -> ``unreadable``;
3. ``TI-`` + 6 or more digits + ``-`` + digits -> ``item_id``; ``TI-`` + 6 or more digits
   -> ``request_id``;
4. ``EMP-`` + digits -> ``badge``;
5. tracking numbers with a shape nothing else has: UPS ``1Z`` + 16 letters/digits; USPS
   20-22 digits starting with 9, also as the label's GS1-128 form ``420`` + ZIP + GS +
   tracking number;
6. GS1 element strings: text starting with ``01`` + 14 digits, containing GS, in bracketed
   form ``(01)...(21)...``, or read from a GS1 symbology (``]C1``, ``]d2``, ``]Q3``,
   ``]e0``, ``]J1``), that biip parses (with a correct GTIN check digit) -> ``gs1``;
   if it does not parse, the text falls through to the next rules;
7. 15 digits passing Luhn -> ``imei``; any other 15 digits -> ``tracking_number``
   (FedEx Ground);
8. 8, 12, 13 or 14 digits with a correct GS1 check digit -> ``gtin``; any other 12 digits
   -> ``tracking_number`` (FedEx Express);
9. 4..64 characters of ``A-Z a-z 0-9 - _ . /`` -> ``serial``;
10. anything else -> ``unreadable``.

Rules 7 and 8 are a real ambiguity (a tenth of all 15-digit FedEx numbers pass Luhn, a
tenth of 12-digit ones pass the UPC check), so such readings list ``tracking_number`` in
`Classified.also`: the session may try it when the first reading finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from bench.commands import COMMAND_PREFIX, Command, command_from_code

GS = "\x1d"
"""ASCII group separator: what scanners send for the FNC1 that ends a variable GS1 field."""

MAX_SCAN_CHARS = 256
"""Longer than any label the bench reads: a longer frame is a stuck key or line noise."""

SERIAL_MIN_CHARS = 4
SERIAL_MAX_CHARS = 64


class ScanSource(StrEnum):
    WEDGE = "wedge"
    SERIAL = "serial"
    SIMULATED = "simulated"
    KEYBOARD = "keyboard"


@dataclass(frozen=True)
class Scan:
    """One frame from a scanner, as it arrived, before anyone decided what it means."""

    text: str
    source: ScanSource
    read_at: datetime
    symbology: str | None = None
    """The AIM symbology id (``]C1``, ``]d2``...) when the scanner sent one."""

    def __post_init__(self) -> None:
        # Scans are stored and synced; a naive time would be misread at central, and one
        # clock (UTC) for every scan keeps logs from different benches comparable.
        if self.read_at.tzinfo is None or self.read_at.utcoffset() is None:
            raise ValueError("Scan.read_at must be timezone-aware")
        if self.read_at.tzinfo is not UTC:
            object.__setattr__(self, "read_at", self.read_at.astimezone(UTC))

    @classmethod
    def now(cls, text: str, source: ScanSource, *, symbology: str | None = None) -> Scan:
        """A scan read just now (UTC): what drivers build when a frame completes."""
        return cls(text=text, source=source, read_at=datetime.now(UTC), symbology=symbology)


class ScanKind(StrEnum):
    REQUEST_ID = "request_id"
    ITEM_ID = "item_id"
    TRACKING_NUMBER = "tracking_number"
    BADGE = "badge"
    IMEI = "imei"
    GTIN = "gtin"
    GS1 = "gs1"
    COMMAND = "command"
    SERIAL = "serial"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Classified:
    """What a scan means.

    `value` is the normalised text: request, item ids and badges upper-cased, IMEI and
    GTIN digits (as scanned; `gtin` holds the 14-digit form), tracking numbers upper-cased,
    a serial stripped but otherwise as scanned, a GS1 message in bracketed form. For an
    unreadable scan it is the text with invisible characters made visible, for the log.
    """

    kind: ScanKind
    value: str
    command: Command | None = None
    gtin: str | None = None
    """14 digits (GTIN-14, zero-padded) for `gtin` and for `gs1` with AI 01."""
    serial: str | None = None
    """The device serial: GS1 AI 21, or the whole value for a `serial` scan."""
    production_date: date | None = None
    """GS1 AI 11: feeds the checklist's age question when there is no purchase date."""
    batch: str | None = None
    """GS1 AI 10."""
    problem: str | None = None
    """For `unreadable` only: what went wrong, in words the inspector can act on."""
    also: tuple[ScanKind, ...] = ()
    """Other kinds the same text could be (see the module docstring, rules 7 and 8)."""


# An AIM symbology identifier (ISO/IEC 15424): "]", a code letter, a modifier character.
_AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")
# AIM ids whose content is a GS1 element string: GS1-128, GS1 DataBar, GS1 DataMatrix,
# GS1 QR, GS1 Composite. The content may then carry only AIs, without a leading "01".
_GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})

# re.ASCII throughout: \d would otherwise accept Arabic-Indic and other Unicode digits, and
# IGNORECASE would let the Kelvin sign pass for "k": no label carries those, and they would
# slip non-ASCII text into ids and lookups.
_ITEM_ID = re.compile(r"TI-\d{6,}-\d+", re.IGNORECASE | re.ASCII)
_REQUEST_ID = re.compile(r"TI-\d{6,}", re.IGNORECASE | re.ASCII)
_BADGE = re.compile(r"EMP-\d+", re.IGNORECASE | re.ASCII)
_UPS = re.compile(r"1Z[0-9A-Z]{16}", re.IGNORECASE | re.ASCII)
_USPS = re.compile(r"9\d{19,21}", re.ASCII)
# The big barcode on a USPS label: AI 420 (ship-to ZIP, 5 or 9 digits), FNC1, tracking.
_USPS_LABEL = re.compile(r"420(?:\d{5}|\d{9})" + GS + r"?(9\d{19,21})", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
_GS1_RAW_START = re.compile(r"01\d{14}", re.ASCII)
_GS1_BRACKETED = re.compile(r"(?:\(\d{2,4}\)[^()]+)+", re.ASCII)
_SERIAL_CHARS = re.compile(r"[A-Za-z0-9\-_./]+")


def split_symbology(text: str) -> tuple[str | None, str]:
    """Split a leading AIM symbology id (``]C1``, ``]E0``, ``]d2``...) off a scan's text."""
    match = _AIM_ID.match(text)
    if match is None:
        return None, text
    return match.group(), text[match.end() :]


def normalize_gtin(digits: str) -> str:
    """A GTIN-8/12/13/14 as the 14 digits GS1 AI 01 carries, so all forms compare equal."""
    return digits.zfill(14)


def classify(text: str, *, symbology: str | None = None) -> Classified:
    """What a scan's text means; never raises (garbage is an `unreadable` reading).

    `symbology` is the AIM id a driver already split off, if any; one at the start of
    `text` is split off here too and takes precedence.
    """
    stripped = text.strip()
    found_symbology, body = split_symbology(stripped)
    symbology = found_symbology or symbology
    body = body.strip()

    problem = _unreadable_problem(body)
    if problem is not None:
        return _unreadable(body, problem)

    upper = body.upper()
    if upper.startswith(COMMAND_PREFIX):
        command = command_from_code(body)
        if command is None:
            return _unreadable(
                body, f"Unknown command code {_visible(body)} — scan one from the command sheet"
            )
        return Classified(kind=ScanKind.COMMAND, value=command.code, command=command)

    if _ITEM_ID.fullmatch(body):
        return Classified(kind=ScanKind.ITEM_ID, value=upper)
    if _REQUEST_ID.fullmatch(body):
        return Classified(kind=ScanKind.REQUEST_ID, value=upper)
    if _BADGE.fullmatch(body):
        return Classified(kind=ScanKind.BADGE, value=upper)

    if _UPS.fullmatch(body) or _USPS.fullmatch(body):
        return Classified(kind=ScanKind.TRACKING_NUMBER, value=upper)
    usps_label = _USPS_LABEL.fullmatch(body)
    if usps_label is not None:
        return Classified(kind=ScanKind.TRACKING_NUMBER, value=usps_label.group(1))

    gs1_error: str | None = None
    if (
        symbology in _GS1_SYMBOLOGIES
        or GS in body
        or body.startswith("(")
        or _GS1_RAW_START.match(body)
    ):
        gs1 = _parse_gs1(body)
        if isinstance(gs1, Classified):
            return gs1
        gs1_error = gs1

    if _DIGITS.fullmatch(body):
        digits = _classify_digits(body)
        if digits is not None:
            return digits

    if _SERIAL_CHARS.fullmatch(body):
        if len(body) < SERIAL_MIN_CHARS:
            return _unreadable(
                body, f"Too short to be a code ({len(body)} characters) — scan again"
            )
        if len(body) > SERIAL_MAX_CHARS:
            return _unreadable(
                body,
                f"Too long for a serial number ({len(body)} characters, at most "
                f"{SERIAL_MAX_CHARS}) — scan again",
            )
        return Classified(kind=ScanKind.SERIAL, value=body, serial=body)

    if gs1_error is not None:
        return _unreadable(body, f"The GS1 code could not be read ({gs1_error}) — scan again")
    return _unreadable(
        body,
        "Not a code the bench knows (request, tracking number, IMEI, barcode, serial, "
        "badge or command) — scan again",
    )


def classify_scan(scan: Scan) -> Classified:
    """`classify` a scan, using the symbology its driver reported."""
    return classify(scan.text, symbology=scan.symbology)


def describe(c: Classified) -> str:
    """A short label in plain words, for the diagnostic listener, the log and the screen."""
    match c.kind:
        case ScanKind.REQUEST_ID:
            return f"Request {c.value}"
        case ScanKind.ITEM_ID:
            return f"Item {c.value}"
        case ScanKind.TRACKING_NUMBER:
            return f"Tracking number {c.value}"
        case ScanKind.BADGE:
            return f"Badge {c.value}"
        case ScanKind.IMEI:
            return f"IMEI {c.value}"
        case ScanKind.GTIN:
            return f"GTIN {c.value}"
        case ScanKind.GS1:
            parts = [f"GTIN {c.gtin}"] if c.gtin else []
            if c.serial:
                parts.append(f"serial {c.serial}")
            if c.batch:
                parts.append(f"batch {c.batch}")
            if c.production_date:
                parts.append(f"made {c.production_date.isoformat()}")
            return "GS1 " + (", ".join(parts) if parts else c.value)
        case ScanKind.COMMAND:
            return f"Command {c.value.removeprefix(COMMAND_PREFIX)}"
        case ScanKind.SERIAL:
            return f"Serial {c.value}"
        case ScanKind.UNREADABLE:
            return f"Unreadable scan: {c.problem}"


def _unreadable_problem(body: str) -> str | None:
    """Why the text cannot be a code at all, or None if it is clean enough to parse."""
    if not body:
        return "The scan was empty — scan again"
    if len(body) > MAX_SCAN_CHARS:
        return f"The scan was too long ({len(body)} characters) — scan again"
    if "\ufffd" in body:
        # The driver decodes with errors="replace": U+FFFD marks bytes it could not read.
        return "The scanner sent bytes that could not be decoded — scan again"
    if any(_is_control(ch) and ch != GS for ch in body):
        return "The scan contained control characters — scan again"
    if any(not ch.isprintable() and ch not in (GS, " ") for ch in body):
        return "The scan contained invisible characters — scan again"
    return None


def _is_control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0


def _visible(text: str, limit: int = 80) -> str:
    """The text with invisible characters escaped and cut short: safe to show and log."""
    shown = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _unreadable(body: str, problem: str) -> Classified:
    return Classified(kind=ScanKind.UNREADABLE, value=_visible(body), problem=problem)


def load_parsers() -> None:
    """Import the barcode libraries (biip, python-stdnum): a tenth of a second that the
    first screen does not wait for. The station's start-up worker calls this, so the
    first scan that needs them does not pay for it either."""
    import biip.gs1_messages  # noqa: F401
    import stdnum.ean
    import stdnum.imei  # noqa: F401


def _classify_digits(digits: str) -> Classified | None:
    """Rules 7 and 8: the all-digit formats whose lengths overlap."""
    import stdnum.ean
    import stdnum.imei

    length = len(digits)
    if length == 15:
        if stdnum.imei.is_valid(digits):
            return Classified(kind=ScanKind.IMEI, value=digits, also=(ScanKind.TRACKING_NUMBER,))
        return Classified(kind=ScanKind.TRACKING_NUMBER, value=digits)
    if length in (8, 12, 13, 14) and stdnum.ean.is_valid(digits):
        also = (ScanKind.TRACKING_NUMBER,) if length == 12 else ()
        return Classified(kind=ScanKind.GTIN, value=digits, gtin=normalize_gtin(digits), also=also)
    if length == 12:
        return Classified(kind=ScanKind.TRACKING_NUMBER, value=digits)
    return None


def _parse_gs1(body: str) -> Classified | str:
    """A `gs1` reading of the text, or why biip could not read it as a GS1 element string."""
    from biip import BiipException
    from biip.gs1_messages import GS1Message

    try:
        if body.startswith("("):
            # biip skips text between bracketed fields it cannot match; insist the whole
            # text is fields so a half-read label is not taken for a good one.
            if not _GS1_BRACKETED.fullmatch("".join(body.split())):
                return "not in (AI)value form"
            message = GS1Message.parse_hri(body)
        else:
            message = GS1Message.parse(body)
    except (BiipException, ValueError) as exc:
        return str(exc)

    fields = {es.ai.ai: es for es in message.element_strings}
    gtin_field = fields.get("01")
    if gtin_field is not None and gtin_field.gtin is None:
        # biip keeps a GTIN with a wrong check digit as text; that is a misread code.
        return gtin_field.gtin_error or "wrong GTIN check digit"
    serial_field = fields.get("21")
    date_field = fields.get("11")
    batch_field = fields.get("10")
    return Classified(
        kind=ScanKind.GS1,
        value=message.as_hri(),
        gtin=gtin_field.value if gtin_field is not None else None,
        serial=serial_field.value if serial_field is not None else None,
        production_date=date_field.date if date_field is not None else None,
        batch=batch_field.value if batch_field is not None else None,
    )
