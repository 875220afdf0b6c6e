"""Widgets shared by the screens: the station header, the key bar, the problem panel and
demo hints; and how much of a string from outside each screen shows.

Text from outside (scans, central's rows, config) goes through `bench.text.shown` with one
of the limits below before it is shown, and is shown as plain text, never as markup: at
80x24 the question and its answer keys stay on screen whatever central or a scanner sent.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Label, Static

from bench.problems import Problem
from bench.scans import ScanKind, classify
from bench.text import shown

ID_CELLS = 24
"""Request and item ids, serials, scanned codes, tracking numbers, customer references."""
NAME_CELLS = 32
"""Program, model and inspector names."""
PROBLEM_CELLS = 100
"""A problem's detail, which quotes scans and central's rows: two lines of the panel."""

Kept = TypeVar("Kept")


def literal(text: str, limit: int) -> Text:
    """Outside text as a Rich `Text`, for widgets that would read a string as markup
    (DataTable cells)."""
    return Text(shown(text, limit))


def say(widget: Static, content: VisualType) -> None:
    """Show `content` in `widget` unless it shows it already: an update lays out and
    repaints the widget even then (a view's lines that stay the same from one question,
    or one save, to the next)."""
    if widget.content != content:
        widget.update(content)


def take_focus(widget: Widget) -> None:
    """Give `widget` the focus unless it has it: Textual's `focus` repaints the widget whole
    even then (the checklist view, all its 38 lines, at each answer)."""
    if not widget.has_focus:
        widget.focus()


class KeptLines:
    """The lines a widget drew, kept by what they depend on (its key): Textual draws a
    widget's lines anew at each repaint, and a line that comes back (a view's keys, an item
    row, a view's blank background) would be drawn again the same. The widget forgets them
    when its styles change; past `most`, the oldest sizes and themes go with the rest."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._lines: dict[Hashable, Any] = {}

    def get(self, key: Hashable, draw: Callable[[], Kept]) -> Kept:
        if key in self._lines:
            kept: Kept = self._lines[key]
            return kept
        if len(self._lines) >= self._most:
            self._lines.clear()
        line = self._lines[key] = draw()
        return line

    def forget(self) -> None:
        self._lines.clear()


class FocusedLook:
    """A field alone in its view (the items table, home's code field): it has the focus
    whenever its view is on show, so the CSS gives it its focused look either way
    (views.tcss) and its styles are not re-applied as the focus comes and goes. Textual
    would match its :focus rules and component classes again, 2 to 3 ms, at each change
    of view."""

    def watch_has_focus(self, _has_focus: bool) -> None:
        """Nothing restyled: it looks the same, focused or not."""


@dataclass(frozen=True)
class StationStatus:
    """What the header shows; the app replaces it whole, every header redraws from it."""

    station_id: str
    inspector: str = "nobody logged in"
    scanner: str = "keyboard"
    scanner_connected: bool = True
    sync: str = "LOCAL"
    sync_ok: bool = True
    sync_alert: str = ""
    """Why nothing syncs until someone acts, and what to do; "" while none is needed."""
    scanner_alert: str = ""
    """What to do while the scanner is not connected; "" while it is."""
    printer: str = "PRINTER ●"
    printer_ok: bool = True
    printer_alert: str = ""
    """What the printer failed and what to do, for the request screen; "" while it prints."""


class StationHeader(Horizontal):
    """Station, inspector, scanner, printer and sync state: always on top of every screen."""

    def __init__(self) -> None:
        super().__init__()
        # Held, not queried: the app's status can change before the labels are mounted.
        self._station = Label(id="station", markup=False)
        self._inspector = Label(id="inspector", markup=False)
        self._scanner = Label(id="scanner", markup=False)
        self._printer = Label(id="printer", markup=False)
        self._sync = Label(id="sync", markup=False)

    def compose(self) -> ComposeResult:
        yield self._station
        yield self._inspector
        yield self._scanner
        yield self._printer
        yield self._sync

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show_status)

    def show_status(self, status: StationStatus) -> None:
        connected = status.scanner_connected
        for label, text in (
            (self._station, f"BENCH {shown(status.station_id, ID_CELLS)}"),
            (self._inspector, shown(status.inspector, NAME_CELLS + ID_CELLS)),
            (self._scanner, f"SCANNER ● {status.scanner}" if connected else "SCANNER DISCONNECTED"),
            (self._printer, status.printer),
            (self._sync, status.sync),
        ):
            say(label, text)  # a save changes the queue count alone
        self._scanner.set_class(not connected, "-bad")
        self._scanner.set_class(connected, "-good")
        self._printer.set_class(not status.printer_ok, "-bad")
        self._printer.set_class(status.printer_ok, "-good")
        self._sync.set_class(not status.sync_ok, "-bad")
        self._sync.set_class(status.sync_ok, "-good")


class StationAlert(Label):
    """What waits for a person at this station, under the header of every screen: why
    nothing syncs until someone acts (central has no bench schema, say: OFFLINE alone would
    leave the inspector waiting for a network that is fine), and a scanner that is not
    connected, with what to do meanwhile. Hidden while neither is the case."""

    def __init__(self) -> None:
        super().__init__(markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show_status)

    def show_status(self, status: StationStatus) -> None:
        lines = [f"NOT SYNCING: {status.sync_alert}" if status.sync_alert else ""]
        lines.append(status.scanner_alert)
        text = "\n".join(line for line in lines if line)
        say(self, text)
        self.set_class(bool(text), "-visible")


class PrinterAlert(Label):
    """What the printer failed, and what to do, on the request screen where labels come
    from; hidden while the printer prints."""

    def __init__(self) -> None:
        super().__init__(markup=False, id="printer-alert")

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show_status)

    def show_status(self, status: StationStatus) -> None:
        say(self, status.printer_alert)
        self.set_class(bool(status.printer_alert), "-visible")


class KeyBar(Widget, can_focus=False):
    """The keys that work right now, one line at the bottom of every screen.

    Textual's Footer rebuilds a widget per key whenever the bindings change (each change
    of screen, view or focus): a few milliseconds and thousands of objects of garbage per
    scan, and it leaks their watchers (Textualize/textual#6666). This draws the same keys
    as one line of text, redrawn in place only when they change. Keys are for the
    keyboard: nothing here needs a mouse.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--palette",
    }

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[tuple[str, str, bool], ...] = ()
        """(key shown, what it does, enabled) for each key on show."""
        self._palette = ""
        self._drawn = KeptLines(most=16)
        """The line drawn for each set of keys at each size: each view's keys come back at
        every visit, and drawing them anew took 2 ms a change of view."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        app = self.app
        active = screen.active_bindings
        palette = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        keys: dict[str, tuple[str, str, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            # One key per action, as Textual's Footer shows them.
            if binding.show and (palette is None or binding is not palette.binding):
                keys.setdefault(
                    binding.action, (app.get_key_display(binding), binding.description, enabled)
                )
        shown = tuple(keys.values())
        palette_text = "" if palette is None else app.get_key_display(palette.binding)
        if shown != self._keys or palette_text != self._palette:
            self._keys, self._palette = shown, palette_text
            self.refresh()

    def render_line(self, y: int) -> Strip:
        key = (self._keys, self._palette, self.size, y)
        return self._drawn.get(key, partial(super().render_line, y))

    def notify_style_update(self) -> None:
        self._drawn.forget()  # a new theme, or the key styles: drawn in their new colours
        super().notify_style_update()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for key, description, enabled in self._keys:
            part = Text.assemble((f" {key} ", key_style), (f"{description} ", description_style))
            if not enabled:
                part.stylize("dim")
            line.append_text(part)
        if self._palette:
            palette = Text.assemble(
                ("▏", self.get_component_rich_style("key-bar--palette")),
                (f"{self._palette} ", key_style),
                ("palette ", description_style),
            )
            room = self.size.width - palette.cell_len
            line.truncate(max(room, 0), overflow="ellipsis", pad=True)
            line.append_text(palette)
        return line


class ProblemPanel(Static):
    """What went wrong and what to do, in plain words; hidden when all is well."""

    def show(self, problem: Problem) -> None:
        # Text, not markup: scanned codes may hold brackets.
        text = Text.assemble((problem.title, "bold"), ": ", shown(problem.detail, PROBLEM_CELLS))
        if problem.hint:
            text.append("\n" + problem.hint)
        self.update(text)
        self.add_class("-visible")

    def clear(self) -> None:
        if self.has_class("-visible"):  # cleared at every scan: most often, nothing to clear
            self.remove_class("-visible")
            self.update("")


Hints = tuple[tuple[str, str], ...]
"""Demo codes to try: (code, what scanning it does)."""


def split_badges(hints: Hints) -> tuple[Hints, Hints]:
    """The demo's badges (for the login screen) and every other code (for home): a badge
    is of no use once someone is logged in."""
    badges = tuple(hint for hint in hints if classify(hint[0]).kind is ScanKind.BADGE)
    return badges, tuple(hint for hint in hints if hint not in badges)


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
