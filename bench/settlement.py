"""What a request settles for, and when it can be paid: the refund or the discount code.

The portal pays from central's view `request_settlements` (central migration 0006); the
request screen shows the same status and amount from what the bench knows, so the
inspector sees what the customer will get. Both follow the rules below, and a property
test holds the two to the same answers (tests/store/test_settlements.py). Pure: no UI, no
database.

* An item's latest inspections are those no other inspection supersedes (a supervisor's
  reopen); the bench knows its own, one per item. Two latest inspections of one item are
  a conflict: the item counts as held and pays nothing until a supervisor settles it.
* The amount is the sum of the accepted and revised items' values (`final_cents`); for
  trade-in credit, one discount code of that less the request's shipping cost, never
  below 0; trade-up and graded refund the sum. Rejects and holds pay nothing.
* Status: `pending` until every item is inspected (a request with no items stays
  pending: there is nothing to pay); then `on_hold` while an item is held; then
  `awaiting_customer` until the last day a customer may reject a revised quote has
  passed; then `ready`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bench.domain import Decision, Outcome, ProgramKind
from bench.money import dollars
from bench.policy import aggregate_credit_cents

__all__ = ["Settlement", "SettlementKind", "SettlementStatus", "described", "settle"]


class SettlementKind(StrEnum):
    REFUND = "refund"
    DISCOUNT_CODE = "discount_code"


class SettlementStatus(StrEnum):
    PENDING = "pending"
    ON_HOLD = "on_hold"
    AWAITING_CUSTOMER = "awaiting_customer"
    READY = "ready"


@dataclass(frozen=True)
class Settlement:
    """One request's settlement: central's `request_settlements` row, as the bench sees it.

    `confirmed_cents` is what the accepted and revised items are worth, `shipping_cents`
    what is deducted from it (the shipping cost for a discount code, else 0);
    `awaiting_until` the last day a customer may reject a revised quote.
    """

    kind: SettlementKind
    items: int
    items_inspected: int
    items_held: int
    items_revised: int
    confirmed_cents: int
    shipping_cents: int
    amount_cents: int
    status: SettlementStatus
    awaiting_until: date | None


def settle(
    kind: ProgramKind,
    shipping_cost_cents: int,
    item_ids: Collection[str],
    latest: Iterable[tuple[str, Decision]],
    today: date,
) -> Settlement:
    """The settlement of a request with these items, from the latest decision of each
    inspected item (item id, decision): two for one item are a conflict. Decisions of
    items not in `item_ids` are not the request's and count for nothing."""
    by_item: dict[str, list[Decision]] = {item: [] for item in item_ids}
    for item_id, decision in latest:
        if item_id in by_item:
            by_item[item_id].append(decision)
    inspected = [decisions for decisions in by_item.values() if decisions]
    settled = [decisions[0] for decisions in inspected if len(decisions) == 1]
    conflicts = len(inspected) - len(settled)
    revised = [d for d in settled if d.outcome is Outcome.REVISE]
    due = [d.response_due_on for d in revised if d.response_due_on is not None]
    discount = kind is ProgramKind.TRADE_IN_CREDIT
    shipping = shipping_cost_cents if discount else 0
    held = conflicts + sum(d.outcome is Outcome.HOLD for d in settled)
    awaiting_until = max(due, default=None)
    if not by_item or len(inspected) < len(by_item):
        status = SettlementStatus.PENDING
    elif held:
        status = SettlementStatus.ON_HOLD
    elif awaiting_until is not None and today <= awaiting_until:
        status = SettlementStatus.AWAITING_CUSTOMER
    else:
        status = SettlementStatus.READY
    return Settlement(
        kind=SettlementKind.DISCOUNT_CODE if discount else SettlementKind.REFUND,
        items=len(by_item),
        items_inspected=len(inspected),
        items_held=held,
        items_revised=len(revised),
        confirmed_cents=aggregate_credit_cents(settled, 0),
        shipping_cents=shipping,
        amount_cents=aggregate_credit_cents(settled, shipping),
        status=status,
        awaiting_until=awaiting_until,
    )


def described(settlement: Settlement) -> str:
    """The settlement in one line for the request screen: "refund $9.24 · ready",
    "2 of 3 inspected · refund so far $9.24", "on hold: 1 item held for review"."""
    s = settlement
    held = f"{_items(s.items_held)} held for review"
    if s.status is SettlementStatus.PENDING:
        if not s.items:
            return "nothing to settle: the request has no items"
        progress = f"{s.items_inspected} of {s.items} inspected"
        if s.items_held:
            # What a supervisor decides may change the amount: none is promised yet.
            return f"{progress} · {held}"
        if not s.items_inspected:
            return progress
        return f"{progress} · {_amount(s, so_far=True)}"
    if s.status is SettlementStatus.ON_HOLD:
        return f"on hold: {held}"
    if s.status is SettlementStatus.AWAITING_CUSTOMER:
        until = s.awaiting_until
        assert until is not None, "awaiting the customer without a revised quote"
        return f"{_amount(s)} · awaiting the customer until {until.day} {until:%b}"
    return f"{_amount(s)} · ready"


def _amount(s: Settlement, *, so_far: bool = False) -> str:
    if s.kind is SettlementKind.REFUND:
        if so_far:
            return f"refund so far {dollars(s.amount_cents)}"
        return f"refund {dollars(s.amount_cents)}" if s.amount_cents else "nothing to refund"
    shipping = dollars(s.shipping_cents)
    if so_far:
        return f"discount code so far {dollars(s.amount_cents)} after {shipping} shipping"
    if s.amount_cents:
        return f"discount code of {dollars(s.amount_cents)} after {shipping} shipping"
    if not s.confirmed_cents:
        return "no discount code: no item accepted"
    items = dollars(s.confirmed_cents)
    return f"no discount code: the {shipping} shipping uses up the {items} of items"


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"
