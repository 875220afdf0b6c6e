"""Seeded scanner traffic for the framing and serial-driver tests.

`make_stream` writes what a scanner cable carries on a bad day (valid codes with AIM
prefixes and GS1 separators, random terminators, frames split and merged across writes,
garbage, control and undecodable bytes, over-long frames, half-sent frames, stray line
ends) and, alongside, what the bench must make of it: one `Expect` per frame, in order.
The expectations are written from the frame's *kind*, not by running the decoder, so a
test comparing the two checks the decoder against an independent account.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from bench.commands import Command
from drivers.framing import UnreadableReason as R
from drivers.framing import frame_bytes
from drivers.simulated import garbage

AIM_PREFIXES = ("]C1", "]E0", "]d2", "]Q3", "]e0")
LINE_TERMINATORS = ("CR", "LF", "CRLF")
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_CONTROL = (0x00, 0x01, 0x04, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x1B, 0x7F)


@dataclass(frozen=True)
class Expect:
    """What one frame must become: a scan with this text and symbology, or a notice."""

    kind: Literal["scan", "unreadable"]
    text: str | None = None
    symbology: str | None = None
    reasons: frozenset[R] = frozenset()

    @classmethod
    def scan(cls, text: str, symbology: str | None = None) -> Expect:
        return cls("scan", text=text, symbology=symbology)

    @classmethod
    def notice(cls, *reasons: R) -> Expect:
        return cls("unreadable", reasons=frozenset(reasons))


@dataclass
class Stream:
    segments: list[list[bytes]] = field(default_factory=list)
    """Writes, grouped: each segment's chunks are written back to back; between segments
    the line goes quiet for longer than the inter-character timeout (a half-sent frame
    ends each segment but the last)."""
    expected: list[Expect] = field(default_factory=list)
    """One per frame, in order; empty frames (stray line ends) expect nothing."""
    kinds: Counter[str] = field(default_factory=Counter)
    """How many frames of each kind, so a test can show it covered them all."""
    expected_before_pause: list[int] = field(default_factory=list)
    """len(expected) at the end of each segment but the last."""


def valid_code(rng: random.Random) -> tuple[str, str | None]:
    """(payload text, symbology) of a code a scanner really sends."""
    choice = rng.randrange(9)
    if choice == 0:
        return f"TI-{rng.randrange(10**6):06d}", None
    if choice == 1:
        return f"TI-{rng.randrange(10**6):06d}-{rng.randrange(1, 10):02d}", None
    if choice == 2:
        return f"EMP-{rng.randrange(10**4):04d}", None
    if choice == 3:
        return "".join(rng.choice("0123456789") for _ in range(15)), None
    if choice == 4:  # GS1: fixed-length GTIN, variable serial ended by GS, then a batch
        gtin = "".join(rng.choice("0123456789") for _ in range(14))
        serial = "".join(rng.choice(_ALNUM) for _ in range(rng.randrange(4, 12)))
        return f"01{gtin}21{serial}\x1d10B{rng.randrange(1000)}", rng.choice(AIM_PREFIXES)
    if choice == 5:
        return rng.choice(list(Command)).code, None
    if choice == 6:
        return "".join(rng.choice("0123456789") for _ in range(12)), "]E0"
    if choice == 7:
        return "Seriennr-Ä" + "".join(rng.choice(_ALNUM) for _ in range(5)), None
    return "".join(rng.choice(_ALNUM) for _ in range(rng.randrange(4, 30))), None


def _insert(payload: bytes, bad: bytes, rng: random.Random) -> bytes:
    """`bad` inserted between two characters (never inside a UTF-8 sequence, which would
    make the frame undecodable whatever `bad` is)."""
    boundaries = [
        i for i in range(len(payload) + 1) if i == len(payload) or payload[i] & 0xC0 != 0x80
    ]
    at = rng.choice(boundaries)
    return payload[:at] + bad + payload[at:]


def make_stream(
    seed: int,
    frames: int,
    *,
    mode: Literal["line", "stx"] = "line",
    max_frame_length: int = 64,
    half_sent_rate: float = 0.004,
) -> Stream:
    """`frames` seeded frames (see the module docstring), chunked at random."""
    rng = random.Random(seed)
    stream = Stream()
    pending: list[bytes] = []  # frames of the current segment, before chunking

    def end(terminator: str | None = None) -> bytes:
        if mode == "stx":
            return b"\x03" + rng.choice((b"", b"", b"\r\n", b"\r"))
        return frame_bytes(b"", terminator or rng.choice(LINE_TERMINATORS))

    def start() -> bytes:
        return b"\x02" if mode == "stx" else b""

    for _ in range(frames):
        roll = rng.random()
        text, symbology = valid_code(rng)
        payload = ((symbology or "") + text).encode("utf-8")
        if roll < half_sent_rate:
            kind = "half_sent"
            cut = rng.randrange(1, len(payload))
            pending.append(start() + payload[:cut])
            stream.expected.append(Expect.notice(R.INCOMPLETE))
            _close_segment(stream, pending, rng)
        elif roll < 0.72:
            kind = "valid"
            if rng.random() < 0.05:
                payload = b"  " + payload + b" "  # scanners configured to pad
            pending.append(start() + payload + end())
            stream.expected.append(Expect.scan(text, symbology))
        elif roll < 0.78:
            kind = "garbage"
            pending.append(start() + garbage(rng, rng.randrange(1, 24)) + end())
            stream.expected.append(Expect.notice(R.CONTROL_BYTES, R.UNDECODABLE))
        elif roll < 0.82:
            kind = "control_byte"
            pending.append(start() + _insert(payload, bytes([rng.choice(_CONTROL)]), rng) + end())
            stream.expected.append(Expect.notice(R.CONTROL_BYTES))
        elif roll < 0.85:
            kind = "c1_control"
            pending.append(start() + _insert(payload, "\u0085".encode(), rng) + end())
            stream.expected.append(Expect.notice(R.CONTROL_BYTES))
        elif roll < 0.88:
            kind = "undecodable"
            bad = rng.choice((b"\xff", b"\xc3", b"\xe2\x82", b"\x80"))
            pending.append(start() + _insert(payload, bad, rng) + end())
            stream.expected.append(Expect.notice(R.UNDECODABLE))
        elif roll < 0.92:
            kind = "over_long"
            length = rng.randrange(max_frame_length + 1, max_frame_length * 4)
            body = "".join(rng.choice(_ALNUM) for _ in range(length)).encode()
            pending.append(start() + body + end())
            stream.expected.append(Expect.notice(R.TOO_LONG))
        elif roll < 0.94:
            kind = "symbology_only"
            pending.append(start() + rng.choice(AIM_PREFIXES).encode() + end())
            stream.expected.append(Expect.notice(R.EMPTY))
        elif roll < 0.97 or mode == "line":
            kind = "stray_line_ends"  # blank lines, or CR/LF between STX/ETX frames
            pending.append(rng.choice((b"\r", b"\n", b"\r\n", b"\n\n")))
        else:
            kind = "outside_frame"  # STX/ETX mode: a scan sent without its STX
            pending.append(payload + b"\r")
            stream.expected.append(Expect.notice(R.OUTSIDE_FRAME))
        stream.kinds[kind] += 1
    if pending:
        stream.segments.append(_chunks(b"".join(pending), rng))
    return stream


def _close_segment(stream: Stream, pending: list[bytes], rng: random.Random) -> None:
    stream.segments.append(_chunks(b"".join(pending), rng))
    stream.expected_before_pause.append(len(stream.expected))
    pending.clear()


def _chunks(data: bytes, rng: random.Random) -> list[bytes]:
    """Cut `data` at random: pieces from 1 byte (a frame split many ways) to several
    frames' worth (frames merged into one read)."""
    out, at = [], 0
    while at < len(data):
        size = rng.choice((1, 2, 3, 5, 8, 13, 40, 120, 400))
        out.append(data[at : at + size])
        at += size
    return out
