"""Bytes from a scanner's serial line in, one `Scan` or one unreadable notice per frame out.

A serial line delivers bytes, not scans: a frame can arrive in several reads, several frames
in one read, and a worn cable, a half-pressed trigger or a scanner re-programmed mid-shift
adds control bytes, undecodable bytes, runaway frames and frames that never end. The bench
must turn every one of those into either exactly one valid `Scan` or exactly one visible
"unreadable scan" notice (`Unreadable`), never an exception and never half a code.

`FrameDecoder` is pure and byte-level: no I/O, no threads, no clock of its own (the caller
passes a monotonic time with each chunk), so it can be tested with made-up timestamps and
the same decoder serves the serial driver, the diagnostic listener and the tests.

Framing rules, and why:

- Line mode (terminator CR, LF or CRLF): any of CR, LF or CRLF ends a frame, whichever the
  config names. Scanners get re-programmed and swapped; one sending CRLF to a bench set to
  CR must not produce an empty frame or a glued-together code. Empty frames (the LF after
  a CR that arrived in an earlier read, a stray blank line) are dropped silently: a scanner
  cannot send an empty scan, and a notice for nothing would only confuse the inspector.
- STX/ETX mode: a frame is STX, payload, ETX (CR/LF around the payload are tolerated).
  Bytes outside a frame other than CR/LF are one unreadable notice (the scanner is
  probably set to a different terminator); an STX inside a frame means the previous frame
  lost its ETX, so that frame is reported as cut off and a new one starts.
- A frame longer than `max_frame_length` bytes is reported as soon as it overflows (a
  stuck scanner streaming noise would otherwise never be reported), and the rest up to the
  next terminator is discarded without a second notice.
- A frame still unfinished `inter_char_timeout` after its last byte is reported as cut
  off (`flush`). A scanner sends a frame in one burst (one USB packet, or characters ~1 ms
  apart at 9600 baud), so a pause that long means the rest is never coming.
- Payload checks: control bytes other than GS (0x1D, the GS1 field separator, which the
  GS1 parser needs) and bytes that are not UTF-8 make the frame unreadable. A leading AIM
  symbology id (``]C1``, ``]E0``, ``]d2``, ``]Q3``, ``]e0``...) is split off into
  `Scan.symbology`.

`DoubleReadFilter` is separate because it is a policy on whole scans, not framing: a
scanner that reads one label twice in quick succession must not answer two checklist
questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final, get_args

from bench.config import TERMINATOR_BYTES, Terminator
from bench.scans import Scan, ScanSource, split_symbology

TERMINATORS: Final[tuple[str, ...]] = get_args(Terminator)

CR: Final = 0x0D
LF: Final = 0x0A
STX: Final = 0x02
ETX: Final = 0x03
GS: Final = 0x1D

DEFAULT_MAX_FRAME_LENGTH: Final = 256
DEFAULT_INTER_CHAR_TIMEOUT: Final = 0.2


def frame_bytes(text: str | bytes, terminator: str = "CR") -> bytes:
    """`text` framed the way a scanner set to `terminator` sends it (for writers and tests)."""
    payload = text.encode("utf-8") if isinstance(text, str) else text
    if terminator == "STX/ETX":
        return bytes([STX]) + payload + bytes([ETX])
    return payload + TERMINATOR_BYTES[terminator]


class UnreadableReason(StrEnum):
    """Why a frame could not be a scan; each has a sentence for the inspector (`problem`)."""

    CONTROL_BYTES = "control_bytes"
    UNDECODABLE = "undecodable"
    TOO_LONG = "too_long"
    INCOMPLETE = "incomplete"
    DISCONNECTED = "disconnected"
    EMPTY = "empty"
    OUTSIDE_FRAME = "outside_frame"


_PROBLEMS: Final[dict[UnreadableReason, str]] = {
    UnreadableReason.CONTROL_BYTES: "The scanner sent control characters — scan again",
    UnreadableReason.UNDECODABLE: "The scanner sent bytes that could not be decoded — scan again",
    UnreadableReason.TOO_LONG: "The scan was longer than any label — scan again",
    UnreadableReason.INCOMPLETE: "The scan was cut off before its end — scan again",
    UnreadableReason.DISCONNECTED: "The scanner was unplugged in the middle of a scan — scan again",
    UnreadableReason.EMPTY: "The scan was empty — scan again",
    UnreadableReason.OUTSIDE_FRAME: "The scanner sent bytes outside a scan (is it set to the "
    "terminator in config.toml?) — scan again",
}


def shown_bytes(raw: bytes, limit: int = 80) -> str:
    """Bytes as a technician reads them (``ABC\\x1d\\r``): printable ASCII as is, the rest
    escaped, cut short with an ellipsis. Safe to log and to put on screen."""
    parts: list[str] = []
    for byte in raw[:limit]:  # a shown byte is at least one character: no need for more
        if byte == 0x5C:
            parts.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(_ESCAPES.get(byte) or f"\\x{byte:02x}")
    text = "".join(parts)
    if len(raw) > limit or len(text) > limit:
        return text[: limit - 1] + "…"
    return text


_ESCAPES: Final[dict[int, str]] = {CR: "\\r", LF: "\\n", 0x09: "\\t"}


@dataclass(frozen=True)
class Unreadable:
    """A frame that is not a scan: shown to the inspector as an "unreadable scan" notice."""

    raw: bytes
    """The frame's bytes as received (at most `max_frame_length` of them), for the log."""
    reason: UnreadableReason
    read_at: datetime
    source: ScanSource = ScanSource.SERIAL

    @property
    def problem(self) -> str:
        """What went wrong, in words the inspector can act on."""
        return _PROBLEMS[self.reason]

    @property
    def shown(self) -> str:
        """The raw bytes, escaped and cut short: safe to show and log."""
        return shown_bytes(self.raw)


@dataclass(frozen=True)
class Decoded:
    """A frame that is a scan, with the bytes it came from (the listener prints them)."""

    scan: Scan
    raw: bytes
    """The frame as received, terminator included (a CRLF split across reads shows as CR)."""


FrameEvent = Decoded | Unreadable


@dataclass(frozen=True)
class FramingSettings:
    terminator: str = "CR"
    """One of `TERMINATORS`. In line mode CR, LF and CRLF are all accepted (module doc)."""
    max_frame_length: int = DEFAULT_MAX_FRAME_LENGTH
    """Payload bytes (AIM prefix included, terminator excluded) a frame may have."""
    inter_char_timeout: float = DEFAULT_INTER_CHAR_TIMEOUT
    """Seconds after its last byte that an unfinished frame is reported as cut off."""
    source: ScanSource = ScanSource.SERIAL

    def __post_init__(self) -> None:
        if self.terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {', '.join(TERMINATORS)}")
        if self.max_frame_length < 1:
            raise ValueError("max_frame_length must be at least 1")
        if self.inter_char_timeout <= 0:
            raise ValueError("inter_char_timeout must be positive")

    @property
    def stx_etx(self) -> bool:
        return self.terminator == "STX/ETX"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FrameDecoder:
    """Splits a byte stream into frames; see the module docstring for the rules.

    Feed it every chunk read from the port with the monotonic time it was read (`feed`),
    call `flush` when a read times out with nothing (so a half-sent frame is reported
    without waiting for the next scan), and `abort` when the port is lost. Each returns the
    events completed by that call, in order. None of them raises for any input.
    """

    settings: FramingSettings = field(default_factory=FramingSettings)
    clock: Callable[[], datetime] = _utc_now
    """The wall clock stamped on scans (`Scan.read_at`); timing uses the caller's `at`."""

    _buffer: bytearray = field(default_factory=bytearray, init=False, repr=False)
    # Line mode: a frame is under way. STX/ETX mode: inside STX...ETX (False: any bytes in
    # the buffer are stray bytes between frames).
    _in_frame: bool = field(default=False, init=False, repr=False)
    # The frame overflowed and was reported: drop bytes until the next frame boundary.
    _discarding: bool = field(default=False, init=False, repr=False)
    # The previous frame ended with CR: an LF right after it completes a CRLF.
    _after_cr: bool = field(default=False, init=False, repr=False)
    _last_byte_at: float | None = field(default=None, init=False, repr=False)

    @property
    def pending(self) -> bool:
        """True while part of a frame (or stray bytes) waits for its end."""
        return bool(self._buffer) or self._in_frame or self._discarding

    def feed(self, data: bytes, at: float) -> list[FrameEvent]:
        """Take bytes read at monotonic time `at`; return the frames they complete."""
        # A pause longer than the inter-character timeout before this chunk means the
        # pending frame was abandoned, even if nobody called flush in between.
        events = self.flush(at)
        if not data:
            return events
        if self.settings.stx_etx:
            self._feed_stx_etx(data, events)
        else:
            self._feed_lines(data, events)
        self._last_byte_at = at
        return events

    def flush(self, at: float) -> list[FrameEvent]:
        """Report a pending frame whose last byte came `inter_char_timeout` or more before `at`."""
        if self._last_byte_at is None or at - self._last_byte_at < self.settings.inter_char_timeout:
            return []
        self._after_cr = False
        return self._drop_pending(UnreadableReason.INCOMPLETE)

    def abort(self) -> list[FrameEvent]:
        """The port is gone: report a pending frame (it will never be finished) and reset."""
        self._after_cr = False
        return self._drop_pending(UnreadableReason.DISCONNECTED)

    # -- line mode ------------------------------------------------------------------------

    def _feed_lines(self, data: bytes, events: list[FrameEvent]) -> None:
        index, end = 0, len(data)
        while index < end:
            byte = data[index]
            index += 1
            if byte == LF and self._after_cr:
                self._after_cr = False  # the second half of a CRLF split across reads
                continue
            self._after_cr = False
            if byte in (CR, LF):
                terminator = bytes([byte])
                if byte == CR and index < end and data[index] == LF:
                    terminator, index = b"\r\n", index + 1
                else:
                    self._after_cr = byte == CR
                self._end_frame(terminator, events)
                continue
            # Copy the run of ordinary bytes up to the next CR/LF in one slice: feeding a
            # long read byte by byte would cost the reader thread for nothing.
            stop = index - 1
            while index < end and data[index] not in (CR, LF):
                index += 1
            self._take(data[stop:index], events)

    def _end_frame(self, terminator: bytes, events: list[FrameEvent]) -> None:
        if self._discarding:
            self._reset()
            return
        if not self._buffer:
            return  # an empty frame: see the module docstring
        raw = bytes(self._buffer)
        self._reset()
        events.append(self._decode(raw, raw + terminator))

    # -- STX/ETX mode ---------------------------------------------------------------------

    def _feed_stx_etx(self, data: bytes, events: list[FrameEvent]) -> None:
        for byte in data:
            if byte == STX:
                # Whatever came before (stray bytes, or a frame that never got its ETX)
                # is over: report it, then start the new frame.
                events.extend(self._drop_pending(UnreadableReason.INCOMPLETE))
                self._in_frame = True
            elif byte == ETX and self._in_frame:
                if self._discarding:
                    self._reset()
                    continue
                inner = bytes(self._buffer)
                self._reset()
                raw = bytes([STX]) + inner + bytes([ETX])
                payload = inner.strip(b"\r\n")  # some scanners put a CR before the ETX
                if payload:
                    events.append(self._decode(payload, raw))
                else:
                    events.append(self._unreadable(raw, UnreadableReason.EMPTY))
            elif byte in (CR, LF) and not self._in_frame:
                # Line ends between frames: harmless after an ETX; after stray bytes they
                # end one misframed scan (a scanner set to CR), reported on its own.
                events.extend(self._drop_pending(UnreadableReason.OUTSIDE_FRAME))
            else:
                self._take(bytes([byte]), events)

    # -- shared ---------------------------------------------------------------------------

    def _take(self, chunk: bytes, events: list[FrameEvent]) -> None:
        """Append frame bytes, reporting (once) a frame that grows past the maximum."""
        if not self.settings.stx_etx:
            self._in_frame = True
        if self._discarding:
            return
        room = self.settings.max_frame_length - len(self._buffer)
        if len(chunk) <= room:
            self._buffer += chunk
            return
        self._buffer += chunk[:room]
        reason = UnreadableReason.TOO_LONG if self._in_frame else UnreadableReason.OUTSIDE_FRAME
        events.append(self._unreadable(self._pending_raw(), reason))
        self._buffer.clear()
        self._discarding = True

    def _pending_raw(self) -> bytes:
        """The bytes of the unfinished frame as received (with its STX, in STX/ETX mode)."""
        if self.settings.stx_etx and self._in_frame:
            return bytes([STX]) + self._buffer
        return bytes(self._buffer)

    def _drop_pending(self, reason: UnreadableReason) -> list[FrameEvent]:
        """Report what is pending, unless already reported or empty, and start afresh.

        `reason` is for an unfinished frame; stray bytes between STX/ETX frames are always
        reported as `OUTSIDE_FRAME`.
        """
        if self._discarding or not (self._buffer or self._in_frame):
            self._reset()  # nothing, or an overflow already reported when it happened
            return []
        if not self._in_frame:
            reason = UnreadableReason.OUTSIDE_FRAME
        raw = self._pending_raw()
        self._reset()
        return [self._unreadable(raw, reason)]

    def _reset(self) -> None:
        self._buffer.clear()
        self._in_frame = False
        self._discarding = False
        self._last_byte_at = None

    def _unreadable(self, raw: bytes, reason: UnreadableReason) -> Unreadable:
        return Unreadable(raw=raw, reason=reason, read_at=self.clock(), source=self.settings.source)

    def _decode(self, payload: bytes, raw: bytes) -> FrameEvent:
        """One complete frame's payload as a `Decoded` scan, or why it cannot be one."""
        if any((b < 0x20 and b != GS) or b == 0x7F for b in payload):
            return self._unreadable(raw, UnreadableReason.CONTROL_BYTES)
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            return self._unreadable(raw, UnreadableReason.UNDECODABLE)
        if any(0x80 <= ord(ch) < 0xA0 for ch in text):  # C1 controls, as UTF-8
            return self._unreadable(raw, UnreadableReason.CONTROL_BYTES)
        symbology, body = split_symbology(text.strip(" "))
        body = body.strip(" ")
        if not body:
            return self._unreadable(raw, UnreadableReason.EMPTY)
        scan = Scan(
            text=body, source=self.settings.source, read_at=self.clock(), symbology=symbology
        )
        return Decoded(scan=scan, raw=raw)


class DoubleReadFilter:
    """Drops a repeat of the last code read within `window` seconds of it.

    The window runs from the read that counted, not from the latest repeat: a scanner that
    double-reads does so within a few hundred milliseconds, and measuring from the counted
    read means an inspector who scans the same code again on purpose (``CMD:YES`` for two
    questions in a row) is never held off for longer than `window`. Only the last counted
    code is remembered, so A, B, A is three scans however fast it comes. A window of 0
    turns the filter off.
    """

    def __init__(self, window: float) -> None:
        if window < 0:
            raise ValueError("window must not be negative")
        self.window = window
        self._last_text: str | None = None
        self._last_at = 0.0

    def accept(self, scan: Scan, at: float) -> bool:
        """True if `scan`, read at monotonic time `at`, counts; False if it is a double-read."""
        if scan.text == self._last_text and at - self._last_at < self.window:
            return False
        self._last_text, self._last_at = scan.text, at
        return True

    def reset(self) -> None:
        """Forget the last code (e.g. after a replug: the next read is never a repeat)."""
        self._last_text = None
