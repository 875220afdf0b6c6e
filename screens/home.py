"""Home: waits for a package label scan, and offers to resume what a crash left open.

A view of `PackageScreen`, beside the request it opens.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, Static

from bench.commands import Command as Cmd
from bench.problems import Problem
from bench.scans import Classified, ScanKind, classify
from bench.text import shown
from screens.base import BenchView
from screens.messages import InspectionOpened, RequestOpened
from screens.widgets import ID_CELLS, FocusedLook, HintList, split_badges, take_focus


class CodeInput(FocusedLook, Input):
    """Home's field for a package label typed by hand."""


class HomeView(BenchView):
    """Scan a package label (request id or tracking number)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "resume", "Resume unfinished", id="resume"),
        Binding("f8", "discard", "Discard unfinished", id="discard"),
    ]

    _has_unfinished: bool = False
    """An unfinished inspection waits, as of the last refresh (check_action reads it)."""

    def compose(self) -> ComposeResult:
        yield Label("SCAN A PACKAGE LABEL", classes="big-prompt")
        yield Label("request id (TI-…) or tracking number", classes="muted")
        yield CodeInput(placeholder="or type it here and press Enter", id="code")
        yield Static(id="unfinished", classes="notice", markup=False)
        _, codes = split_badges(self.hints)
        if codes:
            yield HintList("Demo: F6 scans one of these codes (or type it and press Enter)", codes)

    @property
    def scan_hint(self) -> str:
        return "Scan the request id or the tracking number on the package label."

    def refresh_view(self) -> None:
        self.query_one("#code", Input).value = ""
        take_focus(self.query_one("#code", Input))
        unfinished = self.session.unfinished()
        # Remembered for check_action, which the footer calls often: no query each time.
        self._has_unfinished = bool(unfinished)
        notice = self.query_one("#unfinished", Static)
        if unfinished:
            _, item_id, started_at = unfinished[0]
            notice.update(
                f"Unfinished inspection of {shown(item_id, ID_CELLS)}, started "
                f"{started_at.astimezone().strftime('%H:%M')}.\n"
                "F5 or CMD:CONFIRM resumes it · F8 or CMD:CANCEL discards it."
            )
        notice.set_class(bool(unfinished), "-visible")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("resume", "discard"):
            return self._has_unfinished
        return True

    def handle_scan(self, scan: Classified) -> None:
        if scan.kind in (ScanKind.REQUEST_ID, ScanKind.TRACKING_NUMBER, ScanKind.ITEM_ID):
            code = scan.value.rsplit("-", 1)[0] if scan.kind is ScanKind.ITEM_ID else scan.value
            opened = self.session.open_request(code)
            if isinstance(opened, Problem):
                self.show_problem(opened)
                return
            self.clear_problem()
            self.app.post_message(RequestOpened(opened))
        elif scan.command is Cmd.CONFIRM:
            self.action_resume()
        elif scan.command is Cmd.CANCEL:
            self.action_discard()
        else:
            self.show_problem(
                Problem(
                    "Package label first",
                    f"{scan.value} is not a request id or tracking number.",
                    self.scan_hint,
                )
            )

    @on(Input.Submitted, "#code")
    def code_typed(self, event: Input.Submitted) -> None:
        event.input.value = ""
        if event.value.strip():
            self.handle_scan(classify(event.value))

    def action_resume(self) -> None:
        unfinished = self.session.unfinished()
        if not unfinished:
            self.show_problem(Problem("Nothing to resume", "No unfinished inspection.", ""))
            return
        resumed = self.session.resume(unfinished[0][0])
        if isinstance(resumed, Problem):
            self.show_problem(resumed)
            return
        self.app.post_message(InspectionOpened(resumed))

    def action_discard(self) -> None:
        unfinished = self.session.unfinished()
        problem = self.session.discard(unfinished[0][0]) if unfinished else None
        self.refresh_view()
        if problem is not None:
            self.show_problem(problem)
