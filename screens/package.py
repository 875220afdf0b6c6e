"""Home, the request, the checklist and the outcome on one screen: scan a package label,
see its request, inspect a device, confirm its outcome, and back.

The inspector waits on each of these steps a hundred times an hour. Shown in place, each
costs one repaint of what changed; a screen switch re-applied every style and repainted
the whole terminal, with thousands of objects of garbage per step
(`python -m benchmarks.scan_latency`: p99 29-32 ms in place, 54.8 ms with the switch;
`python -m benchmarks.steps` for the checklist and the outcome).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult

from bench.scans import Classified
from bench.session import Session
from screens.base import BenchScreen, BenchView
from screens.checklist import ChecklistView
from screens.home import HomeView
from screens.outcome import OutcomeView
from screens.request import RequestView


class PackageScreen(BenchScreen):
    """Shows one of its views (home or request); the others stay mounted, hidden."""

    VIEWS: ClassVar[dict[str, type[BenchView]]] = {
        "home": HomeView,
        "request": RequestView,
        "checklist": ChecklistView,
        "outcome": OutcomeView,
    }

    def __init__(self, session: Session, hints: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(session)
        self._views = {name: view(session, hints, id=name) for name, view in self.VIEWS.items()}
        self._showing = "home"

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        for name, view in self._views.items():
            view.display = name == self._showing
            yield view
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_view()

    @property
    def view(self) -> BenchView:
        """The view on show."""
        return self._views[self._showing]

    def show_view(self, name: str) -> None:
        """Show the view `name` next (not brought up to date: `refresh_view` does that)."""
        if name == self._showing:
            return
        self.view.display = False
        self._showing = name
        self.view.display = True
        if self.is_mounted:
            self.clear_problem()  # a problem belongs to the view it was shown on

    def forget_hidden(self) -> None:
        """The views not on show drop what they showed of an inspection (`BenchView.forget`).
        The app calls it once the frame showing the next view is painted: emptying a view's
        lines lays them out again, a tenth of a change of view, that nobody waits for."""
        for view in self._views.values():
            if not view.display:
                view.forget()

    def refresh_view(self) -> None:
        self.view.refresh_view()

    def handle_scan(self, scan: Classified) -> None:
        self.view.handle_scan(scan)

    @property
    def scan_hint(self) -> str:
        return self.view.scan_hint
