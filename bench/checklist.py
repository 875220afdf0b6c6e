"""The eligibility checklist as a state machine, one step at a time.

The order is DESIGN.md's: identify (model listed, serial match), age, broken (and the main
defect), dirty, factory reset (and the bench wipe), cosmetic grade for graded programs,
owned outright. What the data already answers is shown together on the first step, the
facts: the inspector confirms them with one key, or changes one with a reason. The
other questions are asked one at a time.

Once no answer can still make the item paid (accepted or revised), a question whose answer
cannot change the outcome, the value or the disposition is not asked. What can is found
by running the policy itself (`bench.policy.decide`) on every way the open questions could
still be answered, so no second list of rules can drift from it. Factory reset and the
wipe are always asked: customer data must never leave the bench.

Answers are append-only records, one per question, so replaying the records of an
unfinished inspection rebuilds the machine where it was after a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bench.domain import (
    AnswerRecord,
    Answers,
    AnswerSource,
    Defect,
    Disposition,
    Grade,
    InspectedItem,
    Outcome,
    ProgramKind,
    ProgramPolicy,
)
from bench.policy import brand_taken, decide, older_than_limit

YES = "yes"
NO = "no"


class Question(StrEnum):
    MODEL_LISTED = "model_listed"
    SERIAL_MATCHES = "serial_matches"
    OLDER_THAN_LIMIT = "older_than_limit"
    BROKEN = "broken"
    DEFECT = "defect"
    DIRTY = "dirty"
    FACTORY_RESET = "factory_reset"
    WIPED = "wiped"
    GRADE = "grade"
    OWNED_OUTRIGHT = "owned_outright"


class AnswerKind(StrEnum):
    YES_NO = "yes_no"
    GRADE = "grade"
    DEFECT = "defect"


ORDER: tuple[Question, ...] = tuple(Question)

KINDS: dict[Question, AnswerKind] = {
    Question.DEFECT: AnswerKind.DEFECT,
    Question.GRADE: AnswerKind.GRADE,
}

FOLLOWS: dict[Question, Question] = {
    Question.DEFECT: Question.BROKEN,
    Question.WIPED: Question.FACTORY_RESET,
}
"""Follow-ups, asked only after one answer to the question they follow; they share its
number, so "Question 4 of 7" keeps its total whether they are asked or not."""

RECORD_NEEDS: frozenset[Question] = frozenset({Question.FACTORY_RESET, Question.WIPED})
"""Asked whatever the outcome: customer data must never leave the bench on a device."""

# A serial not compared is not here: it stays None for the policy, as when none is declared.
NOTHING_FOUND: dict[Question, str] = {
    Question.MODEL_LISTED: YES,
    Question.OLDER_THAN_LIMIT: NO,
    Question.BROKEN: NO,
    Question.DIRTY: NO,
    Question.FACTORY_RESET: YES,
    Question.WIPED: YES,
    Question.GRADE: Grade.A.value,
    Question.OWNED_OUTRIGHT: YES,
}
"""The answer that finds nothing wrong: what a question not asked counts as for the policy
(it adds no reason), and the first answer the search for the outcome tries."""

PAID = frozenset({Outcome.ACCEPT, Outcome.REVISE})

# Reasons an inspector may give for overriding what the data said; short enough for a
# pick-list answered with keys 1-4 or CMD:REASON-1..4 scans.
OVERRIDE_REASONS: tuple[str, ...] = (
    "The device's own label says otherwise",
    "The record or catalog is wrong",
    "Production date on the device differs",
    "Supervisor instruction",
)

DEFECT_LABELS: dict[Defect, str] = {
    Defect.CRACKED: "Cracked",
    Defect.NO_POWER: "No power",
    Defect.WATER: "Water damage",
    Defect.MISSING_PARTS: "Missing parts",
}


def _years(count: int) -> str:
    return "1 year" if count == 1 else f"{count} years"


def prompt(question: Question, policy: ProgramPolicy) -> str:
    """The question as the inspector reads it: a plain yes/no question about a fact."""
    prompts = {
        Question.MODEL_LISTED: f"Is the model listed for {policy.name}?",
        Question.SERIAL_MATCHES: "Does the serial on the device match the declared serial?",
        Question.OLDER_THAN_LIMIT: (f"Was it bought more than {_years(policy.max_age_years)} ago?"),
        Question.BROKEN: "Is it broken or damaged?",
        Question.DEFECT: "What is the main defect?",
        Question.DIRTY: "Is it dirty?",
        Question.FACTORY_RESET: "Was it factory reset?",
        Question.WIPED: "Wipe it now at the bench. Did the wipe succeed?",
        Question.GRADE: "What is its cosmetic grade?",
        Question.OWNED_OUTRIGHT: "Is it owned outright (not leased, not account-locked)?",
    }
    return prompts[question]


# Each question in a word or two: the dispute's answers, the steps a checklist skips.
QUESTION_WORDS: Mapping[str, str] = {
    Question.MODEL_LISTED: "Model listed",
    Question.SERIAL_MATCHES: "Serial matches",
    Question.OLDER_THAN_LIMIT: "Over the age limit",
    Question.BROKEN: "Broken or damaged",
    Question.DEFECT: "Main defect",
    Question.DIRTY: "Dirty",
    Question.FACTORY_RESET: "Factory reset",
    Question.WIPED: "Wiped at the bench",
    Question.GRADE: "Cosmetic grade",
    Question.OWNED_OUTRIGHT: "Owned outright",
}


def fact_label(question: Question, policy: ProgramPolicy) -> str:
    """A fact the data answers, in a few words, for the list of facts on one step."""
    labels = {
        Question.MODEL_LISTED: "Model listed",
        Question.SERIAL_MATCHES: "Serial matches",
        Question.OLDER_THAN_LIMIT: f"Over {_years(policy.max_age_years)} old",
    }
    return labels.get(question, prompt(question, policy))


def kind_of(question: Question) -> AnswerKind:
    return KINDS.get(question, AnswerKind.YES_NO)


def valid_values(question: Question) -> tuple[str, ...]:
    kind = kind_of(question)
    if kind is AnswerKind.GRADE:
        return tuple(g.value for g in Grade)
    if kind is AnswerKind.DEFECT:
        return tuple(d.value for d in Defect)
    return (YES, NO)


def _other(value: str) -> str:
    return NO if value == YES else YES


@dataclass(frozen=True)
class Prefill:
    """An answer the data gives, with why, shown to the inspector before they accept it."""

    value: str
    why: str


@dataclass(frozen=True)
class DeviceFacts:
    """What the scan of the device told us, beyond the catalog model it resolved to."""

    scanned_code: str
    gtin: str | None = None
    serial: str | None = None
    production_date: date | None = None


def _years_between(earlier: date, later: date) -> int:
    years = later.year - earlier.year
    return years - 1 if (later.month, later.day) < (earlier.month, earlier.day) else years


def _how_long_ago(earlier: date, today: date) -> str:
    """ "3 years ago", as a person says it: a date still to come is not "-1 years ago"."""
    if earlier > today:
        return "a date after today"
    years = _years_between(earlier, today)
    return "less than a year ago" if years == 0 else f"{_years(years)} ago"


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def prefills(
    policy: ProgramPolicy, item: InspectedItem, device: DeviceFacts, today: date
) -> dict[Question, Prefill]:
    """The answers the request, the catalog and the scan already give."""
    found: dict[Question, Prefill] = {}
    model = item.model
    if model is None:
        found[Question.MODEL_LISTED] = Prefill(NO, f"{device.scanned_code} is not in the catalog")
    elif policy.kind is ProgramKind.GRADED:
        # The same rule as the policy's, so the pre-filled answer never contradicts it.
        taken = policy.brand or "any brand"
        found[Question.MODEL_LISTED] = Prefill(
            _yes_no(brand_taken(model.brand, policy.brand)),
            f"{model.full_name}: the program takes {taken}",
        )
    else:
        listed = model.program_code == policy.code
        where = "listed" if listed else "not listed"
        found[Question.MODEL_LISTED] = Prefill(
            _yes_no(listed), f"{model.name} is {where} for {policy.name}"
        )
    if model is not None and device.gtin is None:
        # The scan carried no model (a serial, an IMEI), or nothing was scanned (a hand
        # pick): the declared model is presumed, and the inspector overrides when the device
        # in hand is another one.
        presumed = found[Question.MODEL_LISTED]
        source = "the scan carries no model" if device.scanned_code else "picked by hand"
        found[Question.MODEL_LISTED] = Prefill(
            presumed.value, f"{presumed.why} (declared; {source})"
        )
    declared = item.item.declared_serial
    if declared and device.serial:
        matches = declared.strip().upper() == device.serial.strip().upper()
        found[Question.SERIAL_MATCHES] = Prefill(
            _yes_no(matches), f"declared {declared}, scanned {device.serial}"
        )
    if item.item.purchased_on is not None:
        found[Question.OLDER_THAN_LIMIT] = Prefill(
            _yes_no(older_than_limit(policy, item.item.purchased_on, today)),
            f"purchased {item.item.purchased_on.isoformat()}, "
            f"{_how_long_ago(item.item.purchased_on, today)}",
        )
    elif device.production_date is not None:
        found[Question.OLDER_THAN_LIMIT] = Prefill(
            _yes_no(older_than_limit(policy, device.production_date, today)),
            f"produced {device.production_date.isoformat()}, "
            f"{_how_long_ago(device.production_date, today)}",
        )
    return found


class ChecklistError(Exception):
    """An answer the current step cannot take; the message is for the inspector."""


class OverrideNeedsReason(ChecklistError):
    pass


@dataclass(frozen=True)
class Step:
    """What one screen of the checklist asks: the facts the data answers, confirmed
    together, or one question."""

    questions: tuple[Question, ...]
    number: int
    """"Question {number} of {total}": a follow-up has the number of the one it follows."""
    facts: bool = False

    @property
    def follow_up(self) -> bool:
        return self.questions[0] in FOLLOWS

    @property
    def question(self) -> Question:
        """The question of a one-question step."""
        return self.questions[0]


ValueOf = Callable[[Question], str | None]
Settled = tuple[Outcome, int, Disposition]


class Checklist:
    """Where one inspection stands: the steps that apply, their answers, the cursor."""

    def __init__(
        self,
        policy: ProgramPolicy,
        inspected: InspectedItem,
        prefilled: Mapping[Question, Prefill],
        today: date,
        records: Iterable[AnswerRecord] = (),
    ) -> None:
        self.policy = policy
        self.inspected = inspected
        self.today = today
        self._asks_serial = bool(inspected.item.declared_serial)
        # Only facts this inspection asks about: a graded program asks no age.
        self.prefilled = {q: p for q, p in prefilled.items() if self._asked_at_all(q)}
        self.steps = self._plan()
        self.total = max(step.number for step in self.steps)
        """How many numbered steps: fixed at the start, whatever is answered or skipped."""
        self._replay(records)

    def _plan(self) -> tuple[Step, ...]:
        facts = tuple(q for q in ORDER if q in self.prefilled)
        steps = [Step(facts, 1, facts=True)] if facts else []
        for question in ORDER:
            if question in self.prefilled or not self._asked_at_all(question):
                continue
            number = len(steps) and steps[-1].number
            steps.append(Step((question,), number if question in FOLLOWS else number + 1))
        return tuple(steps)

    def _replay(self, records: Iterable[AnswerRecord]) -> None:
        """Start from no answers, then give `records` again in order."""
        self._answers: dict[Question, AnswerRecord] = {}
        self._records: list[AnswerRecord] = []
        self._skipped: frozenset[Question] = frozenset()
        self._settle()
        self._cursor: Step | None = self._first_to_ask(self._present())
        self._before: tuple[int, Step | None] = (0, self._cursor)
        for record in records:
            self._apply(record)
            self._advance_from(self.step_of(Question(record.question)))

    # -- what applies -------------------------------------------------------------------

    def _asked_at_all(self, question: Question) -> bool:
        """Whether this inspection can ask the question, whatever the answers."""
        graded = self.policy.kind is ProgramKind.GRADED
        if question is Question.SERIAL_MATCHES:
            return self._asks_serial
        if question is Question.OLDER_THAN_LIMIT:
            # Graded programs price by the model's year instead of refusing old devices.
            return not graded
        if question is Question.GRADE:
            return graded
        return True

    def _applies(self, question: Question, value: ValueOf) -> bool:
        if not self._asked_at_all(question):
            return False
        if question is Question.DEFECT:
            return value(Question.BROKEN) == YES
        if question is Question.WIPED:
            return value(Question.FACTORY_RESET) == NO
        return True

    def _given(self, question: Question) -> str | None:
        """The answer recorded for a question that applies now, else None."""
        record = self._answers.get(question)
        return record.value if record and self._applies(question, self._given) else None

    def _open(self, question: Question) -> bool:
        return self._applies(question, self._given) and question not in self._answers

    def _to_ask(self, step: Step) -> tuple[Question, ...]:
        """The step's open questions, or none when every one of them is skipped."""
        open_ = tuple(q for q in step.questions if self._open(q))
        return () if all(q in self._skipped for q in open_) else open_

    def _present(self) -> list[Step]:
        """The steps that apply now: a follow-up only after its answer."""
        return [s for s in self.steps if any(self._applies(q, self._given) for q in s.questions)]

    def _is_skipped(self, step: Step) -> bool:
        nothing_given = not any(self._given(q) for q in step.questions)
        return nothing_given and not self._to_ask(step)

    def step_of(self, question: Question) -> Step:
        return next(step for step in self.steps if question in step.questions)

    def _first_to_ask(self, steps: Iterable[Step]) -> Step | None:
        return next((step for step in steps if self._to_ask(step)), None)

    # -- what the inspector sees --------------------------------------------------------

    @property
    def questions(self) -> list[Question]:
        """The questions this inspection asks now, in order, given the answers so far
        (skipped ones included)."""
        return [q for q in ORDER if self._applies(q, self._given)]

    @property
    def current(self) -> Step | None:
        """The step on screen, or None once every step is done."""
        return self._cursor

    @property
    def complete(self) -> bool:
        return self._cursor is None

    @property
    def position(self) -> tuple[int, int]:
        """(number of the current step, how many) for "Question 3 of 7"."""
        if self._cursor is None:
            return self.total, self.total
        return self._cursor.number, self.total

    @property
    def can_keep(self) -> bool:
        """Enter works: the data's answers are on show, or the step was answered before."""
        step = self._cursor
        return step is not None and (step.facts or not self._to_ask(step))

    @property
    def skipped(self) -> frozenset[Question]:
        """Open questions not asked: no answer to them can change the outcome."""
        return self._skipped

    @property
    def skipped_numbers(self) -> list[int]:
        """The numbers of the steps not asked, for "not asked: 2 and 3"."""
        return [s.number for s in self._present() if not s.follow_up and self._is_skipped(s)]

    @property
    def records(self) -> tuple[AnswerRecord, ...]:
        return tuple(self._records)

    def value(self, question: Question) -> str | None:
        """The answer given to a question that applies, None when not asked (or skipped)."""
        return self._given(question)

    def record_of(self, question: Question) -> AnswerRecord | None:
        return self._answers.get(question) if self._given(question) else None

    def last_before_current(self) -> AnswerRecord | None:
        """The answer given last to a step before the one on show: after going back it is
        never an answer to a later question."""
        if self._cursor is None:
            return self._records[-1] if self._records else None
        earlier = {q for s in self.steps[: self.steps.index(self._cursor)] for q in s.questions}
        return next((r for r in reversed(self._records) if Question(r.question) in earlier), None)

    # -- moving -------------------------------------------------------------------------

    def answer(
        self, value: str, inspector_id: str, at: datetime, reason: str | None = None
    ) -> AnswerRecord:
        """Answer the question on show."""
        step = self._require_step()
        if step.facts:
            raise ChecklistError(
                "Not a question: Enter or CMD:CONFIRM keeps the data's answers, "
                "1-3 or CMD:FACT-1…3 changes one"
            )
        return self._give([self._record(step.question, value, inspector_id, at, reason)])[0]

    def change_fact(
        self, index: int, inspector_id: str, at: datetime, reason: str | None = None
    ) -> AnswerRecord:
        """Turn fact `index` (from 0) of the facts on show to the other answer. Back to the
        data's answer needs nothing; against it, a reason."""
        step = self._require_step()
        if not step.facts or not 0 <= index < len(step.questions):
            raise ChecklistError("There is no such fact on show to change")
        question = step.questions[index]
        now = self._given(question) or self.prefilled[question].value
        return self._give([self._record(question, _other(now), inspector_id, at, reason)])[0]

    def keep(self, inspector_id: str, at: datetime) -> tuple[AnswerRecord, ...]:
        """Enter: let the data's answers on show stand, or keep the answer given before."""
        step = self._require_step()
        open_ = self._to_ask(step)
        if open_ and not step.facts:
            raise ChecklistError("This question has no pre-filled answer: answer it")
        records = [self._record(q, self.prefilled[q].value, inspector_id, at, None) for q in open_]
        return tuple(self._give(records))

    def take_back(self) -> None:
        """Undo the last move, its answers as if never given (they could not be stored):
        the same step on show, to answer again."""
        count, cursor = self._before
        self._replay(self._records[:count])
        self._cursor = cursor

    def back(self) -> bool:
        """Go back one step, over the skipped ones; False when already at the first."""
        steps = [s for s in self._present() if not self._is_skipped(s)]
        if self._cursor is None:
            self._cursor = steps[-1]
            return True
        index = steps.index(self._cursor)
        if index == 0:
            return False
        self._cursor = steps[index - 1]
        return True

    def _require_step(self) -> Step:
        if self._cursor is None:
            raise ChecklistError("Every question is answered: confirm or go back")
        return self._cursor

    def _record(
        self, question: Question, value: str, inspector_id: str, at: datetime, reason: str | None
    ) -> AnswerRecord:
        if value not in valid_values(question):
            expected = ", ".join(valid_values(question))
            raise ChecklistError(f"'{value}' does not answer this question: use {expected}")
        prefill = self.prefilled.get(question)
        if prefill is None:
            source = AnswerSource.INSPECTOR
        elif prefill.value == value:
            source = AnswerSource.PREFILLED
        elif not reason:
            raise OverrideNeedsReason(
                f"The data says {prefill.value.upper()} ({prefill.why}): give a reason to override"
            )
        else:
            source = AnswerSource.OVERRIDDEN
        return AnswerRecord(
            question=question.value,
            value=value,
            source=source,
            inspector_id=inspector_id,
            answered_at=at,
            reason=reason if source is AnswerSource.OVERRIDDEN else None,
        )

    def _give(self, records: list[AnswerRecord]) -> list[AnswerRecord]:
        step = self._require_step()
        self._before = (len(self._records), self._cursor)
        for record in records:
            self._apply(record)
        self._advance_from(step)
        return records

    def _apply(self, record: AnswerRecord) -> None:
        self._answers[Question(record.question)] = record
        self._records.append(record)
        self._settle()

    def _advance_from(self, step: Step) -> None:
        """Stay while the step has open questions; else on to the next step that asks
        something, or back to the first one still open (after going back)."""
        if self._to_ask(step):
            self._cursor = step
            return
        present = self._present()
        later = present[present.index(step) + 1 :] if step in present else []
        self._cursor = self._first_to_ask(later) or self._first_to_ask(present)

    # -- which questions cannot change the outcome --------------------------------------

    def _settle(self) -> None:
        """Work out which open questions are skipped: none while some answers could still
        make the item paid; then each whose answers all give the same outcome, value and
        disposition, whatever the other open questions are answered."""
        settled: list[tuple[dict[Question, str], Settled]] = []
        for values in self._completions():
            decision = decide(
                self.policy, self.inspected, self._policy_answers(values.get), self.today
            )
            if decision.outcome in PAID:
                self._skipped = frozenset()
                return
            settled.append((values, (decision.outcome, decision.final_cents, decision.disposition)))
        skipped: set[Question] = set()
        for group in self._open_groups():
            if group[0] in RECORD_NEEDS:
                continue
            seen: dict[tuple[str | None, ...], Settled] = {}
            others = [q for q in ORDER if q not in group]
            if all(
                seen.setdefault(tuple(values.get(q) for q in others), outcome) == outcome
                for values, outcome in settled
            ):
                skipped.update(group)
        # Once one of the data's answers is changed, the others are still kept with the
        # same key: the step stays on show until then, rather than vanish under the hand.
        for step in self.steps:
            if step.facts and any(self._given(q) for q in step.questions):
                skipped.difference_update(step.questions)
        self._skipped = frozenset(skipped)

    def _completions(self) -> Iterator[dict[Question, str]]:
        """Every way the open questions could still be answered, follow-ups included; the
        answers that find nothing wrong first."""
        given = {q: r.value for q, r in self._answers.items() if self._given(q)}

        def walk(index: int, values: dict[Question, str]) -> Iterator[dict[Question, str]]:
            if index == len(ORDER):
                yield values
                return
            question = ORDER[index]
            if question in values or not self._applies(question, values.get):
                yield from walk(index + 1, values)
                return
            first = NOTHING_FOUND.get(question)
            tried = sorted(valid_values(question), key=lambda value: value != first)
            for value in tried:
                yield from walk(index + 1, {**values, question: value})

        yield from walk(0, given)

    def _open_groups(self) -> Iterator[tuple[Question, ...]]:
        """Each open question with the follow-ups its answer opens: what one skip drops."""
        for question in ORDER:
            parent = FOLLOWS.get(question)
            if parent is not None and self._open(parent):
                continue  # part of its parent's group
            if self._open(question):
                follow_ups = tuple(f for f, p in FOLLOWS.items() if p is question)
                yield (question, *follow_ups)

    def _policy_answers(self, value: ValueOf) -> Answers:
        """Answers as facts for the policy; a question not asked counts as finding
        nothing (`wiped`, `serial_matches` and `grade` stay None when they do not apply)."""

        def yes(question: Question) -> bool:
            return value(question) == YES

        serial, wiped = value(Question.SERIAL_MATCHES), value(Question.WIPED)
        defect, grade = value(Question.DEFECT), value(Question.GRADE)
        return Answers(
            model_listed=value(Question.MODEL_LISTED) != NO,
            older_than_limit=yes(Question.OLDER_THAN_LIMIT),
            broken=yes(Question.BROKEN),
            dirty=yes(Question.DIRTY),
            factory_reset=yes(Question.FACTORY_RESET),
            owned_outright=value(Question.OWNED_OUTRIGHT) != NO,
            serial_matches=None if serial is None else serial == YES,
            defects=(Defect(defect),) if defect else (),
            wiped=None if wiped is None else wiped == YES,
            grade=Grade(grade) if grade else None,
        )

    # -- the result ---------------------------------------------------------------------

    def to_answers(self) -> Answers:
        """The finished checklist as facts for the policy engine. A skipped question
        counts as finding nothing: it cannot change the outcome, and it adds no reason."""
        if not self.complete:
            raise ChecklistError("The checklist is not finished")

        def value(question: Question) -> str | None:
            if question in self._skipped and self._open(question):
                return NOTHING_FOUND.get(question)
            return self._given(question)

        return self._policy_answers(value)
