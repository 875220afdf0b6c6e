"""Start-up: opens the station's store and loads the replica, with a progress bar."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, ProgressBar, Static

from screens.widgets import KeyBar, StationHeader


class StartupScreen(Screen[None]):
    """Shown until the station can log people in; says why if it cannot."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield StationHeader()
        with Vertical(classes="box"):
            yield Label("STARTING THE STATION", classes="big-prompt")
            yield Label("Opening the station database…", id="startup-step", markup=False)
            yield ProgressBar(id="startup-progress", show_eta=False)
            yield Static(id="startup-error", classes="error-box", markup=False)
        yield KeyBar()

    def progressed(self, what: str, done: int, total: int) -> None:
        self.query_one("#startup-step", Label).update(f"Loading {what}: {done:,} of {total:,}")
        self.query_one("#startup-progress", ProgressBar).update(total=total, progress=done)

    def failed(self, message: str) -> None:
        error = self.query_one("#startup-error", Static)
        error.update(f"{message}\n\nPress q to quit. Details are in the log file.")
        error.add_class("-visible")
