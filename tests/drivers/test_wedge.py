"""Keyboard-wedge burst detection: scanner bursts become scans, human typing is given back."""

from __future__ import annotations

from typing import Any

import pytest

from bench.scans import GS, ScanSource
from drivers.framing import Unreadable, UnreadableReason
from drivers.wedge import WedgeDetector, WedgeEvent

SCANNER_GAP = 0.004  # a wedge scanner types a key every few milliseconds
HUMAN_GAP = 0.180  # a brisk typist


def feed_all(detector: WedgeDetector, text: str, start: float, gap: float) -> list[WedgeEvent]:
    return [detector.feed(ch, start + i * gap) for i, ch in enumerate(text)]


def test_fast_burst_then_enter_is_one_scan() -> None:
    detector = WedgeDetector()
    events = feed_all(detector, "TI-000123", start=10.0, gap=SCANNER_GAP)

    assert events == [WedgeEvent(held=True)] * 9
    assert detector.enter(10.0 + 9 * SCANNER_GAP) == "TI-000123"
    assert detector.pending == ""
    assert detector.release() == ""


def test_next_scan_after_a_scan_is_separate() -> None:
    detector = WedgeDetector()
    feed_all(detector, "EMP-0042", start=1.0, gap=SCANNER_GAP)
    assert detector.enter(1.0 + 8 * SCANNER_GAP) == "EMP-0042"

    feed_all(detector, "CMD:YES", start=1.5, gap=SCANNER_GAP)
    assert detector.enter(1.5 + 7 * SCANNER_GAP) == "CMD:YES"


def test_slow_typing_then_enter_is_not_a_scan_and_every_key_comes_back() -> None:
    detector = WedgeDetector()
    events = feed_all(detector, "abcd", start=5.0, gap=HUMAN_GAP)

    # Each key is held until the next one shows the pause, then given back, in order.
    assert events == [
        WedgeEvent(held=True, released=""),
        WedgeEvent(held=True, released="a"),
        WedgeEvent(held=True, released="b"),
        WedgeEvent(held=True, released="c"),
    ]
    assert detector.enter(5.0 + 3 * HUMAN_GAP + HUMAN_GAP) is None
    assert detector.release() == "d"
    assert detector.pending == ""


def test_enter_long_after_a_fast_burst_is_not_a_scan() -> None:
    detector = WedgeDetector()
    feed_all(detector, "ABCDEF", start=0.0, gap=SCANNER_GAP)

    assert detector.enter(5 * SCANNER_GAP + 0.3) is None
    assert detector.release() == "ABCDEF"


def test_burst_shorter_than_min_length_is_not_a_scan() -> None:
    detector = WedgeDetector(min_length=4)
    feed_all(detector, "ok!", start=2.0, gap=SCANNER_GAP)

    assert detector.enter(2.0 + 3 * SCANNER_GAP) is None
    assert detector.release() == "ok!"


def test_burst_of_exactly_min_length_is_a_scan() -> None:
    detector = WedgeDetector(min_length=4)
    feed_all(detector, "AB12", start=2.0, gap=SCANNER_GAP)

    assert detector.enter(2.0 + 4 * SCANNER_GAP) == "AB12"


def test_pause_inside_a_burst_splits_it() -> None:
    detector = WedgeDetector(max_gap=0.05)
    first = feed_all(detector, "TI-0", start=0.0, gap=SCANNER_GAP)
    assert all(event.held for event in first)

    # 0.2 s of silence: "TI-0" was not a scan after all, it is given back with the next key.
    resumed = detector.feed("0", 0.2)
    assert resumed == WedgeEvent(held=True, released="TI-0")

    rest = feed_all(detector, "0123", start=0.2 + SCANNER_GAP, gap=SCANNER_GAP)
    assert all(event == WedgeEvent(held=True) for event in rest)
    assert detector.enter(0.2 + 5 * SCANNER_GAP) == "00123"


def test_gap_of_exactly_max_gap_keeps_the_burst() -> None:
    # 1/16 s: exact in binary floating point, so the boundary is really tested.
    detector = WedgeDetector(max_gap=0.0625)
    for i, ch in enumerate("ABCD"):
        assert detector.feed(ch, i * 0.0625) == WedgeEvent(held=True)
    assert detector.enter(4 * 0.0625) == "ABCD"


def test_expire_gives_back_a_stale_burst_only() -> None:
    detector = WedgeDetector(max_gap=0.05)
    detector.feed("x", 1.0)

    assert detector.expire(1.03) == ""  # still live: a scanner may be mid-burst
    assert detector.pending == "x"
    assert detector.expire(1.06) == "x"
    assert detector.pending == ""
    assert detector.expire(2.0) == ""


def test_enter_with_nothing_held_is_not_a_scan() -> None:
    detector = WedgeDetector()
    assert detector.enter(1.0) is None
    assert detector.release() == ""


def test_burst_longer_than_max_length_is_one_unreadable_scan_and_no_keys() -> None:
    detector = WedgeDetector(max_length=5)
    events = feed_all(detector, "yyyyyynnnn", start=0.0, gap=SCANNER_GAP)

    # Line noise or a key stuck on auto-repeat: every key is held, none comes back.
    assert events == [WedgeEvent(held=True)] * 10
    ended = detector.enter(10 * SCANNER_GAP)
    assert isinstance(ended, Unreadable)
    assert ended.reason is UnreadableReason.TOO_LONG and ended.source is ScanSource.WEDGE
    assert ended.raw == b"yyyyy"  # a scan's worth is kept for the log, no more
    assert detector.pending == "" and detector.release() == ""


def test_burst_longer_than_max_length_ended_by_a_pause_is_unreadable_too() -> None:
    detector = WedgeDetector(max_length=5)
    feed_all(detector, "a" * 8, start=0.0, gap=SCANNER_GAP)

    assert detector.expire(8 * SCANNER_GAP) == ""  # still live
    ended = detector.expire(1.0)
    assert isinstance(ended, Unreadable) and ended.reason is UnreadableReason.TOO_LONG


@pytest.mark.parametrize("hidden", ["\u200b", "\x1b", "\t", "\u202e", "\x7f"])
def test_a_control_or_zero_width_character_inside_a_burst_makes_it_unreadable(
    hidden: str,
) -> None:
    detector = WedgeDetector()
    events = feed_all(detector, f"WYZE{hidden}XY", start=0.0, gap=SCANNER_GAP)

    assert all(event == WedgeEvent(held=True) for event in events)
    ended = detector.enter(7 * SCANNER_GAP)
    assert isinstance(ended, Unreadable) and ended.reason is UnreadableReason.CONTROL_BYTES
    assert ended.raw == f"WYZE{hidden}XY".encode()


def test_a_gs_inside_a_burst_is_part_of_the_scan() -> None:
    detector = WedgeDetector()
    code = "0109506000134352" + GS + "21ABC"
    feed_all(detector, code, start=0.0, gap=SCANNER_GAP)

    assert detector.enter(len(code) * SCANNER_GAP) == code


def test_a_control_key_outside_a_burst_is_a_person_s_and_delivered() -> None:
    detector = WedgeDetector()
    assert detector.feed("\t", 1.0) == WedgeEvent(held=False)
    detector.feed("a", 2.0)
    # Backspace long after the last key: that key was typing, and so is Backspace.
    assert detector.feed("\x7f", 3.0) == WedgeEvent(held=False, released="a")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_gap": 0}, "max_gap"),
        ({"min_length": 0}, "min_length"),
        ({"min_length": 10, "max_length": 5}, "min_length"),
    ],
    ids=["zero-gap", "zero-min", "min-above-max"],
)
def test_bad_settings_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WedgeDetector(**kwargs)
