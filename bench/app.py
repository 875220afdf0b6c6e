"""The Textual app: routes scans to the screen on show, keeps the header true.

`make_app(config)` is the one factory the CLI and the tests both use. Start-up work
(opening the store, the first replica load) runs in a thread behind a progress screen, so
the first frame appears as fast as a bare Textual app.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from bench import __version__
from bench.config import Config, central_url
from bench.messages import InspectionSaved, ScanRead, StartupFailed, StartupProgressed
from bench.money import dollars
from bench.scans import Command, Scan, ScanKind, ScanSource, classify_scan, describe
from bench.session import Problem, Session
from drivers.wedge import WedgeDetector
from screens.base import BenchScreen
from screens.checklist import ChecklistScreen
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.outcome import OutcomeScreen
from screens.request import RequestScreen
from screens.startup import StartupScreen
from screens.widgets import StationStatus

if TYPE_CHECKING:
    from store.local import LocalStore

log = logging.getLogger(__name__)

SCREENS_DIR = Path(__file__).resolve().parent.parent / "screens"


def local_now() -> datetime:
    return datetime.now().astimezone()


class BenchApp(App[None]):
    """One inspection station."""

    CSS_PATH = SCREENS_DIR / "bench.tcss"
    TITLE = "bench"
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        "login": LoginScreen,
        "home": HomeScreen,
        "request": RequestScreen,
        "checklist": ChecklistScreen,
        "outcome": OutcomeScreen,
        "help": HelpScreen,
    }
    # Screens get -short / -tall and -narrow / -wide classes: 80x24 stays usable, and a
    # bigger terminal gets the big prompts and side-by-side help. (Textual declares these
    # as instance attributes, so a ClassVar annotation would not type-check.)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help"),
        Binding("f2", "logout", "Log out", id="logout"),
    ]

    status: reactive[StationStatus] = reactive(StationStatus(station_id="?"), init=False)
    """What the header shows; replaced whole so every header redraws from one value."""

    def __init__(
        self,
        config: Config,
        *,
        hints: Sequence[tuple[str, str]] = (),
        clock: Callable[[], datetime] = local_now,
    ) -> None:
        super().__init__()
        self.config = config
        self.hints = tuple(hints)
        self.clock = clock
        self._session: Session | None = None
        self.set_reactive(
            BenchApp.status,
            StationStatus(station_id=config.station.id, scanner=config.scanner.kind),
        )
        self._wedge = (
            WedgeDetector(max_gap=config.scanner.wedge_max_gap_ms / 1000)
            if config.scanner.kind == "wedge"
            else None
        )
        self._replaying = False

    # -- start-up ---------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the station is still starting")
        return self._session

    def on_mount(self) -> None:
        self.push_screen(StartupScreen())
        self.open_station()

    @work(thread=True, exclusive=True, exit_on_error=False, group="startup")
    def open_station(self) -> None:
        """Open the local store and load the replica; off the UI thread."""
        from store.errors import StoreError
        from store.local import LocalStore

        try:
            store = LocalStore.open(self.config.store.local_path)
        except StoreError as error:
            log.error("station database: %s", error)
            self.post_message(StartupFailed(str(error)))
            return
        sync = self._first_pull(store)
        self.call_from_thread(self._station_opened, store, sync)

    def _first_pull(self, store: LocalStore) -> tuple[str, bool]:
        url = central_url(self.config)
        if not url:
            return "LOCAL ONLY", True
        from store.central import central_engine, redact
        from store.replica import pull_all

        def progress(what: str, done: int, total: int) -> None:
            self.post_message(StartupProgressed(what, done, total))

        try:
            engine = central_engine(url)
            try:
                counts = pull_all(engine, store, progress)
            finally:
                engine.dispose()
        except Exception as error:  # any failure of central leaves the station offline
            # The error text may quote the URL, password and all: log it masked.
            shown = _mask_password(redact(url))
            reason = _mask_password(str(error).replace(url, shown))
            log.warning("central database %s unreachable: %s", shown, reason)
            return f"OFFLINE since {self.clock():%H:%M}", False
        log.info("replica pulled from %s: %s", redact(url), counts)
        return "ONLINE", True

    def _station_opened(self, store: LocalStore, sync: tuple[str, bool]) -> None:
        self._session = Session(store, self.config.station.id, self.clock)
        self._sync_label, self._sync_ok = sync
        self._refresh_status()
        self.switch_screen("login")

    def on_startup_progressed(self, message: StartupProgressed) -> None:
        if isinstance(self.screen, StartupScreen):
            self.screen.progressed(message.what, message.done, message.total)

    def on_startup_failed(self, message: StartupFailed) -> None:
        self.bell()
        if isinstance(self.screen, StartupScreen):
            self.screen.failed(message.message)

    # -- moving between screens -------------------------------------------------------

    def show(self, name: str) -> None:
        """Go to a main screen, brought up to date first (screens are mounted once)."""
        screen = self.get_screen(name)
        if isinstance(screen, BenchScreen) and screen.is_mounted:
            screen.refresh_view()
        self.switch_screen(screen)

    def logged_in(self) -> None:
        self._refresh_status()
        self.show("home")

    def action_logout(self) -> None:
        if self._session is None or self.session.inspector is None:
            return
        self.session.logout()
        self._refresh_status()
        self.show("login")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen("help")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self._session is not None and self.session.inspector is not None
        return True

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and command codes", self.action_help)
        if self._session is not None and self.session.inspector is not None:
            yield SystemCommand("Log out", "End this inspector's session", self.action_logout)

    # -- saving -----------------------------------------------------------------------

    def save_inspection(self) -> None:
        done = self.session.confirm()
        decision = done.decision
        self.notify(
            f"{decision.outcome.value.upper()} {dollars(decision.final_cents)} → "
            f"{decision.disposition.value.upper()}",
            title=f"Saved {done.started.request_item_id}",
        )
        self.post_message(InspectionSaved(done))
        self._refresh_status()
        self.show("request")

    # -- the header -------------------------------------------------------------------

    def _refresh_status(self) -> None:
        inspector = self._session.inspector if self._session else None
        queued = self._session.store.queued_count() if self._session else 0
        sync = getattr(self, "_sync_label", "STARTING")
        self.status = StationStatus(
            station_id=self.config.station.id,
            inspector=f"{inspector.name} ({inspector.id})" if inspector else "nobody logged in",
            scanner=self.config.scanner.kind,
            sync=f"{sync} · {queued} queued" if queued else sync,
            sync_ok=getattr(self, "_sync_ok", True),
        )

    # -- scans ------------------------------------------------------------------------

    @on(ScanRead)
    def scan_read(self, message: ScanRead) -> None:
        screen = self.screen
        if not screen.is_mounted:
            # A scan while a screen is still being built (the first visit composes it):
            # hand it over a moment later rather than to half a screen.
            self.set_timer(0.02, lambda: self.scan_read(message))
            return
        scan = classify_scan(message.scan)
        log.info("scan from %s: %s", message.scan.source.value, describe(scan))
        if scan.kind is ScanKind.UNREADABLE:
            self._problem(Problem("Unreadable scan", scan.problem or "", "Scan it again."))
            return
        if scan.command is Command.HELP:
            self.action_help()
            return
        if scan.command is Command.LOGOUT:
            self.action_logout()
            return
        handler = getattr(screen, "handle_scan", None)
        if handler is None:
            self.bell()
            return
        handler(scan)

    def _problem(self, problem: Problem) -> None:
        if isinstance(self.screen, BenchScreen):
            self.screen.show_problem(problem)
        else:
            self.bell()
            self.notify(f"{problem.detail} {problem.hint}", title=problem.title, severity="error")

    # -- keyboard wedge ---------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Catch wedge-scanner bursts before any widget sees them."""
        wedge = self._wedge
        if (
            wedge is None
            or self._replaying
            or not isinstance(event, events.Key)
            or event.is_forwarded
        ):
            await super().on_event(event)
            return
        now = time.monotonic()
        if event.key == "enter":
            text = wedge.enter(now)
            if text is not None:
                self.post_message(ScanRead(Scan.now(text, ScanSource.WEDGE)))
                return
            await self._retype(wedge.release())
        elif event.character is not None and event.is_printable:
            fed = wedge.feed(event.character, now)
            await self._retype(fed.released)
            if fed.held:
                self.set_timer(wedge.max_gap * 1.5, self._expire_wedge)
                return
        else:
            await self._retype(wedge.release())
        await super().on_event(event)

    async def _expire_wedge(self) -> None:
        if self._wedge is not None:
            await self._retype(self._wedge.expire(time.monotonic()))

    async def _retype(self, text: str) -> None:
        """Deliver keys held back as a possible scan that turned out to be a person typing."""
        self._replaying = True
        try:
            for character in text:
                key = events.Key(_key_name(character), character)
                await super().on_event(key)
        finally:
            self._replaying = False


_USERINFO_PASSWORD = re.compile(r"(//[^/:@\s]+:)[^@\s]+@")


def _mask_password(text: str) -> str:
    """Mask a `user:password@` left in text: redact() cannot parse every URL (a bad port)."""
    return _USERINFO_PASSWORD.sub(r"\1***@", text)


def _key_name(character: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(character)


def make_app(
    config: Config,
    *,
    hints: Sequence[tuple[str, str]] = (),
    clock: Callable[[], datetime] = local_now,
) -> BenchApp:
    """Build the app for a station: the CLI and the tests build it the same way."""
    log.info("bench %s starting, station %s", __version__, config.station.id)
    return BenchApp(config, hints=hints, clock=clock)
