"""Small modal questions: a yes/no confirmation and the reason for an override."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from bench.checklist import OVERRIDE_REASONS
from bench.commands import Command as Cmd
from bench.scans import Classified
from bench.text import shown
from screens.widgets import KeyBar

REASON_COMMANDS = (Cmd.REASON_1, Cmd.REASON_2, Cmd.REASON_3, Cmd.REASON_4)
MESSAGE_CELLS = 240
"""The override message quotes central's names and scans: four lines of the dialog at most,
so the reasons below it stay on an 80x24 screen."""


class ConfirmScreen(ModalScreen[bool]):
    """Are you sure? y / n, or CMD:YES / CMD:NO."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "Yes"),
        Binding("n", "dismiss(False)", "No"),
        Binding("escape", "dismiss(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="title", markup=False)
            yield Label("[Y] Yes      [N] No", classes="prompt", markup=False)
        yield KeyBar()

    def handle_scan(self, scan: Classified) -> None:
        if scan.command in (Cmd.YES, Cmd.CONFIRM):
            self.dismiss(True)
        elif scan.command in (Cmd.NO, Cmd.CANCEL, Cmd.BACK):
            self.dismiss(False)
        else:
            self.app.bell()


class ReasonScreen(ModalScreen[str | None]):
    """Why the inspector overrides what the data said: keys 1-4 or CMD:REASON-1..4."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(n), f"choose({n - 1})", f"Reason {n}")
            for n in range(1, len(OVERRIDE_REASONS) + 1)
        ),
        Binding("escape", "dismiss(None)", "Keep the data's answer"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Static wraps: the message quotes the data and must be read whole (cut if huge).
            message = shown(self.message, MESSAGE_CELLS)
            yield Static(message, id="reason-message", classes="title", markup=False)
            yield Label("Why override it? Keys 1-4 or CMD:REASON-1…4", classes="prompt")
            for n, reason in enumerate(OVERRIDE_REASONS, start=1):
                yield Label(f"[{n}] {reason}", markup=False)
        yield KeyBar()

    def action_choose(self, index: int) -> None:
        self.dismiss(OVERRIDE_REASONS[index])

    def handle_scan(self, scan: Classified) -> None:
        if scan.command in REASON_COMMANDS:
            self.action_choose(REASON_COMMANDS.index(scan.command))
        elif scan.command in (Cmd.CANCEL, Cmd.BACK):
            self.dismiss(None)
        else:
            self.app.bell()
