"""A keyboard-wedge scanner types into the terminal like a person: this base of the app
tells the two apart before any widget sees a key.

A burst of keys faster than a person types, ending in Enter, is one scan (`ScanRead`); a
burst that cannot be a scan (a control or zero-width character inside, or too long) is one
unreadable scan (`ScanUnreadable`), and none of its keys acts; keys held back that turn
out to be typing are delivered as they were. It also notes when
a person last pressed a key (`input_arrived`), which the app's idle checks read.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import events
from textual.app import App

from bench.scans import Scan, ScanSource
from screens.messages import ScanRead, ScanUnreadable

if TYPE_CHECKING:
    from drivers.wedge import Ended, WedgeDetector


class KeyboardWedgeApp(App[None]):
    """An app that reads wedge bursts as scans (`wedge` None: every key is a key)."""

    def __init__(self, wedge: WedgeDetector | None) -> None:
        super().__init__()
        self._wedge = wedge
        self._replaying = False
        self._last_input = time.monotonic()
        """When a person last pressed a key or scanned (time.monotonic())."""

    async def on_event(self, event: events.Event) -> None:
        """Catch wedge-scanner bursts before any widget sees them."""
        if isinstance(event, events.Key):
            self.input_arrived()
        wedge = self._wedge
        if (
            wedge is None
            or self._replaying
            or not isinstance(event, events.Key)
            or event.is_forwarded
        ):
            await super().on_event(event)
            return
        now = time.monotonic()
        if event.key == "enter":
            ended = wedge.enter(now)
            if isinstance(ended, str):
                self.post_message(ScanRead(Scan.now(ended, ScanSource.WEDGE)))
                return
            if ended is not None:  # the Enter ended an unreadable scan: it is not a key
                self.post_message(ScanUnreadable(ended))
                return
            await self._settle(wedge.release())
        elif event.character is not None:
            # Not only printable keys: a zero-width or control character inside a burst
            # makes it an unreadable scan rather than letting the rest of it act as keys.
            fed = wedge.feed(event.character, now)
            await self._settle(fed.released)
            if fed.held:
                self.set_timer(wedge.max_gap * 1.5, self._expire_wedge)
                return
        else:
            await self._settle(wedge.release())
        await super().on_event(event)

    def input_arrived(self) -> None:
        """A key was pressed or a code scanned."""
        self._last_input = time.monotonic()

    async def _expire_wedge(self) -> None:
        if self._wedge is not None:
            await self._settle(self._wedge.expire(time.monotonic()))

    async def _settle(self, ended: Ended) -> None:
        """Act on how a burst ended: keys that were typing are delivered, an unreadable
        scan is reported."""
        if isinstance(ended, str):
            await self._retype(ended)
        else:
            self.post_message(ScanUnreadable(ended))

    async def _retype(self, text: str) -> None:
        """Deliver keys held back as a possible scan that turned out to be a person typing."""
        self._replaying = True
        try:
            for character in text:
                key = events.Key(_key_name(character), character)
                await super().on_event(key)
        finally:
            self._replaying = False


def _key_name(character: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(character)
