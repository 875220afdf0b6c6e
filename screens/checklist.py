"""The checklist: the data's answers on one step, then one big question at a time, answered
by keys or by command scans.

A view of `PackageScreen`, beside the request it starts from and the outcome it leads to:
each answer and each move between them is shown in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Label, Static

from bench.checklist import (
    DEFECT_LABELS,
    NO,
    YES,
    AnswerKind,
    Checklist,
    Question,
    Step,
    fact_label,
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
from screens.base import BenchView
from screens.dialogs import ReasonScreen
from screens.messages import ChecklistCompleted
from screens.widgets import ID_CELLS, NAME_CELLS, say, take_focus

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
FACT_COMMANDS = (Cmd.FACT_1, Cmd.FACT_2, Cmd.FACT_3)
"""One per fact the data can answer: model listed, serial matches, age."""

QUESTION_CELLS = 70
"""One line of the question box at 80 wide; only a long program name makes it longer."""
WHY_CELLS = 90
"""Why the data answers a fact (it quotes serials): two lines of the list at 80 wide."""
MEANING_CELLS = 66
"""What a grade means (the program's words): one line of the list at 80 wide."""
FACTS_QUESTION = "Is what the data says right?"


class ChecklistView(BenchView, can_focus=True):
    """Ask the current step of the active inspection. Focused while on show, so that its
    keys are the ones that work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('yes')", "Yes", id="yes"),
        Binding("n", "answer('no')", "No", id="no"),
        Binding("a", "answer('A')", "Grade A", id="grade-a"),
        Binding("b", "answer('B')", "Grade B", id="grade-b"),
        Binding("c", "answer('C')", "Grade C", id="grade-c"),
        Binding("d", "answer('D')", "Grade D", id="grade-d"),
        Binding("enter", "keep", "Keep", id="keep", tooltip="Keep the data's or the given answer"),
        *(
            Binding(key, f"answer('{defect.value}')", DEFECT_LABELS[defect])
            for key, defect in DEFECT_KEYS.items()
        ),
        # One entry in the key bar for the three: the facts list names each number.
        *(
            Binding(str(n + 1), f"change_fact({n})", "Change a fact", show=n == 0)
            for n in range(len(FACT_COMMANDS))
        ),
        Binding("backspace", "back", "Back", id="back", tooltip="Back one question"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Cancel this inspection"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="context", classes="muted", markup=False)
        yield Label(id="second-grading", classes="notice", markup=False)
        yield Label(id="last-answer", markup=False)
        yield Label(id="position", classes="position", markup=False)
        yield Static(id="question", classes="question", markup=False)
        yield Static(id="notice", classes="notice")
        yield Label(id="keys", classes="prompt", markup=False)

    @property
    def scan_hint(self) -> str:
        return "Answer with the keys shown, or scan a CMD: code from the command sheet."

    def refresh_view(self) -> None:
        active = self.session.active
        step = active.checklist.current if active else None
        if active is None or step is None:
            return
        checklist = active.checklist
        item = active.inspected.item
        model = active.inspected.model
        seen = shown(model.name, NAME_CELLS) if model else "not in the catalog"
        say(
            self.query_one("#context", Static),
            f"{shown(item.id, ID_CELLS)} · declared "
            f"{shown(active.inspected.declared_model.name, NAME_CELLS)}, "
            f"{item.declared_condition.value.replace('_', ' ')} · offer {dollars(item.offer_cents)}"
            f" · {_identified(active.started)} ({seen})",
        )
        second = self.query_one("#second-grading", Label)
        say(
            second,
            f"Second grading of {shown(item.id, ID_CELLS)}: grade it without looking at the first",
        )
        second.set_class(active.started.second_of is not None, "-visible")
        say(self.query_one("#last-answer", Label), _last_answer(checklist))
        say(self.query_one("#position", Label), _position(checklist, step))
        asked = FACTS_QUESTION if step.facts else _asked(step.question, checklist.policy)
        say(self.query_one("#question", Static), asked)
        notice = self.query_one("#notice", Static)
        listed = _listed(checklist, step)
        if listed is not None:
            say(notice, listed)
        # Shown and hidden by its own display, not the class: a class changed re-applies
        # its styles, half a millisecond at each question it comes or goes with.
        notice.display = listed is not None
        say(self.query_one("#keys", Label), _keys_text(checklist, step))
        take_focus(self)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        active = self.session.active if self.screen.is_current else None
        if active is None or active.checklist.current is None:
            return True
        step = active.checklist.current
        if action == "answer":
            return not step.facts and str(parameters[0]) in valid_values(step.question)
        if action == "change_fact":
            return step.facts and int(str(parameters[0])) < len(step.questions)
        if action == "keep":
            return active.checklist.can_keep
        return True

    def handle_scan(self, scan: Classified) -> None:
        command = scan.command
        if command in COMMAND_ANSWERS:
            self.action_answer(COMMAND_ANSWERS[command])
        elif command in FACT_COMMANDS:
            self.action_change_fact(FACT_COMMANDS.index(command))
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
        self._answered(result, lambda chosen: self.action_answer(value, chosen))

    def action_change_fact(self, index: int, reason: str | None = None) -> None:
        result = self.session.change_fact(index, reason)
        self._answered(result, lambda chosen: self.action_change_fact(index, chosen))

    def action_keep(self) -> None:
        self._moved(self.session.keep())

    def _answered(self, result: Problem | NeedsReason | None, again: Callable[[str], None]) -> None:
        """Moved on, or a problem to show; an override first asks why, then goes `again`."""
        if not isinstance(result, NeedsReason):
            self._moved(result)
            return
        self.app.bell()

        def answered(chosen: str | None) -> None:
            if chosen:
                again(chosen)

        self.app.push_screen(ReasonScreen(result.message), answered)

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
        self.bench_screen.confirm_cancel_inspection()


SOURCE_NOTES = {
    AnswerSource.INSPECTOR: "",
    AnswerSource.PREFILLED: " (pre-filled)",
    AnswerSource.OVERRIDDEN: " (overridden)",
}


def _value_text(question: Question, value: str) -> str:
    if kind_of(question) is AnswerKind.DEFECT:
        return DEFECT_LABELS[Defect(value)]
    return value.upper()


def _last_answer(checklist: Checklist) -> str:
    """The answer given last before the step on show, so a fast scanner sees what each scan
    did; the data's answers all together, as they were confirmed."""
    record = checklist.last_before_current()
    if record is None:
        return ""
    question = Question(record.question)
    step = checklist.step_of(question)
    if not step.facts:
        asked = _asked(question, checklist.policy)
        return f"✓ {asked} {_value_text(question, record.value)}{SOURCE_NOTES[record.source]}"
    facts = [(q, checklist.record_of(q)) for q in step.questions]
    return "✓ " + " · ".join(
        f"{fact_label(q, checklist.policy)} {given.value.upper()}"
        + (" (overridden)" if given.source is AnswerSource.OVERRIDDEN else "")
        for q, given in facts
        if given is not None
    )


def _position(checklist: Checklist, step: Step) -> str:
    number, total = checklist.position
    text = f"Question {number} of {total}" + (", continued" if step.follow_up else "")
    skipped = checklist.skipped_numbers
    if not skipped:
        return text
    *first, last = [str(n) for n in skipped]
    which = f"{', '.join(first)} and {last}" if first else last
    they = "they cannot" if first else "it cannot"
    return f"{text} · not asked: {which}, {they} change the outcome"


def _listed(checklist: Checklist, step: Step) -> Listed | None:
    """The data's answers with why, or what each grade means; None for other questions."""
    if step.facts:
        return _facts(checklist, step)
    if kind_of(step.question) is AnswerKind.GRADE:
        meanings = checklist.policy.grade_meanings
        return Listed(
            tuple(
                (
                    Content.styled(f"[{g.value}]", "bold"),
                    Content(shown(meanings.get(g, ""), MEANING_CELLS)),
                )
                for g in Grade
            )
        )
    return None


def _facts(checklist: Checklist, step: Step) -> Listed:
    rows = []
    for n, question in enumerate(step.questions, start=1):
        data = checklist.prefilled[question]
        given = checklist.record_of(question)
        value = given.value if given else data.value
        why = data.why
        if given is not None and given.source is AnswerSource.OVERRIDDEN:
            why = f"overridden ({given.reason}); the data says {data.value.upper()}: {why}"
        rows.append(
            (
                Content(f"[{n}]"),
                Content(fact_label(question, checklist.policy)),
                Content.styled(value.upper(), "bold"),
                Content(shown(why, WHY_CELLS)),
            )
        )
    return Listed(tuple(rows))


class Listed(Visual):
    """Rows of cells whose last one wraps under itself; the others never do. What a Rich
    grid table draws, in one pass and in Textual's own text: the table measured and drew
    every cell twice, and a Rich renderable is measured, then drawn, through a console (a
    tenth of the first question of each inspection, the data's facts)."""

    def __init__(self, rows: tuple[tuple[Content, ...], ...]) -> None:
        self.rows = rows
        self._widths = [max(row[n].cell_length for row in rows) for n in range(len(rows[0]) - 1)]
        """Each column's but the last: the cells that never wrap, at any width."""
        self._lead = sum(self._widths) + len(self._widths)  # and a space after each
        self._laid_out: tuple[int, list[Content]] = (-1, [])
        """The lines last laid out and their width: measured, then drawn, at one width."""

    def __eq__(self, other: object) -> bool:
        # Contents compare by their text: each cell's style comes with its column.
        return isinstance(other, Listed) and other.rows == self.rows

    def __hash__(self) -> int:
        return hash(self.rows)

    def lines(self, width: int) -> list[Content]:
        """The rows laid out `width` cells wide."""
        if self._laid_out[0] == width:
            return self._laid_out[1]
        lead = self._lead
        room = max(1, width - lead)
        lines = []
        for row in self.rows:
            first = Content.assemble(
                *(cell + " " * (cells - cell.cell_length + 1)
                  for cell, cells in zip(row[:-1], self._widths, strict=True))
            )  # fmt: skip
            for n, line in enumerate(row[-1].wrap(room)):
                lines.append((first if n == 0 else Content(" " * lead)) + line)
        self._laid_out = (width, lines)
        return lines

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        # Every row on one line, its last cell unwrapped: no layout needed to know it.
        widest = max(row[-1].cell_length for row in self.rows)
        return min(container_width, self._lead + widest)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return Content("\n").join(self.lines(width)).render_strips(width, height, style, options)


def _keys_text(checklist: Checklist, step: Step) -> str:
    if step.facts:
        numbers = " ".join(f"[{n}]" for n in range(1, len(step.questions) + 1))
        several = len(step.questions) > 1
        keep, change = ("Keep them", "Change one") if several else ("Keep it", "Change it")
        return f"[Enter] {keep}      {numbers} {change} (a reason is asked)"
    question = step.question
    kind = kind_of(question)
    if kind is AnswerKind.GRADE:
        keys = "[A] [B] [C] [D]   grade"
    elif kind is AnswerKind.DEFECT:
        keys = "   ".join(f"[{k}] {DEFECT_LABELS[d]}" for k, d in DEFECT_KEYS.items())
    else:
        keys = "[Y] Yes      [N] No"
    given = checklist.value(question)
    return keys if given is None else f"{keys}      [Enter] Keep {_value_text(question, given)}"


def _identified(started: InspectionStarted) -> str:
    if started.identified_by is IdentifiedBy.HAND:
        return "picked by hand"
    return f"scanned {shown(started.scanned_code, ID_CELLS)}"


def _asked(question: Question, policy: ProgramPolicy) -> str:
    """The question as shown: it names the program, whose name comes from central."""
    return shown(prompt(question, policy), QUESTION_CELLS)
