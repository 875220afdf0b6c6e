"""For any stream of keys and pauses, the wedge detector ends each burst one way only: one
scan, one unreadable scan, or typing given back as typed; never keys from a scan.

The stream is played the way `screens.keyboard_wedge` plays it (feed every key with a
character, Enter, the expiry timer, keys without a character), and every key is followed
to where it went.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from bench.scans import GS
from drivers.framing import Unreadable, UnreadableReason
from drivers.wedge import Ended, WedgeDetector

MAX_GAP = 0.05
ENTER = "enter"
TICK = "tick"  # the app's expiry timer fires
ARROW = "arrow"  # a key without a character


def showable(char: str) -> bool:
    return char.isprintable() or char == GS


@dataclass
class Played:
    """Where each key of the stream went (by its index in the stream)."""

    keys: list[tuple[str, float]]
    detector: WedgeDetector
    held: list[int] = field(default_factory=list)
    scans: list[list[int]] = field(default_factory=list)
    unreadables: list[tuple[list[int], Unreadable]] = field(default_factory=list)
    typed_bursts: list[list[int]] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    """Keys that acted as keys: delivered at once, or given back as typing."""

    def settle(self, ended: Ended) -> None:
        if isinstance(ended, Unreadable):
            self.unreadables.append((self.held, ended))
        elif ended:
            # Typing: the whole burst comes back, in order, as it was typed.
            assert ended == "".join(self.keys[i][0] for i in self.held)
            self.typed_bursts.append(self.held)
            self.delivered += self.held
        else:
            return
        self.held = []

    def play(self, index: int, key: str, at: float) -> None:
        detector = self.detector
        if key == ENTER:
            ended = detector.enter(at)
            if isinstance(ended, str):
                assert ended == "".join(self.keys[i][0] for i in self.held)
                self.scans.append([*self.held, index])
                self.held = []
            elif ended is not None:
                self.unreadables.append(([*self.held, index], ended))
                self.held = []
            else:
                self.settle(detector.release())
                self.delivered.append(index)
        elif key == TICK:
            self.settle(detector.expire(at))
        elif key == ARROW:
            self.settle(detector.release())
            self.delivered.append(index)
        else:
            fed = detector.feed(key, at)
            self.settle(fed.released)
            if fed.held:
                self.held.append(index)
            else:
                assert not self.held  # only a key outside any burst is not held
                assert not showable(key)  # ...and only one a scanner would not send
                self.delivered.append(index)


keys = st.one_of(
    st.sampled_from("AB12-y"),
    st.sampled_from(["\u200b", "\x1b", "\t", "\u202e", GS, "\x7f"]),
    st.characters(codec=None),
    st.just(ENTER),
    st.just(TICK),
    st.just(ARROW),
)
gaps = st.sampled_from([0.0, 0.004, MAX_GAP, 0.051, 0.2]) | st.floats(0, 0.3)


@given(
    st.lists(st.tuples(keys, gaps), max_size=60),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=4, max_value=12),
)
def test_each_burst_ends_one_way_only(
    stream: list[tuple[str, float]], min_length: int, max_length: int
) -> None:
    at = 0.0
    timed: list[tuple[str, float]] = []
    for key, gap in stream:
        at += gap
        timed.append((key, at))
    played = Played(timed, WedgeDetector(MAX_GAP, min_length, max_length))
    for index, (key, at) in enumerate(timed):
        played.play(index, key, at)
    played.settle(played.detector.release())

    # Every key went exactly one way: into a scan, an unreadable scan, or acted as a key.
    went = Counter(
        [i for scan in played.scans for i in scan]
        + [i for burst, _ in played.unreadables for i in burst]
        + played.delivered
    )
    pressed = [i for i, (key, _) in enumerate(timed) if key != TICK]
    assert went == Counter(pressed)

    for scan in played.scans:
        chars = scan[:-1]  # and the Enter
        assert all(showable(timed[i][0]) for i in chars)
        assert min_length <= len(chars) <= max_length
        times = [timed[i][1] for i in scan]
        assert all(b - a <= MAX_GAP for a, b in pairwise(times))
    for burst, unreadable in played.unreadables:
        chars = [timed[i][0] for i in burst if timed[i][0] != ENTER]
        if unreadable.reason is UnreadableReason.TOO_LONG:
            assert len(chars) > max_length
        else:
            assert unreadable.reason is UnreadableReason.CONTROL_BYTES
            assert not all(showable(char) for char in chars)
    for burst in played.typed_bursts:
        assert all(showable(timed[i][0]) for i in burst)
        assert len(burst) <= max_length
