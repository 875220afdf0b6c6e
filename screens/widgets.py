"""Widgets shared by the screens: the station header and the problem panel."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Static

from bench.session import Problem


@dataclass(frozen=True)
class StationStatus:
    """What the header shows; the app replaces it whole, every header redraws from it."""

    station_id: str
    inspector: str = "nobody logged in"
    scanner: str = "keyboard"
    scanner_connected: bool = True
    sync: str = "LOCAL"
    sync_ok: bool = True


class StationHeader(Horizontal):
    """Station, inspector, scanner state and sync state: always on top of every screen."""

    DEFAULT_CSS = """
    StationHeader { dock: top; height: 1; background: $panel; }
    StationHeader Label { padding: 0 1; }
    StationHeader #station { background: $primary; color: $text; text-style: bold; }
    StationHeader #inspector { width: 1fr; }
    StationHeader .-bad { background: $error; color: $text; text-style: bold; }
    StationHeader .-good { color: $success; }
    """

    def compose(self) -> ComposeResult:
        yield Label(id="station")
        yield Label(id="inspector")
        yield Label(id="scanner")
        yield Label(id="sync")

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show_status)

    def show_status(self, status: StationStatus) -> None:
        self.query_one("#station", Label).update(f"BENCH {status.station_id}")
        self.query_one("#inspector", Label).update(status.inspector)
        scanner = self.query_one("#scanner", Label)
        if status.scanner_connected:
            scanner.update(f"SCANNER ● {status.scanner}")
        else:
            scanner.update("SCANNER DISCONNECTED")
        scanner.set_class(not status.scanner_connected, "-bad")
        scanner.set_class(status.scanner_connected, "-good")
        sync = self.query_one("#sync", Label)
        sync.update(status.sync)
        sync.set_class(not status.sync_ok, "-bad")
        sync.set_class(status.sync_ok, "-good")


class ProblemPanel(Static):
    """What went wrong and what to do, in plain words; hidden when all is well."""

    DEFAULT_CSS = """
    ProblemPanel { dock: bottom; display: none; height: auto; padding: 0 1;
                   background: $error 30%; border: heavy $error; }
    ProblemPanel.-visible { display: block; }
    """

    def show(self, problem: Problem) -> None:
        # Text, not markup: scanned codes may hold brackets.
        text = Text.assemble((problem.title, "bold"), ": ", problem.detail)
        if problem.hint:
            text.append("\n" + problem.hint)
        self.update(text)
        self.add_class("-visible")

    def clear(self) -> None:
        self.remove_class("-visible")
        self.update("")
