"""What every bench screen shares: the station header, the problem panel, the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen

from bench.scans import Classified
from bench.session import Problem, Session
from screens.widgets import BenchFooter, ProblemPanel, StationHeader

if TYPE_CHECKING:
    from bench.app import BenchApp


class BenchScreen(Screen[None]):
    """A full screen of the bench. Mounted once and updated in place on each visit."""

    @property
    def bench(self) -> BenchApp:
        from bench.app import BenchApp

        assert isinstance(self.app, BenchApp)
        return self.app

    @property
    def session(self) -> Session:
        return self.bench.session

    def compose_header(self) -> ComposeResult:
        yield StationHeader()

    def compose_footer(self) -> ComposeResult:
        yield ProblemPanel()
        yield BenchFooter()

    def handle_scan(self, scan: Classified) -> None:
        """A scan arrived while this screen is showing; screens override what they take."""
        self.show_problem(
            Problem("Not now", f"{scan.value} is not expected on this screen.", self.scan_hint)
        )

    @property
    def scan_hint(self) -> str:
        return "Follow the instruction on screen."

    def show_problem(self, problem: Problem) -> None:
        self.query_one(ProblemPanel).show(problem)
        self.app.bell()

    def clear_problem(self) -> None:
        self.query_one(ProblemPanel).clear()

    def confirm_cancel_inspection(self) -> None:
        """Ask first: a cancelled inspection loses its answers."""
        from screens.dialogs import ConfirmScreen

        def cancelled(sure: bool | None) -> None:
            if sure:
                self.session.cancel_inspection()
                self.bench.show("request")

        self.app.push_screen(
            ConfirmScreen("Cancel this inspection? Its answers are discarded."), cancelled
        )

    def refresh_view(self) -> None:
        """Bring the screen up to date with the session; called before each visit."""
