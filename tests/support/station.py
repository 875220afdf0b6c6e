"""A seeded station for UI tests: central SQLite with the demo data, a fixed clock."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.color import Color
from rich.console import RenderableType
from rich.style import Style
from textual.app import App
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from bench.cli.demo import seed_central
from bench.cli.station import station_app
from bench.config import Config, parse_config
from bench.demo_data import DemoDataset, demo_dataset
from bench.scans import Scan, ScanSource
from bench.station import OpenedStation, SyncProgress
from screens.app import BenchApp
from screens.messages import ScanRead
from store.local import LocalStore

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 10, 30).astimezone()
_DATASETS: dict[int, DemoDataset] = {}


def dataset() -> DemoDataset:
    if not _DATASETS:
        _DATASETS[0] = demo_dataset(TODAY, request_count=40)
    return _DATASETS[0]


@dataclass(frozen=True)
class Station:
    folder: Path
    central_url: str
    sync_interval: float = 5.0

    def config(
        self,
        scanner: str = "simulated",
        scanner_settings: dict[str, Any] | None = None,
        printer: dict[str, Any] | None = None,
        second_share: float = 0.0,
    ) -> Config:
        """The station's settings; its printer writes files into `labels/` unless
        `printer` says otherwise. No second gradings unless `second_share` asks for them:
        a test's inspections must not be picked by chance."""
        return parse_config(
            {
                "station": {"id": "B-07"},
                "sync": {"interval_seconds": self.sync_interval},
                "scanner": {"kind": scanner, **(scanner_settings or {})},
                "store": {
                    "local_path": str(self.folder / "station.db"),
                    "central_url": self.central_url,
                },
                "log": {"path": str(self.folder / "bench.log")},
                "printer": printer or {"kind": "file", "folder": str(self.folder / "labels")},
                "grading": {"second_share": second_share},
            },
            base_dir=self.folder,
            name="test settings",
        )

    def app(
        self,
        scanner: str = "simulated",
        scanner_settings: dict[str, Any] | None = None,
        printer: dict[str, Any] | None = None,
        second_share: float = 0.0,
    ) -> BenchApp:
        hints = [(h.code, h.description) for h in dataset().scan_hints]
        config = self.config(scanner, scanner_settings, printer, second_share)
        return station_app(config, hints=hints, clock=lambda: NOW)


def gated_app(station: Station) -> tuple[BenchApp, threading.Event]:
    """The station's app, whose station opens only once the event is set: its login screen
    is up meanwhile, and what is given on it must wait. The opener reports a first load's
    progress (5 of 10 requests) as it starts to wait."""
    from bench.cli.station import open_station
    from screens.app import make_app

    gate = threading.Event()

    def opener(config: Config, clock: Any, progress: SyncProgress, report: Any) -> OpenedStation:
        progress("requests", 5, 10)
        gate.wait(10)  # a failed test's app still closes
        return open_station(config, clock, progress, report)

    hints = [(h.code, h.description) for h in dataset().scan_hints]
    app = make_app(station.config(), open_station=opener, hints=hints, clock=lambda: NOW)
    return app, gate


def seeded_station(folder: Path) -> Station:
    url = f"sqlite:///{folder / 'central.db'}"
    seed_central(url, dataset())
    return Station(folder, url)


class SeededStation:
    """A base for test classes whose tests each take a fresh seeded `station`."""

    @pytest.fixture
    def station(self, tmp_path: Path) -> Station:
        return seeded_station(tmp_path)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10
) -> None:
    """Let the app run until `condition` holds (workers run in threads)."""
    for _ in range(int(seconds / 0.02)):
        try:
            if condition():
                return
        except NoMatches:  # the screen on show is still being built
            pass
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


async def scan(pilot: Pilot[None], code: str) -> None:
    """What a serial or simulated scanner does: post one Scan to the app.

    Waits first for the screen on show to be mounted, as an inspector waits to see it.
    """
    await wait_until(pilot, lambda: pilot.app.screen.is_mounted)
    pilot.app.post_message(ScanRead(Scan.now(code, ScanSource.SIMULATED)))
    await pilot.pause()
    await asyncio.sleep(0)


# -- driving the UI ---------------------------------------------------------------------

SIZE = (100, 32)
PINS = {"EMP-0001": "1234", "EMP-0002": "4321", "EMP-0003": "1111"}
PAN_V2_SERIAL = "WYZECP22301595691"  # the one item of TI-000001; its serial is declared
# Answers for TI-000001's Pan v2. Both keep the data's three answers with one key; then
# not broken, not dirty, reset, owned: an accept;
ACCEPT_KEYS = ("enter", "n", "n", "y", "y")
# or model not listed and bought over 4 years ago (both changed with a reason: the first
# of the list), then no more is asked but not reset (wiped) and not owned: a hold with
# four reasons, the most an 80x24 outcome must show without scrolling.
FOUR_REASON_HOLD_KEYS = ("1", "1", "3", "1", "enter", "n", "y", "n")
# TI-000005, an Amazfit GTR 2 declared like new, graded B at the bench: a revised quote.
REVISE = ("TI-000005", "A19522929179284")
REVISE_KEYS = ("enter", "n", "n", "y", "b", "y")


def count_bells(app: BenchApp) -> list[None]:
    """Replace the app's bell with a counter: one entry per ring."""
    rung: list[None] = []

    def bell() -> None:
        rung.append(None)

    app.bell = bell  # type: ignore[method-assign]
    return rung


def showing(app: App[Any]) -> Screen[Any] | Widget:
    """What the inspector sees: the screen on show, or the view on show of the package
    screen (home, request, checklist or outcome)."""
    from screens.package import PackageScreen

    screen = app.screen
    return screen.view if isinstance(screen, PackageScreen) else screen


async def on_screen(pilot: Pilot[None], kind: type[Screen[Any]] | type[Widget]) -> None:
    """Wait until a screen (or package screen view) of `kind` is on show and mounted."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(showing(app), kind) and app.screen.is_mounted)


async def station_open(pilot: Pilot[None]) -> None:
    """Wait until the station has opened, its login on show: a badge scanned now is checked
    at once. (The login screen is drawn before that, and holds what it is given meanwhile:
    waiting for the screen alone is not waiting for the station.)"""
    from screens.login import LoginScreen

    app = pilot.app
    assert isinstance(app, BenchApp)
    await wait_until(
        pilot,
        lambda: app.station_open and isinstance(app.screen, LoginScreen) and app.screen.is_mounted,
    )


async def type_slowly(pilot: Pilot[None], text: str, gap: float = 0.1) -> None:
    """Type like a person (keys far apart), so a wedge detector gives every key back."""
    for character in text:
        await pilot.press(character)
        await pilot.pause(gap)


async def log_in(
    pilot: Pilot[None], badge: str = "EMP-0001", pin: str | None = None, *, slow: bool = False
) -> None:
    """Scan a badge, type its PIN, and wait for the home screen."""
    from screens.home import HomeView

    await station_open(pilot)
    await scan(pilot, badge)
    pin = PINS[badge] if pin is None else pin
    if slow:
        await type_slowly(pilot, pin)
    else:
        await pilot.press(*pin)
    await pilot.press("enter")
    await on_screen(pilot, HomeView)


async def log_out(pilot: Pilot[None]) -> None:
    """F2, and wait for the login screen."""
    from screens.login import LoginScreen

    await pilot.press("f2")
    await on_screen(pilot, LoginScreen)


def station_store(app: BenchApp) -> LocalStore:
    """The station's own database under the app's session."""
    store = app.session.store
    assert isinstance(store, LocalStore)
    return store


async def press_or_scan(pilot: Pilot[None], how: str) -> None:
    """Press the key `how`, or scan it when it is a command code (CMD:…)."""
    if how.startswith("CMD:"):
        await scan(pilot, how)
    else:
        await pilot.press(how)


async def open_request(pilot: Pilot[None], request: str = "TI-000001") -> None:
    """Log in and scan a request's id: its request screen on show."""
    from screens.request import RequestView

    await log_in(pilot)
    await scan(pilot, request)
    await on_screen(pilot, RequestView)


async def open_checklist(
    pilot: Pilot[None], request: str = "TI-000001", device: str = PAN_V2_SERIAL
) -> None:
    """Log in, open a request and scan a device of it: the device's checklist on show."""
    from screens.checklist import ChecklistView

    await open_request(pilot, request)
    await scan(pilot, device)
    await on_screen(pilot, ChecklistView)


async def walk_to_outcome(
    pilot: Pilot[None],
    keys: Sequence[str],
    request: str = "TI-000001",
    device: str = PAN_V2_SERIAL,
) -> None:
    """Open a device's checklist and answer it with `keys`: the outcome screen on show."""
    from screens.outcome import OutcomeView

    await open_checklist(pilot, request, device)
    await pilot.press(*keys)
    await on_screen(pilot, OutcomeView)


async def confirm_an_inspection(pilot: Pilot[None]) -> None:
    """Log in, inspect TI-000001's Pan v2 to an accept and confirm it: back on the request."""
    await walk_to_outcome(pilot, ACCEPT_KEYS)
    await confirm_outcome(pilot)


async def confirm_outcome(pilot: Pilot[None]) -> None:
    """Enter on the outcome screen saves it: back on the request."""
    from screens.request import RequestView

    await pilot.press("enter")
    await on_screen(pilot, RequestView)


def header(app: object) -> dict[str, str]:
    """What the station header of the screen on show says, part by part."""
    assert isinstance(app, BenchApp)
    return {
        part: shown(app.screen.query_one(f"StationHeader #{part}"))
        for part in ("station", "inspector", "scanner", "printer", "sync")
    }


def problem_text(app: App[None]) -> str:
    """The problem panel of the screen on show, or "" when it is hidden."""
    from screens.widgets import ProblemPanel

    panels = app.screen.query(ProblemPanel)
    if not panels or not panels.first().has_class("-visible"):
        return ""
    return str(panels.first().render())


async def scan_expecting_problem(pilot: Pilot[None], code: str, *words: str) -> None:
    """Scan `code` and see it flagged: the bell rings once, the problem names all `words`."""
    app = pilot.app
    assert isinstance(app, BenchApp)
    bells = count_bells(app)
    await scan(pilot, code)
    for word in words:
        assert word in problem_text(app)
    assert len(bells) == 1


def shown(widget: Widget) -> str:
    """The text a Label or Static shows right now."""
    return str(widget.render())


def rendered(widget: Widget) -> str:
    """The lines a widget paints on screen now (rich tables included), trailing blanks cut."""
    from textual.geometry import Region

    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(strip.text.rstrip() for strip in strips)


def _painted_styles(widget: Widget) -> list[Style]:
    """The styles of the characters the widget paints on its first line of text."""
    from textual.geometry import Region

    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    for line in lines:
        styles = [segment.style for segment in line if segment.text.strip() and segment.style]
        if styles:
            return styles
    return []


def _theme_colour(widget: Widget, variable: str) -> Color:
    from textual.color import Color as TextualColor

    return TextualColor.parse(widget.app.theme_variables[variable]).rich_color


def painted_in(widget: Widget, variable: str) -> bool:
    """Whether the widget's text is painted in the colour its theme gives `variable`."""
    styles, wanted = _painted_styles(widget), _theme_colour(widget, variable)
    return bool(styles) and all(style.color == wanted for style in styles)


def painted_on(widget: Widget, variable: str) -> bool:
    """Whether the widget's text is painted on the background its theme gives `variable`."""
    styles, wanted = _painted_styles(widget), _theme_colour(widget, variable)
    return bool(styles) and all(style.bgcolor == wanted for style in styles)


async def wedge_burst(pilot: Pilot[None], text: str) -> None:
    """Type `text` and Enter the way a keyboard-wedge scanner does: keys back to back.

    `pilot.press` waits for the app to go idle after every key (tens of milliseconds, more
    on a busy machine), slower than a scanner; the keys are posted in one go instead, as
    the terminal delivers a scanner's burst.
    """
    from textual import events
    from textual.keys import _character_to_key

    await wait_until(pilot, lambda: pilot.app.screen.is_mounted)
    for character in text:
        pilot.app.post_message(events.Key(_character_to_key(character), character))
    pilot.app.post_message(events.Key("enter", "\r"))
    await pilot.pause(0.1)


def after_each_frame(app: BenchApp, noted: Callable[[], None]) -> None:
    """Call `noted` from now on just after each frame the app paints, through `_display`,
    where every frame leaves for the terminal."""
    display = app._display

    def painted(screen: Screen[Any], renderable: RenderableType | None) -> None:
        display(screen, renderable)
        if renderable is not None:
            noted()

    app._display = painted  # type: ignore[method-assign]


def screen_lines(app: App[Any]) -> list[str]:
    """The terminal's lines as the screen on show paints them now, trailing blanks cut."""
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


def on_show(app: App[Any], text: str) -> bool:
    """`text` is painted on the screen now, on one line."""
    return any(text in line for line in screen_lines(app))
