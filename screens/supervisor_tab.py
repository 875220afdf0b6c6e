"""What every tab of the supervisor's screens is: a part of the screen that asks the
session and takes the scans made while it is on show. Its own module so the tabs can live
in modules of their own (`screens.dashboards`) beside `screens.supervisor`'s frame."""

from __future__ import annotations

from typing import ClassVar

from textual.containers import Vertical
from textual.message import Message

from bench.problems import Problem
from bench.session import Session
from screens.base import BenchScreen, ScanTaker


class LookUpWanted(Message):
    """A tab wants a code looked up in the Disputes tab (Enter on a stuck item, a scan)."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


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

    def show_problem(self, problem: Problem) -> None:
        screen = self.screen
        assert isinstance(screen, BenchScreen)
        screen.show_problem(problem)

    def clear_problem(self) -> None:
        screen = self.screen
        assert isinstance(screen, BenchScreen)
        screen.clear_problem()
