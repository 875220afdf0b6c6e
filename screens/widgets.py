"""Widgets shared by the screens: the station header, the problem panel and demo hints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Label, Static

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

    def __init__(self) -> None:
        super().__init__()
        # Held, not queried: the app's status can change before the labels are mounted.
        self._station = Label(id="station")
        self._inspector = Label(id="inspector", markup=False)
        self._scanner = Label(id="scanner", markup=False)
        self._sync = Label(id="sync", markup=False)

    def compose(self) -> ComposeResult:
        yield self._station
        yield self._inspector
        yield self._scanner
        yield self._sync

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show_status)

    def show_status(self, status: StationStatus) -> None:
        self._station.update(f"BENCH {status.station_id}")
        self._inspector.update(status.inspector)
        connected = status.scanner_connected
        self._scanner.update(f"SCANNER ● {status.scanner}" if connected else "SCANNER DISCONNECTED")
        self._scanner.set_class(not connected, "-bad")
        self._scanner.set_class(connected, "-good")
        self._sync.update(status.sync)
        self._sync.set_class(not status.sync_ok, "-bad")
        self._sync.set_class(status.sync_ok, "-good")


class BenchFooter(Footer):
    """Textual's Footer, without its leak (Textualize/textual#6666).

    Every rebuild of the footer (each screen switch or change of view) makes new keys that
    watch the footer's `compact` setting, and the watchers of the old keys are never
    dropped: a thousand objects a scan, and full garbage collections that grow long enough to stall
    a scan by a quarter of a second. After each rebuild, drop the watchers of keys gone.
    """

    async def recompose(self) -> None:
        await super().recompose()
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries if node.is_attached]


class ProblemPanel(Static):
    """What went wrong and what to do, in plain words; hidden when all is well."""

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


class HintList(VerticalScroll, can_focus=False):
    """Demo codes to try, one line each (cut with an ellipsis), scrolling when many.

    Built once: the hints come with the app and never change while it runs.
    """

    def __init__(
        self, title: str, hints: Sequence[tuple[str, str]], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.title = title
        self.hints = tuple(hints)

    def compose(self) -> ComposeResult:
        width = max((len(code) for code, _ in self.hints), default=0) + 2
        yield Label(self.title, classes="hint-title", markup=False)
        for code, what in self.hints:
            yield Label(
                Text.assemble((code.ljust(width), "bold"), what), classes="hint", markup=False
            )
