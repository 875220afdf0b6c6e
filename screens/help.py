"""Help: every key and every command code, so nobody gets lost."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from bench.commands import command_sheet
from bench.scans import Classified
from screens.widgets import KeyBar

KEYS: tuple[tuple[str, str], ...] = (
    ("F1", "this help (CMD:HELP)"),
    ("ctrl+p", "command palette: every action by name"),
    ("F2", "log out (CMD:LOGOUT)"),
    ("Y / N", "answer yes / no (CMD:YES / CMD:NO)"),
    ("A B C D", "cosmetic grade (CMD:GRADE-A … D)"),
    ("1 2 3 4", "defect, a fact to change (CMD:FACT-1 … 3), or a reason"),
    ("Enter", "keep the pre-filled answer / confirm (CMD:CONFIRM, CMD:SKIP)"),
    ("Backspace", "back one question (CMD:BACK)"),
    ("Esc", "cancel / next package (CMD:CANCEL)"),
    ("F3", "reprint the picked item's label"),
    ("F4", "reprint the last label (CMD:REPRINT)"),
    ("F10", "supervisors: reopen the picked inspected item, with a reason"),
    ("F12", "supervisors: throughput, stuck, deadlines, disputes, grading"),
    ("1-5 · F5", "supervisor screens: pick a tab · read it again"),
    ("M · a r w h p", "supervisor lists: more rows · settlements of one status"),
    ("ctrl+q", "quit (asks first if logged in)"),
)


class HelpScreen(ModalScreen[None]):
    """Keys on the left, command codes on the right; Esc, F1 or any CMD code closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close help"),
        Binding("f1", "dismiss", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        # Keys and codes never wrap or get cut: the explanations wrap instead.
        keys = Table.grid(padding=(0, 2))
        keys.add_column(no_wrap=True, style="bold")
        keys.add_column()
        for key, what in KEYS:
            keys.add_row(key, what)
        codes = Table.grid(padding=(0, 2))
        codes.add_column(no_wrap=True, style="bold")
        codes.add_column()
        for code, label in command_sheet():
            codes.add_row(code, label)
        with VerticalScroll(id="help", classes="dialog"):
            yield Label("HELP   ↑↓ PgUp PgDn scroll · Esc closes", classes="title")
            yield Static(
                "1. Log in: scan your badge, type your PIN.\n"
                "2. Scan the package label.\n"
                "3. Scan each device and answer the questions.\n"
                "4. Confirm the outcome: it is saved at once; the label says where it goes.",
                markup=False,
            )
            with Horizontal(id="help-columns"):
                with Vertical(id="help-keys"):
                    yield Label("Keys", classes="prompt")
                    yield Static(keys)
                with Vertical(id="help-codes"):
                    yield Label("Command codes (on the command sheet)", classes="prompt")
                    yield Static(codes, id="help-code-table")
        yield KeyBar()

    def handle_scan(self, scan: Classified) -> None:
        self.dismiss()
