"""Tell a keyboard-wedge scanner from a person typing, by timing alone.

A wedge scanner "types" its frame into the terminal, a key every few milliseconds, then
Enter. The bench must catch those bursts as scans whatever has focus (a scan is classified
by its content, never by where the cursor is), yet a person typing into a text field must
still see their keys land there. The only difference between the two is speed, so this
module watches key timing; it is pure logic (no Textual import) so it can be tested with
made-up timestamps and driven from any UI.

How the app uses it, from a Textual ``on_key`` handler (``now`` is ``time.monotonic()``,
or ``event.time``, which Textual stamps with the same clock when it read the key)::

    if event.key == "enter":
        ended = detector.enter(now)
        if isinstance(ended, str):           # a scan: swallow the Enter, post the Scan
            post(Scan.now(ended, ScanSource.WEDGE)); return
        if ended is not None:                # an unreadable scan: swallow the Enter too
            post(ScanUnreadable(ended)); return
        settle(detector.release())           # typing: give the field its keys, then Enter
    elif event.character is not None:       # printable or not (tab, backspace, U+200B)
        result = detector.feed(event.character, now)
        settle(result.released)              # how the burst before this key ended, first
        if result.held:                      # this key may be part of a scan: hold it
            set_timer(detector.max_gap, lambda: settle(detector.expire(time.monotonic())))
            return
    else:                                    # arrows, F-keys...: not a scanner
        settle(detector.release())
    deliver(event)

where ``settle`` retypes keys that were typing (a str) and posts an `Unreadable` notice.

Held keys are therefore late by at most ``max_gap`` (50 ms), which a person does not
notice; that is the price of never letting half a scan leak into a text field.

A burst is a scan, an unreadable scan or typing, never two of them, and the keys of a scan
or an unreadable scan never act as keys: a burst holding a character that does not show as
itself (a control or zero-width character: a scanner sends no such thing inside a label,
except GS, the GS1 separator) or longer than `max_length` is one unreadable scan, whether
Enter or a pause ends it. Otherwise a run of 10 KB of noise would reach the checklist as
keys and answer its questions. Outside a burst such a key (Tab, Backspace, Escape) is a
person's, delivered at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.scans import GS, ScanSource
from drivers.framing import Unreadable, UnreadableReason

Ended = str | Unreadable
"""How a burst that was not a scan ended: its keys, given back as typing (a str, "" when
none), or one unreadable scan whose keys are swallowed."""


@dataclass(frozen=True)
class WedgeEvent:
    """What the app must do with a key it just fed to the detector."""

    held: bool
    """True: the key may be part of a scan; the detector keeps it, the app must swallow
    it. False: the key is not (a person's Tab or Backspace outside any burst); the app
    delivers it to the focused widget as usual, after `released`."""

    released: Ended = ""
    """How the burst before this key ended, if the pause before it ended one: keys that
    were a person typing (delivered now, in order, before the key), or an unreadable scan
    (reported)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WedgeDetector:
    """Groups keys into bursts; a burst ended promptly by Enter is one scan.

    `max_gap` is the longest pause, in seconds, between two keys of one scan (and between
    the last key and Enter): scanners type a key every 1-10 ms, people rarely manage two
    keys within 50 ms, let alone four in a row. `min_length` is the shortest scan, so a
    person's quick double tap + Enter is not mistaken for one. `max_length` bounds a
    scan: a longer burst is line noise or a key stuck on auto-repeat, an unreadable scan.
    `clock` stamps unreadable scans (`Unreadable.read_at`); timing uses the caller's `at`.
    """

    def __init__(
        self,
        max_gap: float = 0.05,
        min_length: int = 4,
        max_length: int = 256,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if max_gap <= 0:
            raise ValueError("max_gap must be positive")
        if not 1 <= min_length <= max_length:
            raise ValueError("need 1 <= min_length <= max_length")
        self.max_gap = max_gap
        self.min_length = min_length
        self.max_length = max_length
        self.clock = clock
        self._held: list[str] = []
        self._last_at: float | None = None
        self._unreadable: UnreadableReason | None = None
        """Why the burst under way can only be an unreadable scan, once it is known."""

    @property
    def pending(self) -> str:
        """The keys held right now, not yet known to be a scan or typing."""
        return "".join(self._held)

    def feed(self, char: str, at: float) -> WedgeEvent:
        """Take one key that types `char` (printable or not) at time `at` (seconds,
        monotonic)."""
        released = self.expire(at)
        showable = char.isprintable() or char == GS
        if not self._held and not showable:
            return WedgeEvent(held=False, released=released)  # a person's Tab, Backspace...
        if not showable:
            self._unreadable = self._unreadable or UnreadableReason.CONTROL_BYTES
        if len(self._held) < self.max_length:
            self._held.append(char)
        else:  # keep no more than a scan's worth: the rest only makes it unreadable
            self._unreadable = UnreadableReason.TOO_LONG
        self._last_at = at
        return WedgeEvent(held=True, released=released)

    def enter(self, at: float) -> str | Unreadable | None:
        """Enter was pressed at `at`: the held burst if it is a scan, or the unreadable scan
        it is (either way forgotten, and the Enter is part of it), or None.

        On None the held keys stay held: the app calls `release()` to deliver them to the
        focused widget ahead of the Enter.
        """
        if self._is_stale(at):
            return None
        if self._unreadable is not None:
            return self._end_unreadable(self._unreadable)
        if len(self._held) < self.min_length:
            return None
        text = "".join(self._held)
        self._reset()
        return text

    def expire(self, at: float) -> Ended:
        """End the held burst if no key came for more than `max_gap` before `at`.

        Call it from a timer about `max_gap` after a held key, so a person's last keys do
        not wait for the next key press to appear. Returns "" while the burst is still live.
        """
        if self._held and self._is_stale(at):
            return self.release()
        return ""

    def release(self) -> Ended:
        """End the held burst now: its keys are typing, given back, unless it was already
        known to be an unreadable scan. Start afresh."""
        if self._unreadable is not None:
            return self._end_unreadable(self._unreadable)
        text = "".join(self._held)
        self._reset()
        return text

    def _end_unreadable(self, reason: UnreadableReason) -> Unreadable:
        raw = "".join(self._held).encode("utf-8", "backslashreplace")
        self._reset()
        return Unreadable(raw=raw, reason=reason, read_at=self.clock(), source=ScanSource.WEDGE)

    def _is_stale(self, at: float) -> bool:
        return self._last_at is None or at - self._last_at > self.max_gap

    def _reset(self) -> None:
        self._held.clear()
        self._last_at = None
        self._unreadable = None
