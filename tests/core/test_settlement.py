"""A request's settlement as the bench works it out (`bench.settlement`): the amount, the
status and the line the request screen shows, for every program kind. The same rules as
central's view `request_settlements`, which tests/store/test_settlements.py holds it to.
"""

from __future__ import annotations

from datetime import date

import pytest

from bench.domain import Decision, Disposition, Outcome, ProgramKind
from bench.settlement import Settlement, SettlementKind, SettlementStatus, described, settle

TODAY = date(2026, 12, 2)
ITEMS = ("TI-000002-01", "TI-000002-02", "TI-000002-03")


def accept(cents: int) -> Decision:
    return Decision(Outcome.ACCEPT, cents, Disposition.REFURBISH, ())


def revise(cents: int, due: date | None) -> Decision:
    return Decision(Outcome.REVISE, cents, Disposition.REFURBISH, (), due)


REJECT = Decision(Outcome.REJECT, 0, Disposition.RECYCLE, ())
HOLD = Decision(Outcome.HOLD, 0, Disposition.HOLD, ())


def credit(*decisions: Decision, shipping: int = 959) -> Settlement:
    """TI-000002 of the demo, a trade-in credit of three items, shipping $9.59."""
    latest = [(item, d) for item, d in zip(ITEMS, decisions, strict=False)]
    return settle(ProgramKind.TRADE_IN_CREDIT, shipping, ITEMS, latest, TODAY)


def graded(decision: Decision) -> Settlement:
    return settle(ProgramKind.GRADED, 729, ["TI-000005-01"], [("TI-000005-01", decision)], TODAY)


class TestAmount:
    def test_trade_in_credit_is_one_code_for_the_confirmed_items_less_shipping(self) -> None:
        settled = credit(REJECT, accept(1920), accept(1760))
        assert (settled.kind, settled.amount_cents) == (SettlementKind.DISCOUNT_CODE, 2721)
        assert (settled.confirmed_cents, settled.shipping_cents) == (3680, 959)
        assert settled.status is SettlementStatus.READY
        assert described(settled) == "discount code of $27.21 after $9.59 shipping · ready"

    def test_shipping_larger_than_the_credit_gives_no_code_and_says_why(self) -> None:
        settled = credit(accept(500), REJECT, REJECT)
        assert settled.amount_cents == 0
        assert described(settled) == (
            "no discount code: the $9.59 shipping uses up the $5.00 of items · ready"
        )
        assert described(credit(REJECT, REJECT, REJECT)) == (
            "no discount code: no item accepted · ready"
        )

    @pytest.mark.parametrize("kind", [ProgramKind.TRADE_UP, ProgramKind.GRADED])
    def test_trade_up_and_graded_refund_the_sum_and_deduct_no_shipping(
        self, kind: ProgramKind
    ) -> None:
        settled = settle(kind, 809, ["TI-000001-01"], [("TI-000001-01", accept(924))], TODAY)
        assert (settled.kind, settled.amount_cents) == (SettlementKind.REFUND, 924)
        assert settled.shipping_cents == 0
        assert described(settled) == "refund $9.24 · ready"

    def test_a_rejected_trade_up_has_nothing_to_refund(self) -> None:
        settled = settle(ProgramKind.TRADE_UP, 809, ["TI-1-01"], [("TI-1-01", REJECT)], TODAY)
        assert settled.status is SettlementStatus.READY
        assert described(settled) == "nothing to refund · ready"


class TestRevisedQuote:
    def test_before_its_due_date_the_customer_may_still_reject(self) -> None:
        settled = graded(revise(924, date(2026, 12, 8)))
        assert settled.status is SettlementStatus.AWAITING_CUSTOMER
        assert (settled.items_revised, settled.awaiting_until) == (1, date(2026, 12, 8))
        assert described(settled) == "refund $9.24 · awaiting the customer until 8 Dec"

    def test_on_its_due_date_it_is_still_the_customers_day(self) -> None:
        assert graded(revise(924, TODAY)).status is SettlementStatus.AWAITING_CUSTOMER

    def test_after_its_due_date_silence_accepted_it(self) -> None:
        settled = graded(revise(924, date(2026, 12, 1)))
        assert settled.status is SettlementStatus.READY
        assert described(settled) == "refund $9.24 · ready"

    def test_a_revision_pushed_without_a_due_date_waits_for_nothing(self) -> None:
        assert graded(revise(924, None)).status is SettlementStatus.READY

    def test_the_last_due_date_of_several_counts(self) -> None:
        items = ["TI-9-01", "TI-9-02"]
        latest = [("TI-9-01", revise(100, date(2026, 12, 1))), ("TI-9-02", revise(100, TODAY))]
        settled = settle(ProgramKind.GRADED, 0, items, latest, TODAY)
        assert settled.awaiting_until == TODAY
        assert settled.status is SettlementStatus.AWAITING_CUSTOMER


class TestHeld:
    def test_a_held_item_holds_the_request_and_promises_no_amount(self) -> None:
        settled = credit(HOLD, accept(1920), accept(1760))
        assert settled.status is SettlementStatus.ON_HOLD
        assert settled.items_held == 1
        assert described(settled) == "on hold: 1 item held for review"

    def test_two_held_items_are_items(self) -> None:
        assert described(credit(HOLD, HOLD, accept(1760))) == "on hold: 2 items held for review"

    def test_a_held_trade_up_never_says_nothing_to_refund(self) -> None:
        settled = settle(ProgramKind.TRADE_UP, 809, ["TI-1-01"], [("TI-1-01", HOLD)], TODAY)
        line = described(settled)
        assert line == "on hold: 1 item held for review"
        assert "$0.00" not in line and "refund" not in line

    def test_two_latest_inspections_of_one_item_are_a_conflict_held_and_paying_nothing(
        self,
    ) -> None:
        latest = [(ITEMS[0], accept(1440)), (ITEMS[0], accept(1440))]
        latest += [(ITEMS[1], accept(1920)), (ITEMS[2], revise(1000, TODAY))]
        settled = settle(ProgramKind.TRADE_IN_CREDIT, 959, ITEMS, latest, TODAY)
        assert (settled.items_inspected, settled.items_held) == (3, 1)
        assert (settled.confirmed_cents, settled.items_revised) == (2920, 1)
        assert settled.status is SettlementStatus.ON_HOLD


class TestWhileItemsWait:
    def test_the_running_total_counts_what_is_inspected(self) -> None:
        settled = settle(ProgramKind.GRADED, 0, ITEMS, [(ITEMS[0], accept(924))], TODAY)
        assert settled.status is SettlementStatus.PENDING
        assert described(settled) == "1 of 3 inspected · refund so far $9.24"
        assert described(credit(REJECT, accept(1920))) == (
            "2 of 3 inspected · discount code so far $9.61 after $9.59 shipping"
        )

    def test_nothing_inspected_yet_says_only_that(self) -> None:
        assert described(credit()) == "0 of 3 inspected"

    def test_a_hold_among_them_shows_instead_of_an_amount(self) -> None:
        assert described(credit(HOLD, accept(1920))) == (
            "2 of 3 inspected · 1 item held for review"
        )

    def test_a_request_with_no_items_stays_pending(self) -> None:
        settled = settle(ProgramKind.TRADE_IN_CREDIT, 959, [], [], TODAY)
        assert (settled.status, settled.amount_cents) == (SettlementStatus.PENDING, 0)
        assert described(settled) == "nothing to settle: the request has no items"

    def test_a_decision_of_another_requests_item_counts_for_nothing(self) -> None:
        settled = settle(ProgramKind.TRADE_UP, 0, ["TI-1-01"], [("TI-2-01", accept(900))], TODAY)
        assert (settled.items_inspected, settled.amount_cents) == (0, 0)
