"""Blind second gradings: which inspections are graded again, and how well graders agree.

A share of finished inspections (`[grading] second_share`) is graded a second time by
another inspector who does not see the first answers. The first inspection is the one
that counts for the customer; the second is only compared with it. Which inspection is
picked is decided from its own random id, so the pick is random yet the same on every
reading (and in a test).

The comparison, for each question both graders answered (a question the checklist did
not ask one of them, because it could not change the outcome, is not compared), and for
the outcome itself (`OUTCOME`):

* the plain agreement rate: the share of pairs that gave the same answer;
* Cohen's kappa: agreement beyond what chance would give, from how often each grader
  gives each answer. 1 means always the same; 0 no better than chance; below 0 worse.
  It is None when chance alone accounts for all of it (both graders always gave one
  and the same answer): then it says nothing, and the rate says it all.

Per inspector (as first grader, and as second), the agreement rate over every answer of
theirs compared. Pure: no UI, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

OUTCOME = "outcome"
"""The pseudo-question under which the two inspections' outcomes are compared."""

EXPLANATION = (
    "Each row compares the first inspection of an item with its blind second grading by "
    "another inspector. Agree is the share of pairs with the same answer. Kappa corrects "
    "that for chance: 1 = they always agree, 0 = no better than chance (two graders who "
    "answer 'no' nine times in ten agree often by luck), below 0 = worse than chance; "
    "'—' when both always gave one answer, so chance explains it all. Roughly: above 0.8 "
    "is strong, 0.4 to 0.8 fair, below 0.4 means graders read the question differently. "
    "Only questions both were asked are compared; the first inspection is what counts."
)

_SPACE = 2**32

GRADING_WINDOW = timedelta(days=30)
"""How far back the supervisor's Grading tab looks."""


def picked_for_second_grading(inspection_id: str, share: float) -> bool:
    """Whether an inspection is graded again: its id's first 8 hex digits, read as a
    fraction of 2^32, below `share`. An id is a random UUID, so about `share` of them are;
    0 picks none and 1 picks every one."""
    digits = inspection_id.replace("-", "")[:8]
    return int(digits, 16) / _SPACE < share


class Grader(StrEnum):
    FIRST = "first"
    SECOND = "second"


@dataclass(frozen=True)
class Graded:
    """One side of a pair: an inspection, who did it, its answers and what it decided."""

    inspection_id: str
    inspector_id: str
    answers: Mapping[str, str]
    """Question -> the answer that counts (the latest given)."""
    outcome: str
    final_cents: int

    def compared(self) -> Mapping[str, str]:
        """What is compared: every answer, and the outcome."""
        return {**self.answers, OUTCOME: self.outcome}


@dataclass(frozen=True)
class GradingPair:
    """An item's first inspection and its second grading."""

    item_id: str
    first: Graded
    second: Graded


@dataclass(frozen=True)
class QuestionAgreement:
    question: str
    compared: int
    agreed: int
    kappa: float | None

    @property
    def rate(self) -> float:
        return self.agreed / self.compared if self.compared else 0.0


@dataclass(frozen=True)
class InspectorAgreement:
    inspector_id: str
    role: Grader
    pairs: int
    compared: int
    agreed: int

    @property
    def rate(self) -> float:
        return self.agreed / self.compared if self.compared else 0.0


@dataclass(frozen=True)
class Comparison:
    """One question of one pair, compared: a row of `bench report grading`."""

    pair: GradingPair
    question: str
    first_answer: str
    second_answer: str

    @property
    def agree(self) -> bool:
        return self.first_answer == self.second_answer


@dataclass(frozen=True)
class Agreement:
    pairs: int
    questions: tuple[QuestionAgreement, ...]
    inspectors: tuple[InspectorAgreement, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def disagreements(self) -> tuple[Comparison, ...]:
        """What to look at: every answer (and outcome) the two graders gave differently."""
        return tuple(c for c in self.comparisons if not c.agree)


def latest_answers(answers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(question, value) in recording order -> the answer that counts for each question."""
    return dict(answers)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of (first, second) answers; None when there are none, or when chance
    agreement is total (both graders always gave the same single answer)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    firsts, seconds = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(firsts[k] * seconds[k] for k in firsts) / (n * n)
    if chance >= 1:
        return None
    return (observed - chance) / (1 - chance)


def compare(pairs: Iterable[GradingPair]) -> tuple[Comparison, ...]:
    """Every question both sides answered (and the outcome), pair by pair, in question
    order of the first inspection."""
    found = []
    for pair in pairs:
        first, second = pair.first.compared(), pair.second.compared()
        for question, answer in first.items():
            if question in second:
                found.append(Comparison(pair, question, answer, second[question]))
    return tuple(found)


def agreement(pairs: Sequence[GradingPair]) -> Agreement:
    comparisons = compare(pairs)
    by_question: dict[str, list[tuple[str, str]]] = {}
    for c in comparisons:
        by_question.setdefault(c.question, []).append((c.first_answer, c.second_answer))
    questions = tuple(
        QuestionAgreement(q, len(answers), sum(a == b for a, b in answers), cohen_kappa(answers))
        for q, answers in sorted(by_question.items(), key=lambda kv: (kv[0] == OUTCOME, kv[0]))
    )
    return Agreement(len(pairs), questions, _per_inspector(pairs, comparisons), comparisons)


def _per_inspector(
    pairs: Sequence[GradingPair], comparisons: Sequence[Comparison]
) -> tuple[InspectorAgreement, ...]:
    rows = []
    for role in Grader:

        def who(pair: GradingPair, role: Grader = role) -> str:
            return (pair.first if role is Grader.FIRST else pair.second).inspector_id

        ids = sorted({who(p) for p in pairs})
        for inspector in ids:
            mine = [c for c in comparisons if who(c.pair) == inspector]
            rows.append(
                InspectorAgreement(
                    inspector,
                    role,
                    sum(who(p) == inspector for p in pairs),
                    len(mine),
                    sum(c.agree for c in mine),
                )
            )
    return tuple(rows)


@dataclass(frozen=True)
class SecondGradingWaiting:
    """An inspection picked at this bench for a blind second grading, not graded again yet
    (central cannot tell: the pick is this bench's `second_grading_due` audit entry)."""

    item_id: str
    inspection_id: str
    first_inspector_id: str
    picked_at: datetime


@dataclass(frozen=True)
class GradingFigures:
    """The agreement of the second gradings finished in [since, as_of), from `source`."""

    agreement: Agreement
    source: str
    as_of: datetime
    since: datetime
    unreachable: str | None = None
    """Why central could not be read, when these are this bench's figures in its stead."""
    waiting: tuple[SecondGradingWaiting, ...] = ()
    """Picked at this bench and waiting for their second grading, oldest first."""
