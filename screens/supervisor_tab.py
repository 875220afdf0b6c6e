"""What every tab of the supervisor's screens is: a part of the screen that asks the
session and takes the scans made while it is on show. Its own module so the tabs can live
in modules of their own (`screens.dashboards`) beside `screens.supervisor`'s frame."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar, Protocol

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label

from bench.moments import at_site
from bench.problems import Problem
from bench.session import Session
from bench.supervision import CENTRAL
from screens.base import BenchScreen, ScanTaker


class LookUpWanted(Message):
    """A tab wants a code looked up in the Disputes tab (Enter on a stuck item, a scan)."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class Sourced(Protocol):
    """What a tab read, as far as where it came from and when."""

    @property
    def source(self) -> str: ...

    @property
    def as_of(self) -> datetime: ...

    @property
    def unreachable(self) -> str | None: ...


def said_where(found: Sourced, zone: tzinfo | None) -> str:
    """Where figures come from and as of when, as a tab's first line says it."""
    at = at_site(found.as_of, zone)
    if found.unreachable is not None:
        return f"Central unreachable: from this bench's records, as of {at}"
    if found.source == CENTRAL:
        return f"From central, as of {at}"
    return f"From this bench's records, as of {at}"


class SupervisorTab(ScanTaker, Vertical):
    """One tab of the supervisor's screens: it asks the session, and takes the scans made
    while it is on show."""

    TITLE: ClassVar[str]
    TAB_ID: ClassVar[str]

    def __init__(self, session: Session) -> None:
        super().__init__(id=f"{self.TAB_ID}-tab")
        self.session = session

    def focus_first(self) -> None:
        """Put the keyboard where the tab is used from: its first widget that takes it."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def reload(self) -> None:
        """Read again what the tab shows (F5, and every 30 s while on show)."""

    def say_where(self, label: Label, found: Sourced, what: str = "") -> None:
        """Say on `label` where `found` came from and when (in bold when central could not
        be read, with why in its tooltip), then `what` it is."""
        label.update(said_where(found, self.session.time_zone) + (f": {what}" if what else ""))
        label.set_class(found.unreachable is not None, "-unreachable")
        label.tooltip = found.unreachable

    def show_problem(self, problem: Problem) -> None:
        screen = self.screen
        assert isinstance(screen, BenchScreen)
        screen.show_problem(problem)

    def clear_problem(self) -> None:
        screen = self.screen
        assert isinstance(screen, BenchScreen)
        screen.clear_problem()
