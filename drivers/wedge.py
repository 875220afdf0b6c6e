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
        text = detector.enter(now)
        if text is not None:                 # a scan: swallow the Enter, post the Scan
            event.prevent_default(); event.stop(); post(Scan.now(text, ScanSource.WEDGE))
        else:                                # typing: give the field its keys, then Enter
            retype(detector.release())
    elif event.character is not None and event.is_printable:
        result = detector.feed(event.character, now)
        retype(result.released)              # earlier keys that were typing, first
        if result.held:                      # this key may be part of a scan: hold it
            event.prevent_default(); event.stop()
            set_timer(detector.max_gap, lambda: retype(detector.expire(time.monotonic())))
    else:                                    # arrows, backspace, tab...: not a scanner
        retype(detector.release())

Held keys are therefore late by at most ``max_gap`` (50 ms), which a person does not
notice; that is the price of never letting half a scan leak into a text field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WedgeEvent:
    """What the app must do with a key it just fed to the detector."""

    held: bool
    """True: the key may be part of a scan; the detector keeps it, the app must swallow
    it. False: the key is not (for example a burst grew longer than any scan); the app
    delivers it to the focused widget as usual, after `released`."""

    released: str = ""
    """Keys held earlier that turned out to be a person typing (the burst was broken by
    a pause): the app delivers them to the focused widget now, in order, before the key."""


class WedgeDetector:
    """Groups keys into bursts; a burst ended promptly by Enter is one scan.

    `max_gap` is the longest pause, in seconds, between two keys of one scan (and between
    the last key and Enter): scanners type a key every 1-10 ms, people rarely manage two
    keys within 50 ms, let alone four in a row. `min_length` is the shortest scan, so a
    person's quick double tap + Enter is not mistaken for one. `max_length` bounds a
    burst: anything longer is a key held down on auto-repeat, not a label.
    """

    def __init__(self, max_gap: float = 0.05, min_length: int = 4, max_length: int = 256) -> None:
        if max_gap <= 0:
            raise ValueError("max_gap must be positive")
        if not 1 <= min_length <= max_length:
            raise ValueError("need 1 <= min_length <= max_length")
        self.max_gap = max_gap
        self.min_length = min_length
        self.max_length = max_length
        self._held: list[str] = []
        self._last_at: float | None = None

    @property
    def pending(self) -> str:
        """The keys held right now, not yet known to be a scan or typing."""
        return "".join(self._held)

    def feed(self, char: str, at: float) -> WedgeEvent:
        """Take one printable key typed at time `at` (seconds, monotonic)."""
        released = self.expire(at)
        if len(self._held) >= self.max_length:
            # No scanner sends this much: it is typing (or a stuck key), give it all back.
            return WedgeEvent(held=False, released=released + self.release())
        self._held.append(char)
        self._last_at = at
        return WedgeEvent(held=True, released=released)

    def enter(self, at: float) -> str | None:
        """Enter was pressed at `at`: the held burst if it is a scan (and forget it), or None.

        On None the held keys stay held: the app calls `release()` to deliver them to the
        focused widget ahead of the Enter.
        """
        if self._is_stale(at) or len(self._held) < self.min_length:
            return None
        text = "".join(self._held)
        self._reset()
        return text

    def expire(self, at: float) -> str:
        """Give back the held keys if no key came for more than `max_gap` before `at`.

        Call it from a timer about `max_gap` after a held key, so a person's last keys do
        not wait for the next key press to appear. Returns "" while the burst is still live.
        """
        if self._held and self._is_stale(at):
            return self.release()
        return ""

    def release(self) -> str:
        """Give back every held key now (they are typing) and start afresh."""
        text = "".join(self._held)
        self._reset()
        return text

    def _is_stale(self, at: float) -> bool:
        return self._last_at is None or at - self._last_at > self.max_gap

    def _reset(self) -> None:
        self._held.clear()
        self._last_at = None
