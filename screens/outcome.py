"""The outcome: what the program's policy decides, confirmed by the inspector to be saved.

A view of `PackageScreen`, beside the checklist it ends and the request it saves to.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Digits, Label, Static

from bench.commands import Command as Cmd
from bench.domain import Decision, Disposition, Outcome
from bench.money import dollars
from bench.problems import Problem
from bench.reasons import reason_text
from bench.scans import Classified
from bench.text import shown
from screens.base import BenchView
from screens.messages import ChecklistReopened, InspectionSaved
from screens.widgets import ID_CELLS, NAME_CELLS, say, take_focus

HEADLINES = {
    Outcome.ACCEPT: "ACCEPT",
    Outcome.REVISE: "REVISE — new quote",
    Outcome.REJECT: "REJECT",
    Outcome.HOLD: "HOLD for a supervisor",
}


class OutcomeView(BenchView, can_focus=True):
    """Shows the decision; Enter or CMD:CONFIRM saves it and goes back to scanning. Focused
    while on show, so that its keys are the ones that work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Confirm", id="confirm", tooltip="Confirm and save"),
        Binding("backspace", "back", "Back", id="back", tooltip="Back to the last question"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Cancel this inspection"),
    ]

    def compose(self) -> ComposeResult:
        yield Label(id="outcome-item", classes="muted", markup=False)
        yield Static(id="outcome-word", classes="outcome")
        with Horizontal(id="outcome-row"):
            yield Digits(id="outcome-value")
            yield Static(id="outcome-disposition", markup=False)
        yield Static(id="outcome-quote", markup=False)  # a revision's terms, else hidden
        yield Static(id="outcome-reasons", markup=False)
        yield Label(
            "Enter / CMD:CONFIRM saves · Backspace / CMD:BACK changes an answer",
            id="outcome-keys",
            classes="prompt",
            markup=False,
        )

    @property
    def scan_hint(self) -> str:
        return "Scan CMD:CONFIRM to save this outcome, or CMD:BACK to change an answer."

    def refresh_view(self) -> None:
        active = self.session.active
        if active is None or not active.checklist.complete:
            return
        decision = self.session.decision()
        inspected = active.inspected
        say(
            self.query_one("#outcome-item", Label),
            f"{shown(inspected.item.id, ID_CELLS)} · "
            f"{shown(inspected.declared_model.name, NAME_CELLS)}",
        )
        word = self.query_one("#outcome-word", Static)
        say(word, HEADLINES[decision.outcome])
        for outcome in Outcome:
            word.set_class(outcome is decision.outcome, f"-{outcome.value}")
        self.query_one("#outcome-value", Digits).update(dollars(decision.final_cents))
        disposition = self.query_one("#outcome-disposition", Static)
        say(disposition, f"LABEL → {decision.disposition.value.upper()}")
        for kind in Disposition:
            disposition.set_class(kind is decision.disposition, f"-{kind.value}")
        quote = self.query_one("#outcome-quote", Static)
        due = decision.response_due_on
        quote.display = due is not None
        if due is not None:
            say(quote, _revised_quote(inspected.item.offer_cents, decision.final_cents, due))
        say(self.query_one("#outcome-reasons", Static), _reasons(decision))
        take_focus(self)

    def forget(self) -> None:
        said = (
            "#outcome-item, #outcome-word, #outcome-disposition, #outcome-quote, #outcome-reasons"
        )
        for shown_before in self.query(said).results(Static):
            say(shown_before, "")  # forgotten already, mostly: each view left is told
        value = self.query_one("#outcome-value", Digits)
        if value.value:
            value.update("")

    def handle_scan(self, scan: Classified) -> None:
        if scan.command is Cmd.CONFIRM:
            self.action_confirm()
        elif scan.command is Cmd.BACK:
            self.action_back()
        elif scan.command is Cmd.CANCEL:
            self.action_cancel()
        else:
            self.show_problem(
                Problem(
                    "Confirm this device first",
                    f"{scan.value} was scanned before the outcome was confirmed.",
                    self.scan_hint,
                )
            )

    def action_confirm(self) -> None:
        saved = self.session.confirm()
        if isinstance(saved, Problem):
            self.show_problem(saved)  # nothing was written: the outcome stays to confirm
            return
        self.app.post_message(InspectionSaved(saved))

    def action_back(self) -> None:
        self.session.back()
        self.app.post_message(ChecklistReopened())

    def action_cancel(self) -> None:
        self.bench_screen.confirm_cancel_inspection()


def _reasons(decision: Decision) -> str:
    if not decision.reasons:
        return "Every check passed."
    return "\n".join(f"• {reason_text(reason)}" for reason in decision.reasons)


def _revised_quote(quoted_cents: int, revised_cents: int, due: date) -> str:
    """What the customer will be told, so the inspector can say it if asked (seed 002)."""
    # `day` rather than %-d: the same "Tue 8 Dec" whatever the platform's strftime.
    until = f"{due:%a} {due.day} {due:%b}"
    return (
        f"Quoted {dollars(quoted_cents)} · new value {dollars(revised_cents)}\n"
        f"the customer has until {until} to reject; silence accepts it"
    )
