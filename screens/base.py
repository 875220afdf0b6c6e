"""What every bench screen shares: the station header, the problem panel, the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import Screen

from bench.scans import Classified
from bench.session import Problem, Session
from screens.widgets import KeyBar, ProblemPanel, StationHeader

if TYPE_CHECKING:
    from bench.app import BenchApp

DEFAULT_SCAN_HINT = "Follow the instruction on screen."


def bench_of(node: DOMNode) -> BenchApp:
    from bench.app import BenchApp

    assert isinstance(node.app, BenchApp)
    return node.app


def not_expected(scan: Classified, hint: str) -> Problem:
    return Problem("Not now", f"{scan.value} is not expected on this screen.", hint)


class BenchScreen(Screen[None]):
    """A full screen of the bench. Mounted once and updated in place on each visit."""

    @property
    def bench(self) -> BenchApp:
        return bench_of(self)

    @property
    def session(self) -> Session:
        return self.bench.session

    def compose_header(self) -> ComposeResult:
        yield StationHeader()

    def compose_footer(self) -> ComposeResult:
        yield ProblemPanel()
        yield KeyBar()

    def handle_scan(self, scan: Classified) -> None:
        """A scan arrived while this screen is showing; screens override what they take."""
        self.show_problem(not_expected(scan, self.scan_hint))

    @property
    def scan_hint(self) -> str:
        return DEFAULT_SCAN_HINT

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


class BenchView(Vertical):
    """The body of a screen that shows one of several views in place (`PackageScreen`).

    Showing another view repaints what changed and nothing else; a screen switch would
    re-apply every style and repaint the whole terminal, most of a scan's time.
    """

    DEFAULT_CLASSES = "box"

    @property
    def bench(self) -> BenchApp:
        return bench_of(self)

    @property
    def session(self) -> Session:
        return self.bench.session

    @property
    def bench_screen(self) -> BenchScreen:
        screen = self.screen
        assert isinstance(screen, BenchScreen)
        return screen

    def handle_scan(self, scan: Classified) -> None:
        """A scan arrived while this view is showing; views override what they take."""
        self.show_problem(not_expected(scan, self.scan_hint))

    def show_problem(self, problem: Problem) -> None:
        self.bench_screen.show_problem(problem)

    def clear_problem(self) -> None:
        self.bench_screen.clear_problem()

    @property
    def scan_hint(self) -> str:
        return DEFAULT_SCAN_HINT

    def refresh_view(self) -> None:
        """Bring the view up to date with the session; called before each showing."""
