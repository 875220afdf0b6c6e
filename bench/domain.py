"""The warehouse's words as types: programs, catalog models, requests, items, answers, outcomes.

Everything here is plain data (frozen dataclasses and string enums) so the policy engine,
the checklist and the store can share it without importing a UI or a database.
Money is always integer cents; timestamps are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class ProgramKind(StrEnum):
    TRADE_UP = "trade_up"
    TRADE_IN_CREDIT = "trade_in_credit"
    GRADED = "graded"


class Condition(StrEnum):
    """A declared condition, as the customer chose it on the portal, best first."""

    LIKE_NEW = "like_new"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    BROKEN = "broken"


class Grade(StrEnum):
    """Cosmetic grade given at the bench (graded programs only), best first."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Defect(StrEnum):
    CRACKED = "cracked"
    NO_POWER = "no_power"
    WATER = "water"
    MISSING_PARTS = "missing_parts"


class IdentifiedBy(StrEnum):
    """How the device in hand was matched to its item: a dispute turns on it."""

    SCAN = "scan"
    HAND = "hand"  # picked from the request's list: its label could not be read


class Outcome(StrEnum):
    ACCEPT = "accept"
    REVISE = "revise"
    REJECT = "reject"
    HOLD = "hold"


class Disposition(StrEnum):
    REFURBISH = "refurbish"
    RECYCLE = "recycle"
    RETURN = "return"
    HOLD = "hold"


class Role(StrEnum):
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    CREDITED = "credited"
    CANCELLED = "cancelled"


class Reason(StrEnum):
    """Reason codes stored on an inspection; stable strings, central reads them."""

    MODEL_NOT_LISTED = "model_not_listed"
    OTHER_BRAND = "other_brand"
    TOO_OLD = "too_old"
    BROKEN = "broken"
    DIRTY = "dirty"
    SERIAL_MISMATCH = "serial_mismatch"
    NOT_OWNED = "not_owned"
    ARRIVED_LATE = "arrived_late"
    QUOTE_EXPIRED = "quote_expired"
    CONDITION_DIFFERS = "condition_differs"
    WIPED_AT_BENCH = "wiped_at_bench"
    WIPE_FAILED = "wipe_failed"
    VALUE_CAPPED = "value_capped"
    WRONG_ITEM = "wrong_item"


GRADE_MEANINGS: Mapping[Grade, str] = {
    Grade.A: "like new: no marks on the screen or the body",
    Grade.B: "good: light wear, fine scratches seen only up close",
    Grade.C: "fair: scratches or scuffs seen at arm's length; no cracks",
    Grade.D: "poor: deep scratches, dents or heavy wear; it still works",
}
"""What each cosmetic grade means, so two inspectors grade alike; the words match the
conditions a customer declares (like new is A ... poor is D)."""


@dataclass(frozen=True)
class ProgramPolicy:
    """One program's rules, as data (central table `programs`, overridable in config).

    The graded-value fields are only read for graded programs: value = base value of the
    model x grade percent, less `age_step_percent` per year since the model's release,
    x `broken_percent` / `dirty_percent` when those apply, capped at `value_cap_cents`.
    `grade_meanings` is what the grade question shows for each grade.
    """

    code: str
    name: str
    kind: ProgramKind
    max_items: int
    max_age_years: int
    ship_window_days: int
    quote_valid_days: int
    revise_response_working_days: int
    ineligible_disposition: Disposition
    value_cap_cents: int | None = None
    brand: str | None = None
    grade_percents: Mapping[Grade, int] = field(
        default_factory=lambda: {Grade.A: 100, Grade.B: 80, Grade.C: 55, Grade.D: 30}
    )
    broken_percent: int = 15
    dirty_percent: int = 85
    age_step_percent: int = 10
    grade_meanings: Mapping[Grade, str] = field(default_factory=lambda: dict(GRADE_MEANINGS))


@dataclass(frozen=True)
class CatalogModel:
    sku: str
    program_code: str
    brand: str
    name: str
    released_on: date
    base_value_cents: int
    has_storage: bool
    gtins: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """The model as the warehouse says it: its name, with the brand in front only when
        the name lacks it ("Amazfit GTR 2" stays; Garmin's "Venu" reads "Garmin Venu")."""
        name, brand = self.name.casefold().split(), self.brand.casefold().split()
        named = any(name[i : i + len(brand)] == brand for i in range(len(name)))
        return self.name if named or not brand else f"{self.brand.strip()} {self.name}"


@dataclass(frozen=True)
class RequestItem:
    id: str
    request_id: str
    sku: str
    declared_condition: Condition
    offer_cents: int
    quoted_at: datetime
    declared_serial: str | None = None
    purchased_on: date | None = None


@dataclass(frozen=True)
class Request:
    id: str
    program_code: str
    customer_ref: str
    created_at: datetime
    shipping_cost_cents: int
    status: RequestStatus
    tracking_number: str | None = None
    items: tuple[RequestItem, ...] = ()


@dataclass(frozen=True)
class Inspector:
    id: str
    name: str
    role: Role
    active: bool = True


@dataclass(frozen=True)
class InspectedItem:
    """What the policy needs to know about the device on the bench besides the answers.

    `model` is the catalog model the scanned device resolved to (None when it resolved
    to nothing the catalog knows); `declared_model` is the model the customer declared.
    """

    item: RequestItem
    request_created_at: datetime
    declared_model: CatalogModel
    model: CatalogModel | None


@dataclass(frozen=True)
class Answers:
    """The finished checklist, as facts. None means the question was not asked.

    `serial_matches` is None when no serial was declared; `grade` is None for programs
    that do not grade; `wiped` is None when the device arrived factory reset.
    """

    model_listed: bool
    older_than_limit: bool
    broken: bool
    dirty: bool
    factory_reset: bool
    owned_outright: bool
    serial_matches: bool | None = None
    defects: tuple[Defect, ...] = ()
    wiped: bool | None = None
    grade: Grade | None = None


@dataclass(frozen=True)
class Decision:
    """What the program's policy decides for one inspected item.

    `response_due_on` is set for `revise` only: the last day the customer may reject the
    revised quote (silence after it accepts); `decide` leaves it None, the session adds it
    because only the station knows which public holidays count.
    """

    outcome: Outcome
    final_cents: int
    disposition: Disposition
    reasons: tuple[Reason, ...]
    response_due_on: date | None = None


class AnswerSource(StrEnum):
    PREFILLED = "prefilled"  # the data answered it and the inspector let it stand
    INSPECTOR = "inspector"  # the inspector answered a question the data could not
    OVERRIDDEN = "overridden"  # the inspector changed a pre-filled answer, with a reason


@dataclass(frozen=True)
class AnswerRecord:
    """One answer as recorded: who gave it, when, and where it came from.

    `question` is a `bench.checklist.Question` value; `value` is "yes"/"no", a grade
    letter or a defect code. Records are append-only: answering a question again after
    going back adds a record, and the latest one for a question counts.
    """

    question: str
    value: str
    source: AnswerSource
    inspector_id: str
    answered_at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class InspectionStarted:
    """An inspection that has begun: saved at once so it can be resumed after a crash."""

    id: str  # UUID4 as text; the primary key locally and centrally
    request_item_id: str
    station_id: str
    inspector_id: str
    started_at: datetime
    scanned_code: str  # empty when nothing was scanned (picked by hand)
    identified_sku: str | None
    identified_by: IdentifiedBy = IdentifiedBy.SCAN
    supersedes: str | None = None
    """The inspection this one replaces, when a supervisor reopened the item (its UUID)."""
    second_of: str | None = None
    """The inspection this one grades again, blind (its UUID): a second grading, which is
    only compared with it and never counts for the customer."""


@dataclass(frozen=True)
class UnfinishedInspection:
    started: InspectionStarted
    answers: tuple[AnswerRecord, ...]


@dataclass(frozen=True)
class FinishedInspection:
    """A confirmed inspection: written with its outbox row in one local transaction."""

    started: InspectionStarted
    finished_at: datetime
    answers: tuple[AnswerRecord, ...]
    grade: Grade | None
    wiped: bool
    decision: Decision


@dataclass(frozen=True)
class InspectionRecord:
    """A finished inspection as a supervisor reviews it in a dispute: the inspection as
    confirmed (every answer with who and when), and the one that replaced it after a
    reopen, if any (`done.started.supersedes` names the one it replaced)."""

    done: FinishedInspection
    superseded_by: str | None = None


ITEM_REOPENED = "item_reopened"
"""The audit event of a supervisor's reopen. Whether an item waits for a new inspection is
read from these entries: nothing is updated or deleted when an item is reopened."""


@dataclass(frozen=True)
class AuditLine:
    """One entry of the station's audit log: who did what, when, with its details."""

    at: datetime
    station_id: str
    inspector_id: str | None
    event: str
    detail: Mapping[str, Any]
