"""The policy engine: what a program's rules decide for one inspected device.

Why this exists: a program's policy is data (`ProgramPolicy`), and the money, the label
printed and the reason codes central reads all follow from it. Putting every rule in one
pure, deterministic function keeps the screens free of rule branches, lets the bench
decide offline, and makes the rules testable as a table. Pure Python: no UI, no database.

`decide(policy, item, answers, today)` collects reason codes, then picks the outcome by
precedence:

* any HOLD reason   -> `hold`,   0 cents, disposition `hold`;
* else any REJECT   -> `reject`, 0 cents, disposition `policy.ineligible_disposition`;
* else any REVISE   -> `revise`;
* else              -> `accept`.

Every collected reason is returned (a held device also shows why it would have been
rejected), without duplicates, in the order of the `Reason` enum. Informational reasons
(WIPED_AT_BENCH, VALUE_CAPPED) never change the outcome.

HOLD reasons, every program kind:

* `serial_matches is False`                               -> SERIAL_MISMATCH
* the device resolved to a catalog model other than the declared one -> WRONG_ITEM
* `wiped is False` (not reset and the bench wipe failed)  -> WIPE_FAILED; also when the
  device was not factory reset and no wipe is recorded (`wiped is None`): customer data
  must never leave the bench on a device.
* trade-up / trade-in credit: `today` later than the request's creation date +
  `ship_window_days`                                      -> ARRIVED_LATE
* graded: `today` later than the quote date + `quote_valid_days` -> QUOTE_EXPIRED
* `owned_outright is False` -> NOT_OWNED: HOLD for trade-up / trade-in credit (suspected
  fraud, held for review), but REJECT for graded (leased devices are not eligible and go
  back to the customer).

Trade-up and trade-in credit (these never revise):

* REJECT: model not listed (or unidentified) -> MODEL_NOT_LISTED; older than the limit
  -> TOO_OLD; broken -> BROKEN; dirty -> DIRTY.
* accept pays exactly the item's offer; disposition refurbish.

Graded:

* REJECT with OTHER_BRAND: the device resolved to no catalog model, the model is not
  listed, or its brand differs from `policy.brand` (case-insensitive; a graded policy
  with no brand restricts nothing). Age never rejects: value declines by year.
* Value (integer cents, computed exactly and floored once, then clamped to >= 0):
  base_value_cents x grade_percents[grade] (no grade -> D)
  x max(0, 100 - age_step_percent x years since the model's release year)
  x broken_percent (if broken) x dirty_percent (if dirty), each a percent.
* The declared condition maps to a grade rank: like_new A(0), good B(1), fair C(2),
  poor D(3), broken (4). The observed rank is the grade's rank, or 4 when broken, plus
  one when dirty (dirty counts as one grade worse). Observed rank <= declared rank:
  accept and pay the offer. Otherwise revise with CONDITION_DIFFERS (plus BROKEN and
  DIRTY when they apply: for graded they are revise reasons, not reject reasons) and pay
  min(computed value, offer): a revision never pays more than the quote.
* Disposition for accept and revise: refurbish, except broken devices -> recycle.

Every kind:

* not factory reset and wiped at the bench -> WIPED_AT_BENCH (informational).
* Whatever is paid is capped at `value_cap_cents` when set; VALUE_CAPPED is added when
  the cap is what lowered the amount paid.

Invariants: final_cents >= 0; final_cents <= value_cap_cents when set; reject and hold
pay 0; the same inputs give the same Decision.

The request rules live here too: `request_problems`, `arrived_late`, `quote_expired`,
`older_than_limit`, `aggregate_credit_cents`, `revised_quote_due` and `with_response_due`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bench.domain import (
    Answers,
    CatalogModel,
    Condition,
    Decision,
    Disposition,
    Grade,
    InspectedItem,
    Outcome,
    ProgramKind,
    ProgramPolicy,
    Reason,
    Request,
    RequestItem,
)
from bench.workdays import add_working_days

__all__ = [
    "aggregate_credit_cents",
    "arrived_late",
    "decide",
    "graded_value_cents",
    "older_than_limit",
    "quote_expired",
    "request_problems",
    "revised_quote_due",
    "with_response_due",
]

# Stable output order: the order the Reason enum declares, which central also reads.
_REASON_ORDER: dict[Reason, int] = {reason: i for i, reason in enumerate(Reason)}

_GRADE_RANK: dict[Grade, int] = {Grade.A: 0, Grade.B: 1, Grade.C: 2, Grade.D: 3}
# Broken sits one step below D, so a broken declaration covers any working device.
_BROKEN_RANK = 4
_DECLARED_RANK: dict[Condition, int] = {
    Condition.LIKE_NEW: _GRADE_RANK[Grade.A],
    Condition.GOOD: _GRADE_RANK[Grade.B],
    Condition.FAIR: _GRADE_RANK[Grade.C],
    Condition.POOR: _GRADE_RANK[Grade.D],
    Condition.BROKEN: _BROKEN_RANK,
}

_CONFIRMED = frozenset({Outcome.ACCEPT, Outcome.REVISE})


@dataclass
class _Findings:
    """Reasons sorted by the effect they have on the outcome."""

    hold: set[Reason] = field(default_factory=set)
    reject: set[Reason] = field(default_factory=set)
    revise: set[Reason] = field(default_factory=set)
    info: set[Reason] = field(default_factory=set)

    def all_reasons(self) -> tuple[Reason, ...]:
        every = self.hold | self.reject | self.revise | self.info
        return tuple(sorted(every, key=_REASON_ORDER.__getitem__))


def _past_deadline(start: datetime, days: int, today: date) -> bool:
    # The deadline is a whole day: arriving on the last day of the window is on time.
    # `start` is timezone-aware; its calendar date is taken in its own offset.
    return today > start.date() + timedelta(days=days)


def arrived_late(policy: ProgramPolicy, request: Request, today: date) -> bool:
    """True when the package came in after the program's ship window closed.

    The ship window (seed 001: "within fourteen (14) days of submitting your Order")
    binds trade-up and trade-in credit requests. Graded programs have no ship window:
    their time limit is each item's quote validity (see `quote_expired`), so this is
    always False for them.
    """
    return _ship_window_passed(policy, request.created_at, today)


def _ship_window_passed(policy: ProgramPolicy, created_at: datetime, today: date) -> bool:
    if policy.kind is ProgramKind.GRADED:
        return False
    return _past_deadline(created_at, policy.ship_window_days, today)


def quote_expired(policy: ProgramPolicy, item: RequestItem, today: date) -> bool:
    """True when a graded quote is past its validity (seed 002: "valid for 14 days").

    Always False for trade-up and trade-in credit programs: their offers are bound by
    the ship window instead (see `arrived_late`).
    """
    if policy.kind is not ProgramKind.GRADED:
        return False
    return _past_deadline(item.quoted_at, policy.quote_valid_days, today)


def older_than_limit(policy: ProgramPolicy, bought_or_made_on: date, today: date) -> bool:
    """True when the device was bought (or made) more than `max_age_years` ago.

    For pre-filling the checklist's age question. Exactly N years ago is not "more than":
    the device is still eligible on its Nth anniversary. A 29 February date has its
    anniversary on 28 February in common years.
    """
    years = policy.max_age_years
    try:
        anniversary = bought_or_made_on.replace(year=bought_or_made_on.year + years)
    except ValueError:  # 29 February -> a common year
        anniversary = bought_or_made_on.replace(year=bought_or_made_on.year + years, day=28)
    return today > anniversary


def graded_value_cents(
    policy: ProgramPolicy,
    model: CatalogModel,
    grade: Grade | None,
    *,
    broken: bool,
    dirty: bool,
    today: date,
) -> int:
    """A graded program's value for a device, in cents, before the program's cap.

    All percentages are multiplied as integers and divided once, so the result is the
    exact value floored (never rounded up), then clamped to >= 0. See the module
    docstring for the formula.
    """
    percent = policy.grade_percents[grade if grade is not None else Grade.D]
    years = max(0, today.year - model.released_on.year)
    age_factor = max(0, 100 - policy.age_step_percent * years)
    numerator = model.base_value_cents * percent * age_factor
    denominator = 100 * 100
    if broken:
        numerator *= policy.broken_percent
        denominator *= 100
    if dirty:
        numerator *= policy.dirty_percent
        denominator *= 100
    return max(0, numerator // denominator)


def brand_taken(model_brand: str, program_brand: str | None) -> bool:
    """A graded program takes a model of its brand (any case); no brand takes any."""
    if program_brand is None:
        return True
    return model_brand.strip().casefold() == program_brand.strip().casefold()


def _wrong_item(item: InspectedItem) -> bool:
    """The device is a known model, but not the one the customer declared."""
    seen, declared = item.model, item.declared_model
    return seen is not None and seen.sku != declared.sku and seen.name != declared.name


def _collect_common(
    policy: ProgramPolicy, item: InspectedItem, answers: Answers, today: date, f: _Findings
) -> None:
    """Reasons every program kind shares."""
    if answers.serial_matches is False:
        f.hold.add(Reason.SERIAL_MISMATCH)
    if _wrong_item(item):
        f.hold.add(Reason.WRONG_ITEM)
    if answers.wiped is False or (not answers.factory_reset and answers.wiped is None):
        f.hold.add(Reason.WIPE_FAILED)
    if not answers.factory_reset and answers.wiped is True:
        f.info.add(Reason.WIPED_AT_BENCH)
    if _ship_window_passed(policy, item.request_created_at, today):
        f.hold.add(Reason.ARRIVED_LATE)
    if quote_expired(policy, item.item, today):
        f.hold.add(Reason.QUOTE_EXPIRED)
    if not answers.owned_outright:
        # Graded: leased devices are simply not eligible (returned). Elsewhere a device
        # the customer does not own is suspected fraud: held for review.
        target = f.reject if policy.kind is ProgramKind.GRADED else f.hold
        target.add(Reason.NOT_OWNED)


def _collect_fixed_offer(item: InspectedItem, answers: Answers, f: _Findings) -> int:
    """Trade-up and trade-in credit: eligible or not; the offer is paid as quoted."""
    if not answers.model_listed or item.model is None:
        f.reject.add(Reason.MODEL_NOT_LISTED)
    if answers.older_than_limit:
        f.reject.add(Reason.TOO_OLD)
    if answers.broken:
        f.reject.add(Reason.BROKEN)
    if answers.dirty:
        f.reject.add(Reason.DIRTY)
    return item.item.offer_cents


def _collect_graded(
    policy: ProgramPolicy, item: InspectedItem, answers: Answers, today: date, f: _Findings
) -> int:
    """Graded: any model of the brand; a worse condition than declared revises the value.

    Returns what would be paid before the cap (meaningless when rejected or held).
    """
    model = item.model
    if model is None or not answers.model_listed or not brand_taken(model.brand, policy.brand):
        f.reject.add(Reason.OTHER_BRAND)

    grade = answers.grade if answers.grade is not None else Grade.D
    observed = (_BROKEN_RANK if answers.broken else _GRADE_RANK[grade]) + int(answers.dirty)
    declared = _DECLARED_RANK[item.item.declared_condition]
    offer = item.item.offer_cents
    if observed <= declared:
        # As described or better: the quote stands.
        return offer

    f.revise.add(Reason.CONDITION_DIFFERS)
    if answers.broken:
        f.revise.add(Reason.BROKEN)
    if answers.dirty:
        f.revise.add(Reason.DIRTY)
    if model is None:
        return 0  # rejected as OTHER_BRAND above; there is nothing to value
    value = graded_value_cents(
        policy, model, answers.grade, broken=answers.broken, dirty=answers.dirty, today=today
    )
    # A revision never pays more than the quote.
    return min(value, offer)


def decide(policy: ProgramPolicy, item: InspectedItem, answers: Answers, today: date) -> Decision:
    """The outcome, value, disposition and reasons for one inspected item.

    Pure and deterministic; `today` is the inspection's local date. See the module
    docstring for the rules.
    """
    f = _Findings()
    _collect_common(policy, item, answers, today, f)
    if policy.kind is ProgramKind.GRADED:
        candidate = _collect_graded(policy, item, answers, today, f)
    else:
        candidate = _collect_fixed_offer(item, answers, f)

    if f.hold:
        return Decision(Outcome.HOLD, 0, Disposition.HOLD, f.all_reasons())
    if f.reject:
        return Decision(Outcome.REJECT, 0, policy.ineligible_disposition, f.all_reasons())

    # Bad data (a negative offer) must never turn into a charge to the customer.
    paid = max(0, candidate)
    cap = policy.value_cap_cents
    if cap is not None and paid > cap:
        paid = max(0, cap)
        f.info.add(Reason.VALUE_CAPPED)
    outcome = Outcome.REVISE if f.revise else Outcome.ACCEPT
    # A broken device is not worth refurbishing; its parts are recycled.
    disposition = Disposition.RECYCLE if answers.broken else Disposition.REFURBISH
    return Decision(outcome, paid, disposition, f.all_reasons())


def request_problems(policy: ProgramPolicy, request: Request) -> list[str]:
    """What is wrong with a request as a whole, as sentences for the inspector.

    An empty list means the request's shape is fine. Checks: the request belongs to this
    program; it has items; trade-up is one old item for one new item ("no stacking");
    other programs take at most `max_items` items per request.
    """
    problems: list[str] = []
    count = len(request.items)
    if request.program_code != policy.code:
        problems.append(
            f"request {request.id} belongs to program {request.program_code}, not {policy.code}"
        )
    if policy.kind is ProgramKind.TRADE_UP and count != 1:
        # Checked instead of max_items: one-for-one is the rule the customer agreed to.
        problems.append(
            f"trade-up is one old item for one new item (no stacking); "
            f"request {request.id} has {count}"
        )
    elif count == 0:
        problems.append(f"request {request.id} has no items")
    elif count > policy.max_items:
        problems.append(
            f"request {request.id} has {count} items; "
            f"program {policy.code} takes at most {policy.max_items}"
        )
    return problems


def aggregate_credit_cents(decisions: Iterable[Decision], shipping_cost_cents: int) -> int:
    """One credit for a request: confirmed items' values less shipping, never below 0.

    Confirmed items are those accepted or revised (seed 001: the Discount Code is "the
    aggregate Offer Price ... less any Shipping Costs"); rejected and held items add
    nothing. A negative shipping cost is refused rather than silently paid out.
    """
    if shipping_cost_cents < 0:
        raise ValueError(f"shipping cost must be >= 0 cents, got {shipping_cost_cents}")
    confirmed = sum(d.final_cents for d in decisions if d.outcome in _CONFIRMED)
    return max(0, confirmed - shipping_cost_cents)


def revised_quote_due(
    notified_on: date, policy: ProgramPolicy, country: str, subdivision: str | None = None
) -> date:
    """The last day the customer may reject a revised quote; silence after it accepts.

    Seed 002: "within 5 working days after we notify you" -> notified_on plus
    `revise_response_working_days` working days (weekends and public holidays of
    `country` / `subdivision` skipped). Raises ValueError for an unknown country.
    """
    return add_working_days(notified_on, policy.revise_response_working_days, country, subdivision)


def with_response_due(
    decision: Decision,
    policy: ProgramPolicy,
    notified_on: date,
    country: str,
    subdivision: str | None = None,
) -> Decision:
    """`decision` with its `response_due_on` when it revises the quote, else unchanged.

    Only a revision asks the customer anything; an accept, reject or hold keeps None so
    central's settlement never waits on a customer who was not asked.
    """
    if decision.outcome is not Outcome.REVISE:
        return decision
    due = revised_quote_due(notified_on, policy, country, subdivision)
    return replace(decision, response_due_on=due)
