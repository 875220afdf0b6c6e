"""The checklist: one big question at a time, answered by keys or by command scans."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, Static

from bench.checklist import (
    DEFECT_LABELS,
    NO,
    YES,
    AnswerKind,
    Checklist,
    Question,
    kind_of,
    prompt,
    valid_values,
)
from bench.commands import Command as Cmd
from bench.domain import (
    AnswerSource,
    Defect,
    Grade,
    IdentifiedBy,
    InspectionStarted,
    ProgramPolicy,
)
from bench.money import dollars
from bench.problems import NeedsReason, Problem
from bench.scans import Classified
from bench.text import shown
from screens.base import BenchScreen
from screens.dialogs import ReasonScreen
from screens.messages import ChecklistCompleted
from screens.widgets import ID_CELLS, NAME_CELLS

DEFECT_KEYS: dict[str, Defect] = {str(n): d for n, d in enumerate(Defect, start=1)}

COMMAND_ANSWERS: dict[Cmd, str] = {
    Cmd.YES: YES,
    Cmd.NO: NO,
    Cmd.GRADE_A: Grade.A.value,
    Cmd.GRADE_B: Grade.B.value,
    Cmd.GRADE_C: Grade.C.value,
    Cmd.GRADE_D: Grade.D.value,
    Cmd.DEFECT_CRACKED: Defect.CRACKED.value,
    Cmd.DEFECT_NO_POWER: Defect.NO_POWER.value,
    Cmd.DEFECT_WATER: Defect.WATER.value,
    Cmd.DEFECT_MISSING_PARTS: Defect.MISSING_PARTS.value,
}

QUESTION_CELLS = 70
"""One line of the question box at 80 wide; only a long program name makes it longer."""
WHY_CELLS = 120
"""Why an answer is pre-filled (it quotes serials): two lines of the notice at 80 wide."""


class ChecklistScreen(BenchScreen):
    """Ask the current question of the active inspection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('yes')", "Yes", id="yes"),
        Binding("n", "answer('no')", "No", id="no"),
        Binding("a", "answer('A')", "Grade A", id="grade-a"),
        Binding("b", "answer('B')", "Grade B", id="grade-b"),
        Binding("c", "answer('C')", "Grade C", id="grade-c"),
        Binding("d", "answer('D')", "Grade D", id="grade-d"),
        *(
            Binding(key, f"answer('{defect.value}')", DEFECT_LABELS[defect])
            for key, defect in DEFECT_KEYS.items()
        ),
        Binding("enter", "keep", "Keep", id="keep", tooltip="Keep the pre-filled answer"),
        Binding("backspace", "back", "Back", id="back", tooltip="Back one question"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Cancel this inspection"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(classes="box"):
            yield Static(id="context", classes="muted", markup=False)
            yield Label(id="last-answer", markup=False)
            yield Label(id="position", classes="position")
            yield Static(id="question", classes="question", markup=False)
            yield Static(id="prefill", classes="notice", markup=False)
            yield Label(id="keys", classes="prompt", markup=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_view()

    @property
    def scan_hint(self) -> str:
        return "Answer with the keys shown, or scan a CMD: code from the command sheet."

    def refresh_view(self) -> None:
        active = self.session.active
        if active is None or active.checklist.current is None:
            return
        item = active.inspected.item
        model = active.inspected.model
        seen = shown(model.name, NAME_CELLS) if model else "not in the catalog"
        self.query_one("#context", Static).update(
            f"{shown(item.id, ID_CELLS)} · declared "
            f"{shown(active.inspected.declared_model.name, NAME_CELLS)}, "
            f"{item.declared_condition.value.replace('_', ' ')} · offer {dollars(item.offer_cents)}"
            f" · {_identified(active.started)} ({seen})"
        )
        self.query_one("#last-answer", Label).update(_last_answer(active.checklist))
        number, total = active.checklist.position
        self.query_one("#position", Label).update(f"Question {number} of {total}")
        question = active.checklist.current
        self.query_one("#question", Static).update(_asked(question, active.checklist.policy))
        prefill = active.prefill
        notice = self.query_one("#prefill", Static)
        if prefill is not None:
            # Text, not markup: the why quotes scanned codes, which may hold brackets.
            notice.update(
                Text.assemble(
                    (f"Pre-filled: {prefill.value.upper()}", "bold"),
                    f" — {shown(prefill.why, WHY_CELLS)}.\n"
                    "Enter keeps it; the other answer needs a reason.",
                )
            )
        notice.set_class(prefill is not None, "-visible")
        self.query_one("#keys", Label).update(self._keys_text(question))
        self.refresh_bindings()

    def _keys_text(self, question: Question) -> str:
        kind = kind_of(question)
        if kind is AnswerKind.GRADE:
            return "[A] [B] [C] [D]   grade"
        if kind is AnswerKind.DEFECT:
            return "   ".join(f"[{k}] {DEFECT_LABELS[d]}" for k, d in DEFECT_KEYS.items())
        return "[Y] Yes      [N] No"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        active = self.session.active if self.is_current else None
        if active is None or active.checklist.current is None:
            return True
        question = active.checklist.current
        if action == "answer":
            return str(parameters[0]) in valid_values(question)
        if action == "keep":
            return active.prefill is not None
        return True

    def handle_scan(self, scan: Classified) -> None:
        command = scan.command
        if command in COMMAND_ANSWERS:
            self.action_answer(COMMAND_ANSWERS[command])
        elif command in (Cmd.CONFIRM, Cmd.SKIP):
            self.action_keep()
        elif command is Cmd.BACK:
            self.action_back()
        elif command is Cmd.CANCEL:
            self.action_cancel()
        else:
            self.show_problem(
                Problem(
                    "Finish this device first",
                    f"{scan.value} was scanned in the middle of a checklist.",
                    "Answer the question, or scan CMD:CANCEL to stop this inspection.",
                )
            )

    def action_answer(self, value: str, reason: str | None = None) -> None:
        result = self.session.answer(value, reason)
        if isinstance(result, NeedsReason):
            self.app.bell()

            def answered(chosen: str | None) -> None:
                if chosen:
                    self.action_answer(value, chosen)

            self.app.push_screen(ReasonScreen(result.message), answered)
            return
        self._moved(result)

    def action_keep(self) -> None:
        self._moved(self.session.accept_prefill())

    def _moved(self, problem: Problem | None) -> None:
        if problem is not None:
            self.show_problem(problem)
            return
        self.clear_problem()
        active = self.session.active
        if active is not None and active.checklist.complete:
            self.app.post_message(ChecklistCompleted())
        else:
            self.refresh_view()

    def action_back(self) -> None:
        if not self.session.back():
            self.show_problem(
                Problem("First question", "There is no question before this one.", "")
            )
            return
        self.clear_problem()
        self.refresh_view()

    def action_cancel(self) -> None:
        self.confirm_cancel_inspection()


SOURCE_NOTES = {
    AnswerSource.INSPECTOR: "",
    AnswerSource.PREFILLED: " (pre-filled)",
    AnswerSource.OVERRIDDEN: " (overridden)",
}


def _last_answer(checklist: Checklist) -> str:
    """The answer recorded last, so a fast scanner sees what each scan did."""
    if not checklist.records:
        return ""
    record = checklist.records[-1]
    asked = _asked(Question(record.question), checklist.policy)
    return f"✓ {asked} {record.value.upper()}{SOURCE_NOTES[record.source]}"


def _identified(started: InspectionStarted) -> str:
    if started.identified_by is IdentifiedBy.HAND:
        return "picked by hand"
    return f"scanned {shown(started.scanned_code, ID_CELLS)}"


def _asked(question: Question, policy: ProgramPolicy) -> str:
    """The question as shown: it names the program, whose name comes from central."""
    return shown(prompt(question, policy), QUESTION_CELLS)
