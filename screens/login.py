"""Login: scan a badge (or type the id), then type the PIN."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from bench.problems import Problem
from bench.scans import Classified, ScanKind
from bench.session import NOTHING_PULLED_YET, Session
from screens.base import BenchScreen
from screens.messages import LoggedIn
from screens.widgets import HintList, split_badges


class LoginScreen(BenchScreen):
    """Who is at the bench. Nothing else can happen until someone logs in."""

    def __init__(self, session: Session, hints: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(session)
        self.hints = hints

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="login-box", classes="box"):
            yield Label("SCAN YOUR BADGE", classes="big-prompt")
            yield Label("or type your id and press Enter, then type your PIN", classes="muted")
            yield Input(placeholder="Badge id, e.g. EMP-0001", id="badge")
            yield Input(placeholder="PIN", password=True, id="pin", max_length=8)
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
        empty = self.session.nothing_pulled_yet()
        if empty:
            notice.update(f"{NOTHING_PULLED_YET.detail}\n{NOTHING_PULLED_YET.hint}")
        notice.set_class(empty, "-visible")

    def on_mount(self) -> None:
        self.refresh_view()

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
        found = self.session.find_inspector(scan.value)
        if isinstance(found, Problem):
            self.show_problem(found)
            return
        self.clear_problem()
        self.query_one("#badge", Input).value = found.id
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#badge")
    def badge_typed(self, event: Input.Submitted) -> None:
        badge = event.value.strip()
        if not badge:
            self.show_problem(Problem("Who are you?", "No badge id yet.", self.scan_hint))
            return
        found = self.session.find_inspector(badge)
        if isinstance(found, Problem):
            # Emptied, so the next attempt is typed afresh, not appended to this one.
            event.input.value = ""
            self.show_problem(found)
            return
        self.clear_problem()
        event.input.value = found.id
        self.query_one("#pin", Input).focus()

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
        result = self.session.login(badge, pin)
        if isinstance(result, Problem):
            self.show_problem(result)
            return
        self.clear_problem()
        self.app.post_message(LoggedIn(result))
