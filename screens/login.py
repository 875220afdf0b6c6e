"""Login: scan a badge (or type the id), then type the PIN.

It is the first screen, drawn before the station has opened (its store, the first replica
load): a badge and a PIN given meanwhile are held and checked as soon as it opens, and
until then the screen says, quietly, that the station is opening and how far a first load
has got.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from bench.problems import Problem
from bench.scans import Classified, ScanKind
from screens.base import StationScreen
from screens.messages import LoggedIn
from screens.widgets import HintList, split_badges

if TYPE_CHECKING:
    from bench.domain import Inspector
    from bench.session import Session

OPENING = "Opening the station…"


class LoginScreen(StationScreen):
    """Who is at the bench. Nothing else can happen until someone logs in."""

    def __init__(self, hints: tuple[tuple[str, str], ...] = (), *, classes: str = "") -> None:
        super().__init__(classes=classes)
        self.hints = hints
        self.session: Session | None = None
        # Given before the station opened: the badge submitted, then its PIN.
        self._held_badge: str | None = None
        self._held_pin: str | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="login-box", classes="box"):
            yield Label("SCAN YOUR BADGE", classes="big-prompt")
            yield Label("or type your id and press Enter, then type your PIN", classes="muted")
            yield Input(placeholder="Badge id, e.g. EMP-0001", id="badge")
            yield Input(placeholder="PIN", password=True, id="pin", max_length=8)
            with Vertical(id="login-opening"):
                yield Label(OPENING, id="opening-step", classes="muted", markup=False)
            yield Static(id="login-notice", classes="notice", markup=False)
            badges, _ = split_badges(self.hints)
            if badges:
                yield HintList("Demo badges (type the id, Enter, then the PIN):", badges)
        yield from self.compose_footer()

    @property
    def scan_hint(self) -> str:
        return "Scan your badge, then type your PIN."

    def refresh_view(self) -> None:
        self.query_one("#badge", Input).value = ""
        self.query_one("#pin", Input).value = ""
        self.query_one("#badge", Input).focus()
        self.refresh_notice()

    def refresh_notice(self) -> None:
        """Say so when no badge can work yet: a new station that never reached central."""
        notice = self.query_one("#login-notice", Static)
        empty = self.session is not None and self.session.nothing_pulled_yet()
        if empty:
            from bench.session import NOTHING_PULLED_YET  # loaded: there is a session

            notice.update(f"{NOTHING_PULLED_YET.detail}\n{NOTHING_PULLED_YET.hint}")
        notice.set_class(empty, "-visible")

    def on_mount(self) -> None:
        self.refresh_view()

    # -- while the station opens --------------------------------------------------------

    def progressed(self, what: str, done: int, total: int) -> None:
        """A first replica load's progress, under the prompt, until the station is open."""
        from textual.widgets import ProgressBar  # only a new station's first load needs it

        box = self.query_one("#login-opening", Vertical)
        bars = box.query(ProgressBar)
        if bars:
            bar = bars.first()
        else:
            bar = ProgressBar(id="opening-progress", show_eta=False)
            box.mount(bar)
        self.query_one("#opening-step", Label).update(f"Loading {what}: {done:,} of {total:,}")
        bar.update(total=total, progress=done)

    def station_opened(self, session: Session) -> None:
        """The station is open: check what was given meanwhile, in the order it was given."""
        self.session = session
        self.query_one("#login-opening", Vertical).display = False
        self.refresh_notice()
        badge, pin = self._held_badge, self._held_pin
        self._held_badge = self._held_pin = None
        if badge is None:
            return
        if self._badge_checked(badge) is None:
            self._ask_badge_again()
        elif pin is not None:
            self._log_in(badge, pin)

    # -- the badge and the PIN ----------------------------------------------------------

    def handle_scan(self, scan: Classified) -> None:
        if scan.kind is not ScanKind.BADGE:
            # Never echo it: a PIN typed as fast as a scanner types reads as a scan.
            self.show_problem(
                Problem(
                    "Not a badge",
                    "That scan is not an inspector badge, so it was not used.",
                    "Scan your badge, then type your PIN. A PIN typed very fast can read "
                    "as a scan: type it again.",
                )
            )
            return
        if self.session is None:
            self._hold_badge(scan.value)
        else:
            self._badge_checked(scan.value)

    @on(Input.Submitted, "#badge")
    def badge_typed(self, event: Input.Submitted) -> None:
        badge = event.value.strip()
        if not badge:
            self.show_problem(Problem("Who are you?", "No badge id yet.", self.scan_hint))
        elif self.session is None:
            self._hold_badge(badge)
        elif self._badge_checked(badge) is None:
            self._ask_badge_again()

    def _hold_badge(self, badge: str) -> None:
        """Before the station opens: on to the PIN, the badge checked once it is open."""
        self._held_badge, self._held_pin = badge, None
        self.clear_problem()
        self.query_one("#badge", Input).value = badge
        self.query_one("#pin", Input).focus()  # the PIN typed meanwhile goes there

    def _badge_checked(self, badge: str) -> Inspector | None:
        """The badge's inspector, and on to the PIN; None once its problem is shown."""
        assert self.session is not None
        found = self.session.find_inspector(badge)
        if isinstance(found, Problem):
            self.show_problem(found)
            return None
        self.clear_problem()
        self.query_one("#badge", Input).value = found.id
        self.query_one("#pin", Input).focus()
        return found

    def _ask_badge_again(self) -> None:
        # Emptied, so the next attempt is typed afresh, not appended to this one.
        badge = self.query_one("#badge", Input)
        badge.value = ""
        badge.focus()

    @on(Input.Submitted, "#pin")
    def pin_typed(self) -> None:
        badge = self.query_one("#badge", Input).value.strip()
        pin_input = self.query_one("#pin", Input)
        pin = pin_input.value
        pin_input.value = ""
        if not badge:
            self.show_problem(Problem("Who are you?", "No badge id yet.", self.scan_hint))
            self.query_one("#badge", Input).focus()
            return
        if self.session is None:
            self._held_badge, self._held_pin = badge, pin
            return
        self._log_in(badge, pin)

    def _log_in(self, badge: str, pin: str) -> None:
        assert self.session is not None
        result = self.session.login(badge, pin)
        if isinstance(result, Problem):
            self.show_problem(result)
            return
        self.clear_problem()
        self.app.post_message(LoggedIn(result))
