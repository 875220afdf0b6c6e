"""The eligibility checklist as a state machine, one question at a time.

The order is DESIGN.md's: identify (model listed, serial match), age, broken (and the main
defect), dirty, factory reset (and the bench wipe), cosmetic grade for graded programs,
owned outright. What the data already answers is pre-filled; the inspector lets it stand
or overrides it with a reason. Answers are append-only records, so replaying the records
of an unfinished inspection rebuilds the machine exactly where it was after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bench.domain import (
    AnswerRecord,
    Answers,
    AnswerSource,
    Defect,
    Grade,
    InspectedItem,
    ProgramKind,
    ProgramPolicy,
)
from bench.policy import brand_taken, older_than_limit

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


def prompt(question: Question, policy: ProgramPolicy) -> str:
    """The question as the inspector reads it: a plain yes/no question about a fact."""
    prompts = {
        Question.MODEL_LISTED: f"Is the model listed for {policy.name}?",
        Question.SERIAL_MATCHES: "Does the serial on the device match the declared serial?",
        Question.OLDER_THAN_LIMIT: f"Was it bought more than {policy.max_age_years} years ago?",
        Question.BROKEN: "Is it broken or damaged?",
        Question.DEFECT: "What is the main defect?",
        Question.DIRTY: "Is it dirty?",
        Question.FACTORY_RESET: "Was it factory reset?",
        Question.WIPED: "Wipe it now at the bench. Did the wipe succeed?",
        Question.GRADE: "What is its cosmetic grade?",
        Question.OWNED_OUTRIGHT: "Is it owned outright (not leased, not account-locked)?",
    }
    return prompts[question]


def kind_of(question: Question) -> AnswerKind:
    return KINDS.get(question, AnswerKind.YES_NO)


def valid_values(question: Question) -> tuple[str, ...]:
    kind = kind_of(question)
    if kind is AnswerKind.GRADE:
        return tuple(g.value for g in Grade)
    if kind is AnswerKind.DEFECT:
        return tuple(d.value for d in Defect)
    return (YES, NO)


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
        # The scan carried no model (a serial, an IMEI, a hand pick): the declared model is
        # presumed, and the inspector overrides when the device in hand is another one.
        presumed = found[Question.MODEL_LISTED]
        found[Question.MODEL_LISTED] = Prefill(
            presumed.value, f"{presumed.why} (declared; the scan carries no model)"
        )
    declared = item.item.declared_serial
    if declared and device.serial:
        matches = declared.strip().upper() == device.serial.strip().upper()
        found[Question.SERIAL_MATCHES] = Prefill(
            _yes_no(matches), f"declared {declared}, scanned {device.serial}"
        )
    if item.item.purchased_on is not None:
        age = _years_between(item.item.purchased_on, today)
        found[Question.OLDER_THAN_LIMIT] = Prefill(
            _yes_no(older_than_limit(policy, item.item.purchased_on, today)),
            f"purchased {item.item.purchased_on.isoformat()}, {age} years ago",
        )
    elif device.production_date is not None:
        age = _years_between(device.production_date, today)
        found[Question.OLDER_THAN_LIMIT] = Prefill(
            _yes_no(older_than_limit(policy, device.production_date, today)),
            f"produced {device.production_date.isoformat()}, {age} years ago",
        )
    return found


class ChecklistError(Exception):
    """An answer the current question cannot take; the message is for the inspector."""


class OverrideNeedsReason(ChecklistError):
    pass


class Checklist:
    """Where one inspection stands: the questions that apply, their answers, the cursor."""

    def __init__(
        self,
        policy: ProgramPolicy,
        prefilled: dict[Question, Prefill],
        declared_serial: str | None,
        records: Iterable[AnswerRecord] = (),
    ) -> None:
        self.policy = policy
        self.prefilled = prefilled
        self._asks_serial = bool(declared_serial)
        self._replay(records)

    def _replay(self, records: Iterable[AnswerRecord]) -> None:
        """Start from no answers, then give `records` again in order."""
        self._answers: dict[Question, AnswerRecord] = {}
        self._records: list[AnswerRecord] = []
        self._cursor: Question | None = self._applicable()[0]
        for record in records:
            self._apply(record)

    # -- what applies -------------------------------------------------------------------

    def _applies(self, question: Question) -> bool:
        graded = self.policy.kind is ProgramKind.GRADED
        if question is Question.SERIAL_MATCHES:
            return self._asks_serial
        if question is Question.OLDER_THAN_LIMIT:
            # Graded programs price by the model's year instead of refusing old devices.
            return not graded
        if question is Question.DEFECT:
            return self.value(Question.BROKEN) == YES
        if question is Question.WIPED:
            return self.value(Question.FACTORY_RESET) == NO
        if question is Question.GRADE:
            return graded
        return True

    def _applicable(self) -> list[Question]:
        return [q for q in ORDER if self._applies(q)]

    @property
    def questions(self) -> list[Question]:
        """The questions this inspection asks, in order, given the answers so far."""
        return self._applicable()

    @property
    def current(self) -> Question | None:
        """The question on screen, or None once every question is answered."""
        return self._cursor

    @property
    def complete(self) -> bool:
        return self._cursor is None

    @property
    def position(self) -> tuple[int, int]:
        """(number of the current question, how many questions) for "Question 3 of 7"."""
        questions = self._applicable()
        if self._cursor is None:
            return len(questions), len(questions)
        return questions.index(self._cursor) + 1, len(questions)

    @property
    def records(self) -> tuple[AnswerRecord, ...]:
        return tuple(self._records)

    def value(self, question: Question) -> str | None:
        record = self._answers.get(question)
        return record.value if record else None

    # -- moving -------------------------------------------------------------------------

    def answer(
        self, value: str, inspector_id: str, at: datetime, reason: str | None = None
    ) -> AnswerRecord:
        """Answer the current question; overriding a pre-filled answer needs a reason."""
        question = self._cursor
        if question is None:
            raise ChecklistError("Every question is answered: confirm or go back")
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
        record = AnswerRecord(
            question=question.value,
            value=value,
            source=source,
            inspector_id=inspector_id,
            answered_at=at,
            reason=reason if source is AnswerSource.OVERRIDDEN else None,
        )
        self._apply(record)
        return record

    def accept_prefill(self, inspector_id: str, at: datetime) -> AnswerRecord:
        """Let the data's answer stand (Enter, CMD:CONFIRM or CMD:SKIP)."""
        question = self._cursor
        prefill = self.prefilled.get(question) if question else None
        if prefill is None:
            raise ChecklistError("This question has no pre-filled answer: answer it")
        return self.answer(prefill.value, inspector_id, at)

    def forget_last(self) -> None:
        """Take the last answer back, as if it had never been given (it could not be
        stored): the checklist is what replaying the answers before it gives."""
        self._replay(self._records[:-1])

    def back(self) -> bool:
        """Go back one question; False when already at the first."""
        questions = self._applicable()
        if self._cursor is None:
            self._cursor = questions[-1]
            return True
        index = questions.index(self._cursor)
        if index == 0:
            return False
        self._cursor = questions[index - 1]
        return True

    def _apply(self, record: AnswerRecord) -> None:
        question = Question(record.question)
        self._answers[question] = record
        self._records.append(record)
        questions = self._applicable()
        later = questions[questions.index(question) + 1 :] if question in questions else []
        self._cursor = next((q for q in later if q not in self._answers), None)
        if self._cursor is None:
            # After going back and re-answering, resume at the first question still open.
            self._cursor = next((q for q in questions if q not in self._answers), None)

    # -- the result ---------------------------------------------------------------------

    def to_answers(self) -> Answers:
        """The finished checklist as facts for the policy engine."""
        if not self.complete:
            raise ChecklistError("The checklist is not finished")
        asked = set(self._applicable())

        def yes(question: Question) -> bool:
            return question in asked and self.value(question) == YES

        defect = self.value(Question.DEFECT) if Question.DEFECT in asked else None
        grade = self.value(Question.GRADE) if Question.GRADE in asked else None
        return Answers(
            model_listed=yes(Question.MODEL_LISTED),
            older_than_limit=yes(Question.OLDER_THAN_LIMIT),
            broken=yes(Question.BROKEN),
            dirty=yes(Question.DIRTY),
            factory_reset=yes(Question.FACTORY_RESET),
            owned_outright=yes(Question.OWNED_OUTRIGHT),
            serial_matches=yes(Question.SERIAL_MATCHES)
            if Question.SERIAL_MATCHES in asked
            else None,
            defects=(Defect(defect),) if defect else (),
            wiped=yes(Question.WIPED) if Question.WIPED in asked else None,
            grade=Grade(grade) if grade else None,
        )
