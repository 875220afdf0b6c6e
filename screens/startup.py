"""Start-up failed: the station could not open, and why. (While it opens, the login screen
is up already and says so.)"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from screens.widgets import KeyBar, StationHeader


class StartupScreen(Screen[None]):
    """Shown, over the login, when the station cannot open: what to check, and q quits."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit")]

    def __init__(self, failure: str) -> None:
        super().__init__()
        self.failure = failure

    def compose(self) -> ComposeResult:
        yield StationHeader()
        with Vertical(classes="box"):
            yield Label("THE STATION DID NOT OPEN", classes="big-prompt")
            yield Static(
                f"{self.failure}\n\nPress q to quit. Details are in the log file.",
                id="startup-error",
                classes="error-box -visible",
                markup=False,
            )
        yield KeyBar()
