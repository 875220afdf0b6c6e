"""The Textual app: routes scans to the screen on show, decides what is shown next, keeps
the header true.

`make_app(config, open_station=...)` is the one factory the CLI and the tests both use;
the CLI hands it `store.station.open_station`, so nothing here imports the store. The
first frame is the login screen; start-up work (opening the store, the first replica
load) runs in a thread started once that frame is drawn, so it appears as fast as a bare
Textual app, and ends with one message either way: `StationOpened` (the login then checks
the badge and PIN given meanwhile) or `StartupFailed`. Whatever the first frame does not
need is imported in that thread or where it is first used. Screens post what happened
(`screens.messages`); the handlers under "moving between screens" decide where to go.

Over 400 lines because it is the one router: scans, the scanner's and the sync's messages,
what the screens report, and the header they all change. The keyboard wedge
(`screens.keyboard_wedge`) and the idle collector (`screens.idle`) are modules of their own.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from bench import __version__
from bench.commands import Command
from bench.config import Config, ConfigError
from bench.problems import Problem
from bench.scans import Scan, ScanKind, ScanSource, classify_scan, describe, load_parsers
from bench.text import shown
from screens.base import StationScreen
from screens.idle import IDLE_CHECK_EVERY, AfterFrame, IdleCollector
from screens.keyboard_wedge import KeyboardWedgeApp
from screens.login import LoginScreen
from screens.messages import (
    ChecklistCompleted,
    ChecklistReopened,
    InspectionCancelled,
    InspectionOpened,
    InspectionSaved,
    LoggedIn,
    PrinterStateChanged,
    PrintQueued,
    RequestClosed,
    RequestOpened,
    ScannerStateChanged,
    ScanRead,
    ScanUnreadable,
    StartupFailed,
    StationOpened,
    SyncProgressed,
    SyncStateChanged,
)
from screens.widgets import PROBLEM_CELLS, StationStatus, split_badges

if TYPE_CHECKING:
    from rich.console import RenderableType

    from bench.printing import PrinterState, PrintJob
    from bench.session import Session
    from bench.station import CentralLink, OpenedStation, StationOpener, SyncState
    from drivers.printers.queue import PrintWorker
    from drivers.scanner import ScannerDriver
    from drivers.serial_scanner import ScannerState
    from drivers.wedge import WedgeDetector

log = logging.getLogger(__name__)

SCREENS_DIR = Path(__file__).resolve().parent
VIEWS_CSS = SCREENS_DIR / "views.tcss"
"""Every screen's own rules but the login's: bench.tcss's continuation, after the first frame."""

OFFLINE_NOTICE = (
    "Central cannot be reached: keep inspecting. Results are kept on this bench and sent by "
    "themselves once it is back."
)
SCANNER_ALERT = (
    "SCANNER DISCONNECTED: plug it in again (check its cable); the bench picks it up by "
    "itself. Until then type codes on the home screen, pick devices with ↑↓ and Enter, and "
    "answer with the keys."
)


# A screen's -short / -tall and -narrow / -wide classes, by the terminal's rows and columns.
HEIGHTS = [(0, "-short"), (32, "-tall")]
WIDTHS = [(0, "-narrow"), (120, "-wide")]


def size_classes(width: int, height: int) -> str:
    """The classes Textual's breakpoints give a screen of this size at its first resize."""
    return " ".join(
        max(step for step in steps if size >= step[0])[1]
        for size, steps in ((width, WIDTHS), (height, HEIGHTS))
    )


def local_now() -> datetime:
    return datetime.now().astimezone()


def site_zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo  # as the station opens: its search path costs 3 ms

    return ZoneInfo(name)


def wedge_detector(config: Config) -> WedgeDetector:
    from drivers.wedge import WedgeDetector  # a serial or simulated scanner needs none

    return WedgeDetector(max_gap=config.scanner.wedge_max_gap_ms / 1000)


def help_screen() -> Screen[Any]:
    from screens.help import HelpScreen  # at the first F1, not before the first frame

    return HelpScreen()


def load_station_modules() -> None:
    """What the open station needs and the first frame does not (the session, its screens,
    the barcode parsers, the print queue): imported in the start-up worker, off the UI
    thread, rather than when the station opens or at the first scan."""
    for name in ("bench.session", "screens.package", "drivers.printers.queue"):
        importlib.import_module(name)
    load_parsers()


class BenchApp(KeyboardWedgeApp):
    """One inspection station."""

    CSS_PATH = SCREENS_DIR / "bench.tcss"
    TITLE = "bench"
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {"help": help_screen}
    # Screens get -short / -tall and -narrow / -wide classes: 80x24 stays usable, and a
    # bigger terminal gets the big prompts and side-by-side help.
    VERTICAL_BREAKPOINTS = HEIGHTS
    HORIZONTAL_BREAKPOINTS = WIDTHS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help"),
        Binding("f2", "logout", "Log out", id="logout"),
        Binding("f7", "skipped", "Skipped", id="skipped"),
        Binding("f9", "refused", "Refused", id="refused"),
        Binding("f6", "demo_scan", "Scan a demo code", id="demo-scan"),
        Binding("f12", "supervisor", "Supervisor", id="supervisor"),
        # An inspector's F12 is not shown, and says why it does nothing.
        Binding("f12", "supervisors_only('open the supervisor screens')", show=False),
    ]

    status: reactive[StationStatus] = reactive(
        StationStatus(station_id="?"), init=False, repaint=False
    )
    """What the header shows; replaced whole so every header redraws from one value. The
    parts that watch it repaint what changes: the app's own repaint is the whole screen's,
    at each save (the queue count)."""

    def __init__(
        self,
        config: Config,
        *,
        open_station: StationOpener,
        hints: Sequence[tuple[str, str]] = (),
        clock: Callable[[], datetime] = local_now,
        demo: bool = False,
        desk: bool = False,
    ) -> None:
        # The demo's visitor types codes as a wedge scanner would, beside its simulated one.
        super().__init__(wedge_detector(config) if config.scanner.kind == "wedge" or demo else None)
        self.config = config
        self._open_station = open_station
        self.hints = tuple(hints)
        self.demo = demo
        # The supervisors' desk: keyboard only, so no scanner is opened.
        self.desk = desk
        self.clock = clock
        self._session: Session | None = None
        self.set_reactive(
            BenchApp.status,
            StationStatus(
                station_id=config.station.id,
                scanner="keyboard" if desk else config.scanner.kind,
                sync="STARTING",  # as `_sync_text` says until the station is open
            ),
        )
        self._link: CentralLink | None = None
        self._after_frame = AfterFrame(self.call_later)
        self._collector = IdleCollector(self._after_frame)
        self._scanner: ScannerDriver | None = None
        self._scanner_state: ScannerState | None = None
        self._sync: SyncState | None = None
        self._syncing: str | None = None
        # Results waiting for central, as of the last sync round plus those saved since:
        # the header must not query the station database on the UI thread.
        self._queued = 0
        self._printing: PrintWorker | None = None
        self._printer_state: PrinterState | None = None
        # Jobs waiting for the printer, as of the worker's last report plus those queued
        # since: like `_queued`, kept here so the header never queries the database.
        self._print_queued = 0
        self._asking_to_quit = False
        self.config_problem: str | None = None
        """What is wrong in config.toml, found as the station opened: the CLI says it again
        once the app has closed, as it says every config error."""

    # -- start-up ---------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the station is still starting")
        return self._session

    @property
    def station_open(self) -> bool:
        """Whether the station has opened: a badge scanned now is checked at once."""
        return self._session is not None

    @property
    def login(self) -> LoginScreen:
        screen = self.get_screen("login")
        assert isinstance(screen, LoginScreen)
        return screen

    def on_mount(self) -> None:
        # What is given on the login before the station has opened is held until it has
        # (`LoginScreen.station_opened`). It opens once the first frame is drawn: a thread
        # importing the database stack meanwhile would hold the GIL against that frame.
        self.call_after_refresh(self._after_first_frame)

    def get_default_screen(self) -> Screen[Any]:
        """The login, the first frame, is the first screen: pushed over Textual's empty
        default screen, it was laid out twice before it was drawn (an eighth of the first
        frame). Mounted with its size classes, it is styled once: its first resize would
        style it again for them."""
        login = LoginScreen(self.hints, classes=size_classes(*self.size))
        self.install_screen(login, "login")
        # What push_screen gives a screen: switch_screen takes it back as the login gives way.
        login._push_result_callback(self, None)
        return login

    def _after_first_frame(self) -> None:
        # Start-up's garbage is collected once, what it built stays: frozen, no collection
        # walks it (a full one costs more than a sixth of a bare app's start). `bench` held
        # the collector until now; the idle collector takes over once the station is open.
        gc.collect()
        gc.freeze()
        gc.enable()
        self._read_view_styles()
        self.open_station()
        if not self.desk:
            self._start_scanner()

    def _read_view_styles(self) -> None:
        """The other screens' rules, read after bench.tcss's as if they followed them: the
        first frame does not parse them (three fifths of the bench's CSS), and none of them
        styles the login."""
        self.stylesheet.read(VIEWS_CSS)
        self.stylesheet.parse()
        if self.screen is not self.login:  # F1 pressed as the bench started, say
            self.screen.update_node_styles(animate=False)

    def _start_scanner(self) -> None:
        """A serial or simulated scanner reads in its own thread and posts what it reads."""

        from drivers.scanner import scanner_from_config

        def post(message: Message) -> None:
            self.post_message(message)  # thread-safe, and never waits for the UI

        self._scanner = scanner_from_config(
            self.config.scanner,
            on_scan=lambda scan: post(ScanRead(scan)),
            on_unreadable=lambda bad: post(ScanUnreadable(bad)),
            on_state=lambda state: post(ScannerStateChanged(state)),
        )
        if self._scanner is not None:
            self._scanner.start()

    def on_scanner_state_changed(self, message: ScannerStateChanged) -> None:
        state = message.state
        if self._scanner_state is not None and self._scanner_state.connected != state.connected:
            where = state.problem or state.device or state.port
            if state.connected:
                log.info("%s: %s", state.label, where)
            else:
                log.warning("%s: %s", state.label, where)
                self.bell()
        self._scanner_state = state
        self._refresh_status()

    def on_scan_unreadable(self, message: ScanUnreadable) -> None:
        if not self.screen_stack:
            return
        bad = message.unreadable
        log.warning("unreadable scan (%s): %s", bad.reason.value, bad.shown)
        self._problem(Problem("Unreadable scan", bad.problem, "Nothing was recorded."))

    @work(thread=True, exclusive=True, exit_on_error=False, group="startup")
    def open_station(self) -> None:
        """Open the station (its store, the first replica load); off the UI thread."""

        def progress(what: str, done: int, total: int) -> None:
            self.post_message(SyncProgressed(what, done, total))

        def report(state: SyncState) -> None:
            self.post_message(SyncStateChanged(state))

        from bench.station import StationError

        try:
            opened = self._open_station(self.config, self.clock, progress, report)
            load_station_modules()
        except ConfigError as error:
            log.error("config: %s", error)
            self.post_message(StartupFailed(str(error), in_config=True))
            return
        except StationError as error:
            log.error("station database: %s", error)
            self.post_message(StartupFailed(str(error)))
            return
        except Exception as error:  # a worker's error would otherwise vanish: a hung start-up
            log.exception("the station could not open")
            self.post_message(
                StartupFailed(f"An unexpected error stopped the station from opening: {error!r}")
            )
            return
        self.post_message(StationOpened(opened))

    def on_station_opened(self, message: StationOpened) -> None:
        from bench.session import Session
        from screens.package import PackageScreen

        opened = message.station
        station = self.config.station
        printing = self._start_printing(opened)
        session = Session(
            opened.records,
            station.id,
            self.clock,
            country=station.country,
            subdivision=station.subdivision,
            desk=self.desk,
            prints_pages=printing.printer.prints_pages,
            figures=opened.figures,
            time_zone=site_zone(self.config.site.time_zone),
            second_share=self.config.grading.second_share,
        )
        self._session = session
        self.install_screen(PackageScreen(session, self.hints), "package")
        self._link = opened.link
        if self._link is not None:
            self._link.start()
        self._sync = opened.state
        self._queued = opened.queued
        self._refresh_status()
        self.login.station_opened(session)
        self._collector.start()
        self.set_interval(IDLE_CHECK_EVERY, self._collect_if_idle)

    def _start_printing(self, opened: OpenedStation) -> PrintWorker:
        """The print worker prints the station's queue on [printer] in its own thread,
        starting with whatever a previous run left queued."""
        from drivers.printers import printer_from_config
        from drivers.printers.queue import PrintWorker

        def report(state: PrinterState) -> None:
            self.post_message(PrinterStateChanged(state))  # thread-safe, never waits

        self._printing = PrintWorker(
            opened.records, printer_from_config(self.config.printer), self.config.labels, report
        )
        self._printing.start()
        return self._printing

    def on_printer_state_changed(self, message: PrinterStateChanged) -> None:
        state = message.state
        was_ok = self._printer_state is None or self._printer_state.ok
        if was_ok and not state.ok:
            self.bell()  # once as it fails, not at every retry
        self._printer_state = state
        self._print_queued = state.queued
        self._refresh_status()

    def on_print_queued(self, message: PrintQueued) -> None:
        self._wake_printer()
        self.notify(f"Printing {message.job.title}.", markup=False)

    def _wake_printer(self) -> None:
        self._print_queued += 1
        if self._printing is not None:
            self._printing.wake()
        self._refresh_status()

    def input_arrived(self) -> None:
        super().input_arrived()
        # No collection inside the step: they wait for the frame that ends it (`_display`).
        self._collector.hold_for_step(self._last_input)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        # Every frame leaves through here. Not `call_after_refresh` from the input: its
        # message makes the screen idle early, paint half the step, and paint the rest a
        # 60 Hz tick later (`AfterFrame`).
        super()._display(screen, renderable)
        if renderable is not None:
            self._after_frame.frame_painted()

    def _collect_if_idle(self) -> None:
        now = time.monotonic()
        self._log_out_if_idle(now)
        self._after_frame.check(now)
        self._collector.check(now, self._last_input)

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        if not self.screen_stack:  # threads still report while the app closes
            return
        if not self.station_open:
            self.login.progressed(message.what, message.done, message.total)
        elif message.done < message.total:
            self._syncing = f"SYNCING {message.what} {message.done:,}/{message.total:,}"
            self._refresh_status()

    def on_sync_state_changed(self, message: SyncStateChanged) -> None:
        went_offline = self._sync is not None and self._sync.online and not message.state.online
        self._sync = message.state
        self._queued = message.state.queued
        self._syncing = None
        if went_offline:
            log.warning("central unreachable; inspections queue locally")
            # Once as it goes, not at every retry: the header keeps saying OFFLINE. When a
            # person must act, the line under the header says what instead.
            self.bell()
            if not message.state.needs_action:
                self.notify(OFFLINE_NOTICE, title="OFFLINE", severity="warning", timeout=15)
        self._refresh_status()
        if self.screen_stack:  # a round can end while the app is closing
            self.refresh_bindings()
            if message.state.pulled and isinstance(self.screen, LoginScreen):
                self.screen.refresh_notice()  # the first badges may just have arrived

    def _handle_exception(self, error: Exception) -> None:
        # Textual prints the traceback on the terminal once the screen is gone; the
        # technician reads the log, so it goes there first (the CLI then names the file).
        log.critical("bench stopped on an unexpected error", exc_info=error)
        super()._handle_exception(error)

    def on_unmount(self) -> None:
        self._collector.stop()
        self._after_frame.stop()
        # Neither waits: each thread closes its own port or connections as it ends.
        if self._link is not None:
            self._link.stop()
        if self._printing is not None:
            self._printing.stop()
        if self._scanner is not None:
            self._scanner.stop()

    def on_startup_failed(self, message: StartupFailed) -> None:
        from screens.startup import StartupScreen

        self.bell()
        if message.in_config:
            self.config_problem = message.message
        if self.screen_stack:
            self.push_screen(StartupScreen(message.message))

    def _log_out_if_idle(self, now: float) -> None:
        """A bench left alone logs its inspector out ([ui] idle_logout_minutes; 0: never).
        An inspection in progress stays saved and is offered at the next login."""
        limit = self.config.ui.idle_logout_minutes * 60
        logged_in = self._session is not None and self.session.inspector is not None
        if limit and logged_in and now - self._last_input > limit:
            log.info("logged out after %d idle minutes", self.config.ui.idle_logout_minutes)
            self.action_logout()

    # -- moving between screens -------------------------------------------------------

    def show(self, name: str) -> None:
        """Go to a main screen or to a view of the package screen ("home", "request",
        "checklist", "outcome"), brought up to date first (screens are mounted once)."""
        from screens.package import PackageScreen

        if name in PackageScreen.VIEWS:
            screen = self.get_screen("package")
            assert isinstance(screen, PackageScreen)
            screen.show_view(name)
            self._after_frame.add(screen.forget_hidden, time.monotonic())
        else:
            screen = self.get_screen(name)
        if isinstance(screen, StationScreen) and screen.is_mounted:
            screen.refresh_view()
        if screen is not self.screen:
            self.switch_screen(screen)

    def on_logged_in(self, _: LoggedIn) -> None:
        self._refresh_status()
        self.show("home")
        if self.desk:
            # A desk is for the supervisor's screens: straight to them, Throughput first.
            self.action_supervisor()

    def on_request_opened(self, _: RequestOpened) -> None:
        self.show("request")
        self._after_frame.add(self._record_pending, time.monotonic())

    def _record_pending(self) -> None:
        problem = self.session.record_pending()
        if problem is not None:
            self._problem(problem)

    def on_request_closed(self, _: RequestClosed) -> None:
        self.show("home")

    def on_inspection_opened(self, message: InspectionOpened) -> None:
        self.show("outcome" if message.active.checklist.complete else "checklist")
        self._after_frame.add(self._record_pending, time.monotonic())

    def on_checklist_completed(self, _: ChecklistCompleted) -> None:
        self.show("outcome")

    def on_checklist_reopened(self, _: ChecklistReopened) -> None:
        self.show("checklist")

    def on_inspection_cancelled(self, _: InspectionCancelled) -> None:
        self.show("request")

    def on_inspection_saved(self, _: InspectionSaved) -> None:
        # The request screen confirms the save itself (`Session.last_saved`).
        self._queued += 1
        self._print_queued += 1  # its label was queued with it
        self.show("request")
        # The header's counts, its push and its label wait for the frame showing the save:
        # the header's relayout, and the sync and print threads' first steps holding the
        # GIL, would each make the inspector wait longer for the word "Saved".
        self._after_frame.add(self._after_save, time.monotonic())

    def _after_save(self) -> None:
        self._refresh_status()
        if self._link is not None:
            self._link.wake()  # send it now, not at the next tick
        if self._printing is not None:
            self._printing.wake()

    def action_logout(self) -> None:
        if self._session is None or self.session.inspector is None:
            return
        from screens.supervisor import SupervisorScreen

        # The supervisor's screens are theirs alone: they close with the session.
        while isinstance(self.screen, SupervisorScreen):
            self.pop_screen()
        self.session.logout()
        self._refresh_status()
        self.show("login")

    def action_help(self) -> None:
        """Open help, or close it when it is open: F1 and CMD:HELP toggle it alike."""
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen("help")

    def action_demo_scan(self) -> None:
        from drivers.simulated import SimulatedSerialScanner
        from screens.demo_scan import DemoScanScreen

        def scanned(code: str | None) -> None:
            if code is None:
                return
            if isinstance(self._scanner, SimulatedSerialScanner):
                self._scanner.scan(code)  # through the pty and the real driver
            else:
                self.post_message(ScanRead(Scan.now(code, ScanSource.SIMULATED)))

        if not isinstance(self.screen, DemoScanScreen):
            # Badges before login, package and device codes after: what can be used now.
            badges, codes = split_badges(self.hints)
            logged_in = self._session is not None and self.session.inspector is not None
            self.push_screen(DemoScanScreen(codes if logged_in else badges), scanned)

    def action_supervisor(self) -> None:
        """The supervisor's screens, over home or the request (supervisors only)."""
        from screens.supervisor import SupervisorScreen

        refused = self.session.refuse_unless_supervisor("open the supervisor screens")
        if refused is not None:
            self._problem(refused)
        elif not isinstance(self.screen, SupervisorScreen):
            self.push_screen(SupervisorScreen(self.session))

    def action_supervisors_only(self, what: str) -> None:
        """A supervisor's key pressed by an inspector: say so, do nothing."""
        refused = self.session.refuse_unless_supervisor(what)
        if refused is not None:
            self._problem(refused)

    def action_refused(self) -> None:
        from screens.refused import RefusedScreen

        if self._session is not None and not isinstance(self.screen, RefusedScreen):
            self.push_screen(RefusedScreen(self.session.refused()))

    def action_skipped(self) -> None:
        from screens.skipped import SkippedScreen

        if self._session is not None and not isinstance(self.screen, SkippedScreen):
            self.push_screen(SkippedScreen(self.session.skipped_rows()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self._session is not None and self.session.inspector is not None
        if action in ("supervisor", "supervisors_only"):
            if self._session is None or self.session.inspector is None:
                return False
            if action == "supervisors_only":
                return not self.session.is_supervisor
            from screens.home import HomeView
            from screens.package import PackageScreen
            from screens.request import RequestView

            # Over home or the request: never in the middle of an inspection.
            screen = self.screen
            return (
                self.session.is_supervisor
                and isinstance(screen, PackageScreen)
                and isinstance(screen.view, HomeView | RequestView)
            )
        if action == "demo_scan":
            return self.demo and bool(self.hints)
        if action == "skipped":
            return self._sync is not None and self._sync.quarantined > 0
        if action == "refused":
            # Shown in the footer only when there is something to see.
            return self._sync is not None and self._sync.dead > 0
        return True

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Only what an inspector needs: none of Textual's own (Theme, Keys, Maximize,
        # Screenshot), and Quit asks first like the key does.
        yield SystemCommand("Help", "Keys and command codes", self.action_help)
        if self._session is not None and self.session.inspector is not None:
            yield SystemCommand("Log out", "End this inspector's session", self.action_logout)
        if self._session is not None and self.session.is_supervisor:
            yield SystemCommand(
                "Supervisor", "Throughput, stuck, deadlines and disputes",
                self.action_supervisor,
            )  # fmt: skip
        if self._session is not None:
            yield SystemCommand(
                "Refused by central", "Inspections central would not take", self.action_refused
            )
            yield SystemCommand(
                "Skipped from central",
                "Central rows the station could not use",
                self.action_skipped,
            )
        yield SystemCommand(
            "Quit", "Close bench (asks first when someone is logged in)", self.action_quit
        )

    async def action_quit(self) -> None:
        """Ctrl+Q and the palette's Quit: a logged-in bench asks first (y / n, or CMD:YES /
        CMD:NO), so a stray key never ends a shift; with nobody logged in it quits at once."""
        if self._session is None or self.session.inspector is None:
            self.exit()
            return
        if self._asking_to_quit:
            return
        from screens.dialogs import ConfirmScreen

        def answered(sure: bool | None) -> None:
            self._asking_to_quit = False
            if sure:
                self.session.logout()  # an inspection in progress stays saved for resuming
                self.exit()

        self._asking_to_quit = True
        self.push_screen(
            ConfirmScreen(
                f"Quit bench? {self.session.inspector.name} is logged out; an inspection in "
                "progress is kept and offered at the next login."
            ),
            answered,
        )

    # -- the header -------------------------------------------------------------------

    def _refresh_status(self) -> None:
        inspector = self._session.inspector if self._session else None
        sync, sync_ok = self._sync_text()
        printer, printer_ok, printer_alert = self._printer_text()
        scanner_connected = self._scanner_state is None or self._scanner_state.connected
        self.status = StationStatus(
            station_id=self.config.station.id,
            inspector=f"{inspector.name} ({inspector.id})" if inspector else "nobody logged in",
            scanner=self.config.scanner.kind,
            scanner_connected=scanner_connected,
            scanner_alert="" if scanner_connected else SCANNER_ALERT,
            sync=sync,
            sync_ok=sync_ok,
            sync_alert=(self._sync.needs_action or "") if self._sync is not None else "",
            printer=printer,
            printer_ok=printer_ok,
            printer_alert=printer_alert,
        )

    def _printer_text(self) -> tuple[str, bool, str]:
        """PRINTER ●, or ✗ offline with what waits; and the alert line. The kind is left
        out: at 80 columns the inspector's name needs the room."""
        state = self._printer_state
        waiting = f" ({self._print_queued:,} queued)" if self._print_queued else ""
        if state is None or state.ok:
            return f"PRINTER ●{waiting}", True, ""
        if state.failed_job is None:  # nothing the printer did: the station itself
            return f"PRINTER ✗ offline{waiting}", False, f"✗ Printing has stopped: {state.problem}."
        job = state.failed_job[:1].upper() + state.failed_job[1:]
        alert = (
            f"✗ {job} did not print: {state.problem}. It stays queued and prints by itself "
            "once the printer is back: check that it is on, has labels and is connected."
        )
        return f"PRINTER ✗ offline{waiting}", False, alert

    def _sync_text(self) -> tuple[str, bool]:
        """ONLINE, OFFLINE since when, SYNCING; with the queue and refused counts."""
        queued = self._queued
        state = self._sync
        if self._session is None:
            text, ok = "STARTING", True
        elif self._link is None:
            text, ok = "LOCAL ONLY", True
        elif self._syncing:
            text, ok = self._syncing, True
        elif state is None:
            text, ok = "CONNECTING", True
        elif state.online:
            text, ok = "ONLINE", True
        else:
            since = state.offline_since.astimezone() if state.offline_since else self.clock()
            text, ok = f"OFFLINE since {since:%H:%M}", False
        if queued:
            text += f" · {queued:,} queued"
        if state is not None and state.quarantined:
            text += f" · {state.quarantined} SKIPPED (F7)"
        if state is not None and state.dead:
            text += f" · {state.dead} REFUSED (F9)"
            ok = False
        return text, ok

    # -- scans ------------------------------------------------------------------------

    @on(ScanRead)
    def scan_read(self, message: ScanRead) -> None:
        if not self.screen_stack:  # a scan read while the app closes goes nowhere
            return
        self.input_arrived()
        screen = self.screen
        if not screen.is_mounted:
            # A scan while a screen is still being built (the first visit composes it):
            # hand it over a moment later rather than to half a screen.
            self.set_timer(0.02, lambda: self.scan_read(message))
            return
        scan = classify_scan(message.scan)
        log.info("scan from %s: %s", message.scan.source.value, describe(scan))
        if scan.kind is ScanKind.UNREADABLE:
            self._problem(Problem("Unreadable scan", scan.problem or "", "Nothing was recorded."))
            return
        if scan.command is Command.HELP:
            self.action_help()
            return
        if scan.command is Command.LOGOUT:
            self.action_logout()
            return
        if scan.command is Command.PRINT_COMMAND_SHEET and self._session is not None:
            self._queued_print(self.session.print_command_sheet())
            return
        handler = getattr(screen, "handle_scan", None)
        if handler is None:
            self.bell()
            return
        handler(scan)

    def _queued_print(self, queued: PrintJob | Problem) -> None:
        if isinstance(queued, Problem):
            self._problem(queued)
        else:
            self.post_message(PrintQueued(queued))

    def _problem(self, problem: Problem) -> None:
        if isinstance(self.screen, StationScreen):
            self.screen.show_problem(problem)
        else:
            self.bell()
            # Not markup: the detail quotes scans (CMD:[/x]) and central's rows.
            detail = shown(problem.detail, PROBLEM_CELLS)
            self.notify(
                f"{detail} {problem.hint}", title=problem.title, severity="error", markup=False
            )


def make_app(
    config: Config,
    *,
    open_station: StationOpener,
    hints: Sequence[tuple[str, str]] = (),
    clock: Callable[[], datetime] = local_now,
    demo: bool = False,
    desk: bool = False,
) -> BenchApp:
    """Build the app for a station: the CLI and the tests build it the same way."""
    log.info(
        "bench %s starting, %s %s", __version__, "desk" if desk else "station", config.station.id
    )
    return BenchApp(
        config, open_station=open_station, hints=hints, clock=clock, demo=demo, desk=desk
    )
