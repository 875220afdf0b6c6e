"""The pure frame decoder and the double-read filter, with made-up timestamps.

The bar (issue 3): split and merged frames, mixed terminators, NUL and other control
bytes, undecodable bytes, over-long frames and half-sent frames each become exactly one
valid `Scan` or exactly one unreadable notice, never an exception; AIM prefixes go to the
symbology, GS stays in the text. The same seeded streams run through the real serial
driver on a pty in test_serial_scanner.py.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.scans import Scan, ScanSource
from drivers.framing import (
    Decoded,
    DoubleReadFilter,
    FrameDecoder,
    FrameEvent,
    FramingSettings,
    Unreadable,
    frame_bytes,
    shown_bytes,
)
from drivers.framing import UnreadableReason as R
from tests.support.scanner_streams import AIM_PREFIXES, Expect, Stream, make_stream

TIMEOUT = 0.2


def decoder(terminator: str = "CR", max_frame_length: int = 64) -> FrameDecoder:
    return FrameDecoder(
        FramingSettings(
            terminator=terminator, max_frame_length=max_frame_length, inter_char_timeout=TIMEOUT
        )
    )


def texts(events: list[FrameEvent]) -> list[str]:
    """Scans as their text, notices as ``!reason``: compact to compare."""
    return [e.scan.text if isinstance(e, Decoded) else f"!{e.reason.value}" for e in events]


def feed_all(d: FrameDecoder, *chunks: bytes, at: float = 0.0) -> list[FrameEvent]:
    events: list[FrameEvent] = []
    for chunk in chunks:
        events += d.feed(chunk, at)
    return events


def outcome(events: list[FrameEvent]) -> list[tuple[str, str | None, str | None]]:
    return [
        ("scan", e.scan.text, e.scan.symbology)
        if isinstance(e, Decoded)
        else ("unreadable", e.reason.value, None)
        for e in events
    ]


# --- line mode ----------------------------------------------------------------------------


class TestLineFrames:
    @pytest.mark.parametrize("terminator", ["CR", "LF", "CRLF"])
    def test_each_terminator_ends_a_frame(self, terminator: str) -> None:
        d = decoder(terminator)
        events = d.feed(frame_bytes("TI-000123", terminator), 0.0)
        assert texts(events) == ["TI-000123"]
        assert isinstance(events[0], Decoded)
        assert events[0].raw == frame_bytes("TI-000123", terminator)
        assert events[0].scan.source is ScanSource.SERIAL

    def test_any_line_end_works_whatever_is_configured(self) -> None:
        # A scanner swapped for one set to CRLF must not glue codes together.
        d = decoder("CR")
        assert texts(d.feed(b"A1111\rB2222\nC3333\r\nD4444\n\rE5555\r", 0.0)) == [
            "A1111",
            "B2222",
            "C3333",
            "D4444",
            "E5555",
        ]

    def test_crlf_split_across_reads_is_one_terminator(self) -> None:
        d = decoder("CRLF")
        assert texts(feed_all(d, b"TI-000001\r", b"\nTI-000002\r", b"\n")) == [
            "TI-000001",
            "TI-000002",
        ]

    def test_blank_lines_are_dropped_silently(self) -> None:
        assert feed_all(decoder(), b"\r\r\n\n\r") == []

    def test_a_frame_split_into_single_bytes(self) -> None:
        d = decoder()
        assert texts(feed_all(d, *[bytes([b]) for b in b"EMP-0042\r"])) == ["EMP-0042"]

    def test_merged_frames_in_one_read_keep_their_order(self) -> None:
        data = b"".join(frame_bytes(f"TI-{n:06d}") for n in range(50))
        assert texts(decoder().feed(data, 0.0)) == [f"TI-{n:06d}" for n in range(50)]

    @pytest.mark.parametrize("prefix", AIM_PREFIXES)
    def test_aim_prefix_goes_to_the_symbology(self, prefix: str) -> None:
        events = decoder().feed(f"{prefix}0100614141999996\r".encode(), 0.0)
        assert outcome(events) == [("scan", "0100614141999996", prefix)]

    def test_gs1_group_separators_are_kept(self) -> None:
        events = decoder().feed(b"]d20100614141999996" + b"21ABC\x1d10LOT7\r", 0.0)
        assert outcome(events) == [("scan", "0100614141999996" + "21ABC\x1d10LOT7", "]d2")]

    def test_padding_spaces_are_trimmed(self) -> None:
        assert texts(decoder().feed(b"  ]C1 TI-000123  \r", 0.0)) == ["TI-000123"]

    @pytest.mark.parametrize(
        ("frame", "reason"),
        [
            (b"TI-00\x000123\r", R.CONTROL_BYTES),  # NUL
            (b"\x1b[ATI-000123\r", R.CONTROL_BYTES),  # an escape sequence
            (b"TI-000123\x7f\r", R.CONTROL_BYTES),  # DEL
            (b"TI-00\tX\r", R.CONTROL_BYTES),
            (b"TI-\xc2\x85000123\r", R.CONTROL_BYTES),  # C1 control, as valid UTF-8
            (b"\x02TI-000123\x03\r", R.CONTROL_BYTES),  # STX/ETX on a line-mode bench
            (b"TI-\xff000123\r", R.UNDECODABLE),
            (b"caf\xe9\r", R.UNDECODABLE),  # Latin-1, not UTF-8
            (b"]C1\r", R.EMPTY),
            (b"   \r", R.EMPTY),
        ],
    )
    def test_a_bad_frame_is_one_notice(self, frame: bytes, reason: R) -> None:
        events = decoder().feed(frame + b"TI-000999\r", 0.0)
        assert texts(events) == [f"!{reason.value}", "TI-000999"]
        assert isinstance(events[0], Unreadable)
        assert events[0].raw == frame
        assert events[0].problem.endswith("scan again")

    def test_non_ascii_utf8_is_a_scan_for_classify_to_judge(self) -> None:
        assert texts(decoder().feed("Seriennr-Ä1\r".encode(), 0.0)) == ["Seriennr-Ä1"]


class TestOverLongFrames:
    def test_exactly_the_maximum_is_a_scan(self) -> None:
        assert texts(decoder(max_frame_length=16).feed(b"A" * 16 + b"\r", 0.0)) == ["A" * 16]

    def test_reported_once_when_it_overflows_then_the_rest_is_dropped(self) -> None:
        d = decoder(max_frame_length=16)
        first = d.feed(b"B" * 17, 0.0)  # reported now, not at a terminator that may not come
        assert texts(first) == ["!too_long"]
        assert isinstance(first[0], Unreadable)
        assert first[0].raw == b"B" * 16
        assert feed_all(d, b"B" * 500, b"BBB") == []
        assert texts(d.feed(b"\rTI-000001\r", 0.0)) == ["TI-000001"]

    def test_a_runaway_frame_then_silence_is_still_one_notice(self) -> None:
        d = decoder(max_frame_length=16)
        assert texts(d.feed(b"C" * 40, 0.0)) == ["!too_long"]
        assert d.flush(10.0) == []
        assert texts(d.feed(b"TI-000001\r", 11.0)) == ["TI-000001"]


class TestHalfSentFrames:
    def test_flushed_after_the_inter_character_timeout(self) -> None:
        d = decoder()
        assert d.feed(b"TI-00", 1.0) == []
        assert d.flush(1.0 + TIMEOUT / 2) == []  # still arriving, as far as we know
        assert d.pending
        events = d.flush(1.0 + TIMEOUT + 0.001)
        assert texts(events) == ["!incomplete"]
        assert isinstance(events[0], Unreadable)
        assert events[0].raw == b"TI-00"
        assert not d.pending
        assert d.flush(5.0) == []  # reported once

    def test_the_timeout_runs_from_the_last_byte(self) -> None:
        d = decoder()
        for step in range(10):  # slow but steady: 0.1 s gaps under a 0.2 s timeout
            assert d.feed(b"X", step * 0.1) == []
            assert d.flush(step * 0.1 + 0.1) == []
        assert texts(d.feed(b"\r", 1.0)) == ["XXXXXXXXXX"]

    def test_a_late_tail_does_not_join_the_abandoned_head(self) -> None:
        # Nobody called flush during the pause: feed notices the gap itself.
        d = decoder()
        d.feed(b"TI-00", 0.0)
        assert texts(d.feed(b"EMP-0042\r", 0.0 + TIMEOUT + 0.01)) == ["!incomplete", "EMP-0042"]

    def test_unplugged_mid_frame(self) -> None:
        d = decoder()
        d.feed(b"TI-00", 0.0)
        events = d.abort()
        assert texts(events) == ["!disconnected"]
        assert "unplugged" in events[0].problem if isinstance(events[0], Unreadable) else False
        assert d.abort() == []
        assert texts(d.feed(b"TI-000001\r", 0.1)) == ["TI-000001"]


class TestStxEtx:
    def test_frames_with_line_ends_between_them(self) -> None:
        d = decoder("STX/ETX")
        events = d.feed(b"\x02TI-000001\x03\r\n\x02]C1EMP-0042\r\x03\n", 0.0)
        assert outcome(events) == [("scan", "TI-000001", None), ("scan", "EMP-0042", "]C1")]
        assert isinstance(events[0], Decoded)
        assert events[0].raw == b"\x02TI-000001\x03"

    def test_a_scanner_sending_lines_gets_one_notice_per_line(self) -> None:
        d = decoder("STX/ETX")
        assert texts(d.feed(b"TI-000001\rTI-000002\r", 0.0)) == ["!outside_frame"] * 2

    def test_stx_inside_a_frame_cuts_off_the_previous_one(self) -> None:
        d = decoder("STX/ETX")
        events = d.feed(b"\x02TI-00\x02TI-000002\x03", 0.0)
        assert texts(events) == ["!incomplete", "TI-000002"]
        assert isinstance(events[0], Unreadable)
        assert events[0].raw == b"\x02TI-00"

    def test_empty_overlong_and_half_sent(self) -> None:
        d = decoder("STX/ETX", max_frame_length=16)
        assert texts(d.feed(b"\x02\x03", 0.0)) == ["!empty"]
        assert texts(d.feed(b"\x02" + b"A" * 20 + b"\x03", 0.0)) == ["!too_long"]
        assert texts(d.feed(b"\x02" + b"A" * 20 + b"\x02B1234\x03", 0.0)) == [
            "!too_long",
            "B1234",
        ]
        assert d.feed(b"\x02HALF", 1.0) == []
        assert texts(d.flush(1.0 + TIMEOUT + 0.001)) == ["!incomplete"]
        assert texts(d.feed(b"STRAY", 2.0) + d.flush(2.5)) == ["!outside_frame"]


class TestShownBytes:
    def test_escapes_what_is_not_printable(self) -> None:
        assert shown_bytes(b"]C1AB\x1dC\\\r\n\t\x00\xff") == "]C1AB\\x1dC\\\\\\r\\n\\t\\x00\\xff"

    def test_cut_short(self) -> None:
        assert shown_bytes(b"A" * 100, limit=10) == "AAAAAAAAA…"
        assert len(shown_bytes(b"\x00" * 100, limit=10)) == 10


# --- seeded streams and properties ----------------------------------------------------------


def run_stream(stream: Stream, d: FrameDecoder) -> list[FrameEvent]:
    """Feed a stream as a cable would deliver it: bytes 1 ms apart, pauses between segments."""
    events: list[FrameEvent] = []
    at = 0.0
    for segment in stream.segments:
        for chunk in segment:
            events += d.feed(chunk, at)
            at += 0.001
        at += TIMEOUT * 3
        events += d.flush(at)
    return events


def assert_matches(events: list[FrameEvent], expected: list[Expect]) -> None:
    """Exactly the expected scans in order, with one notice (of an allowed reason) for each
    bad frame, nothing more and nothing less."""
    assert len(events) == len(expected)
    for index, (event, want) in enumerate(zip(events, expected, strict=True)):
        if want.kind == "scan":
            assert isinstance(event, Decoded), (index, event, want)
            assert (event.scan.text, event.scan.symbology) == (want.text, want.symbology), index
        else:
            assert isinstance(event, Unreadable), (index, event, want)
            assert event.reason in want.reasons, (index, event, want)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ten_thousand_seeded_frames(seed: int) -> None:
    stream = make_stream(seed, 10_000, max_frame_length=64)
    assert set(stream.kinds) >= {
        "valid",
        "garbage",
        "control_byte",
        "c1_control",
        "undecodable",
        "over_long",
        "symbology_only",
        "half_sent",
        "stray_line_ends",
    }
    assert_matches(run_stream(stream, decoder(max_frame_length=64)), stream.expected)


@pytest.mark.parametrize("seed", [1, 2])
def test_seeded_stx_etx_stream(seed: int) -> None:
    stream = make_stream(seed, 5_000, mode="stx", max_frame_length=64)
    assert stream.kinds["outside_frame"] and stream.kinds["half_sent"]
    assert_matches(run_stream(stream, decoder("STX/ETX", 64)), stream.expected)


@given(seed=st.integers(0, 2**32), frames=st.integers(1, 80), stx=st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_seeded_stream_decodes_to_its_expectations(seed: int, frames: int, stx: bool) -> None:
    stream = make_stream(seed, frames, mode="stx" if stx else "line", half_sent_rate=0.05)
    d = decoder("STX/ETX" if stx else "CR", 64)
    assert_matches(run_stream(stream, d), stream.expected)


@given(
    data=st.binary(max_size=600),
    cuts=st.lists(st.integers(0, 600), max_size=30),
    terminator=st.sampled_from(["CR", "LF", "CRLF", "STX/ETX"]),
)
@settings(max_examples=500, deadline=None)
def test_arbitrary_bytes_never_raise_and_every_scan_is_clean(
    data: bytes, cuts: list[int], terminator: str
) -> None:
    d = decoder(terminator, max_frame_length=32)
    pieces, start = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    events = feed_all(d, *pieces) + d.flush(1.0) + d.abort()
    for event in events:
        if isinstance(event, Decoded):
            text = event.scan.text
            assert text and text == text.strip(" ")
            assert len(text.encode()) <= 32
            assert not any((ord(c) < 0x20 and c != "\x1d") or 0x7F <= ord(c) < 0xA0 for c in text)
        else:
            assert len(event.raw) <= 34  # the frame, capped, with its framing bytes
    # Splitting differently never changes what is read (raw may show CRLF as CR).
    whole = decoder(terminator, max_frame_length=32)
    again = whole.feed(data, 0.0) + whole.flush(1.0) + whole.abort()
    assert outcome(again) == outcome(events)


def test_scans_carry_the_wall_clock_and_source() -> None:
    moment = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    d = FrameDecoder(FramingSettings(source=ScanSource.SIMULATED), clock=lambda: moment)
    (event,) = d.feed(b"TI-000001\r", 123.0)
    assert isinstance(event, Decoded)
    assert (event.scan.read_at, event.scan.source) == (moment, ScanSource.SIMULATED)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="terminator"):
        FramingSettings(terminator="ETX")
    with pytest.raises(ValueError):
        FramingSettings(max_frame_length=0)
    with pytest.raises(ValueError):
        FramingSettings(inter_char_timeout=0)


# --- double reads ------------------------------------------------------------------------------


def scan(text: str) -> Scan:
    return Scan.now(text, ScanSource.SERIAL)


class TestDoubleReads:
    def test_a_repeat_within_the_window_is_dropped(self) -> None:
        f = DoubleReadFilter(1.5)
        assert f.accept(scan("TI-000001"), 10.0)
        assert not f.accept(scan("TI-000001"), 10.2)
        assert not f.accept(scan("TI-000001"), 11.4)

    def test_the_same_code_again_after_the_window_counts(self) -> None:
        f = DoubleReadFilter(1.5)
        assert f.accept(scan("CMD:YES"), 10.0)
        assert not f.accept(scan("CMD:YES"), 10.3)  # the double read
        # Measured from the read that counted, so the repeat at 10.3 does not extend it.
        assert f.accept(scan("CMD:YES"), 11.6)

    def test_a_different_code_in_between_resets_it(self) -> None:
        f = DoubleReadFilter(1.5)
        assert [f.accept(scan(t), 1.0 + i * 0.1) for i, t in enumerate("ABA")] == [True] * 3

    def test_window_zero_turns_it_off_and_reset_forgets(self) -> None:
        off = DoubleReadFilter(0)
        assert off.accept(scan("A1"), 1.0) and off.accept(scan("A1"), 1.0)
        f = DoubleReadFilter(1.5)
        f.accept(scan("A1"), 1.0)
        f.reset()
        assert f.accept(scan("A1"), 1.1)

    def test_a_negative_window_is_refused(self) -> None:
        with pytest.raises(ValueError):
            DoubleReadFilter(-1)


def test_garbage_helper_is_one_bad_frame() -> None:
    from drivers.simulated import garbage

    rng = random.Random(7)
    for _ in range(500):
        noise = garbage(rng, rng.randrange(1, 30))
        events = decoder().feed(noise + b"\r", 0.0)
        assert texts(events) in (["!control_bytes"], ["!undecodable"])
