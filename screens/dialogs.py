"""Small modal questions: a yes/no confirmation, and a reason from a list (for an override,
for a reopen)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from bench.checklist import OVERRIDE_REASONS
from bench.commands import Command as Cmd
from bench.reasons import REOPEN_REASONS
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


def reason_bindings(reasons: tuple[str, ...], leave: str) -> list[BindingType]:
    """Keys 1..n pick a reason; Esc leaves without one (`leave` says what that keeps)."""
    return [
        *(Binding(str(n), f"choose({n - 1})", f"Reason {n}") for n in range(1, len(reasons) + 1)),
        Binding("escape", "dismiss(None)", leave),
    ]


class PickReasonScreen(ModalScreen[str | None]):
    """Why: a reason from a short list, picked with its number key or CMD:REASON-1..4 (the
    first four). Each list is a subclass with its reasons, its prompt and its bindings."""

    REASONS: ClassVar[tuple[str, ...]] = ()
    PROMPT: ClassVar[str] = ""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Static wraps: the message quotes the data and must be read whole (cut if huge).
            message = shown(self.message, MESSAGE_CELLS)
            yield Static(message, id="reason-message", classes="title", markup=False)
            yield Label(self.PROMPT, classes="prompt")
            for n, reason in enumerate(self.REASONS, start=1):
                yield Label(f"[{n}] {reason}", markup=False)
        yield KeyBar()

    def action_choose(self, index: int) -> None:
        self.dismiss(self.REASONS[index])

    def handle_scan(self, scan: Classified) -> None:
        if scan.command in REASON_COMMANDS[: len(self.REASONS)]:
            self.action_choose(REASON_COMMANDS.index(scan.command))
        elif scan.command in (Cmd.CANCEL, Cmd.BACK):
            self.dismiss(None)
        else:
            self.app.bell()


class ReasonScreen(PickReasonScreen):
    """Why the inspector overrides what the data said: keys 1-4 or CMD:REASON-1..4."""

    REASONS = OVERRIDE_REASONS
    PROMPT = "Why override it? Keys 1-4 or CMD:REASON-1…4"
    BINDINGS: ClassVar[list[BindingType]] = reason_bindings(
        OVERRIDE_REASONS, "Keep the data's answer"
    )


class ReopenReasonScreen(PickReasonScreen):
    """Why a supervisor reopens an inspected item: keys 1-6 (CMD:REASON-1..4 the first four)."""

    REASONS = REOPEN_REASONS
    PROMPT = "Why reopen it? Keys 1-6"
    BINDINGS: ClassVar[list[BindingType]] = reason_bindings(REOPEN_REASONS, "Leave it as it is")
