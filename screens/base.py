"""What every bench screen shares: the station header, the problem panel, the session.

Screens and views are given the session when the station opens; they ask it what things
mean, and tell the app what happened by posting a message (`screens.messages`), never by
calling it. The login screen is up before the station opens (`StationScreen`): it is given
the session once there is one.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.reactive import Reactive
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from bench.problems import Problem
from bench.scans import Classified
from screens.messages import InspectionCancelled
from screens.widgets import KeptLines, KeyBar, ProblemPanel, StationAlert, StationHeader

if TYPE_CHECKING:
    from bench.session import Session

DEFAULT_SCAN_HINT = "Follow the instruction on screen."


def not_expected(scan: Classified, hint: str) -> Problem:
    return Problem("Not now", f"{scan.value} is not expected on this screen.", hint)


class ScanTaker:
    """A screen or a view a scan can reach: what it says about one it does not take."""

    @property
    def scan_hint(self) -> str:
        return DEFAULT_SCAN_HINT

    def handle_scan(self, scan: Classified) -> None:
        """A scan arrived while this is showing; screens and views override what they take."""
        self.show_problem(not_expected(scan, self.scan_hint))

    def show_problem(self, problem: Problem) -> None:
        raise NotImplementedError

    def refresh_view(self) -> None:
        """Bring it up to date with the session; called before each showing."""


class StationScreen(ScanTaker, Screen[None]):
    """A full screen of the bench. Mounted once and updated in place on each visit."""

    # Textual repaints the whole screen when the focus moves, every widget on it: the
    # widgets that gain and lose it restyle and repaint themselves, and a change of view
    # repaints what it changes.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def compose_header(self) -> ComposeResult:
        yield StationHeader()
        yield StationAlert()

    def compose_footer(self) -> ComposeResult:
        yield ProblemPanel()
        yield KeyBar()

    def show_problem(self, problem: Problem) -> None:
        self.query_one(ProblemPanel).show(problem)
        self.add_class("-problem")  # what the panel covers may need to move (views.tcss)
        self.app.bell()

    def clear_problem(self) -> None:
        self.query_one(ProblemPanel).clear()
        self.remove_class("-problem")


class BenchScreen(StationScreen):
    """A screen of the open station: built with its session."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def confirm_cancel_inspection(self) -> None:
        """Ask first: a cancelled inspection loses its answers."""
        from screens.dialogs import ConfirmScreen

        def cancelled(sure: bool | None) -> None:
            if not sure:
                return
            problem = self.session.cancel_inspection()
            if problem is not None:
                self.show_problem(problem)
                return
            self.app.post_message(InspectionCancelled())

        self.app.push_screen(
            ConfirmScreen("Cancel this inspection? Its answers are discarded."), cancelled
        )


class BenchView(ScanTaker, Vertical):
    """The body of a screen that shows one of several views in place (`PackageScreen`).

    Showing another view repaints what changed and nothing else; a screen switch would
    re-apply every style and repaint the whole terminal, most of a scan's time.
    """

    DEFAULT_CLASSES = "box"

    def __init__(self, session: Session, hints: tuple[tuple[str, str], ...], id: str) -> None:
        super().__init__(id=id)
        self.session = session
        self.hints = hints
        self._blank = KeptLines(most=8)
        """The view's own lines, blank but for its background, by what they depend on."""

    def render_lines(self, crop: Region) -> list[Strip]:
        """A view paints nothing of its own but its background: Textual painted its lines
        anew at each showing of it (the 38 lines of a view at 120x40, about 2 ms a change
        of view); they are kept until its styles change."""
        key = (crop, self.size, self.background_colors, self.opacity, *self.get_line_filters())
        return self._blank.get(key, partial(super().render_lines, crop))

    def notify_style_update(self) -> None:
        self._blank.forget()
        super().notify_style_update()

    def watch_has_focus(self, _has_focus: bool) -> None:
        """Nothing restyled: no style of a view or of what it holds depends on its focus
        (nothing in bench.tcss or Textual's defaults selects one by :focus). Textual would
        re-apply the styles of the view and everything in it, each time the checklist or
        the outcome is shown or left."""

    @property
    def bench_screen(self) -> BenchScreen:
        screen = self.screen
        assert isinstance(screen, BenchScreen)
        return screen

    def show_problem(self, problem: Problem) -> None:
        self.bench_screen.show_problem(problem)

    def clear_problem(self) -> None:
        self.bench_screen.clear_problem()

    def forget(self) -> None:
        """Called as the view is hidden: drop what it showed of one inspection, which must
        not wait, mounted, for the next inspector (a blind second grading)."""
