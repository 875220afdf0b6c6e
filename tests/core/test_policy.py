"""The policy engine and the request rules, checked against the three seed programs.

The table's expected values are worked out by hand from the rules in `bench.policy`'s
docstring; the arithmetic for graded values is written next to each row. Catalog models
are the real products of `catalog-facts.md` (release year only, so 1 January); their
base values and the offers are demo values, not public facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    RequestStatus,
)
from bench.policy import (
    aggregate_credit_cents,
    arrived_late,
    decide,
    graded_value_cents,
    older_than_limit,
    quote_expired,
    request_problems,
    revised_quote_due,
)
from tests.support.factories import (
    graded_program,
    request_item,
    request_of_alike_items,
    trade_in_credit_program,
    trade_up_program,
)

# --- the three seed programs (tests.support.factories states their terms) -----------------------


@pytest.fixture
def trade_up() -> ProgramPolicy:
    return trade_up_program()


@pytest.fixture
def trade_in_credit() -> ProgramPolicy:
    return trade_in_credit_program()


@pytest.fixture
def graded() -> ProgramPolicy:
    return graded_program()


@pytest.fixture
def policies(
    trade_up: ProgramPolicy, trade_in_credit: ProgramPolicy, graded: ProgramPolicy
) -> dict[str, ProgramPolicy]:
    return {p.code: p for p in (trade_up, trade_in_credit, graded)}


def _model(sku: str, program: str, brand: str, name: str, year: int, base: int) -> CatalogModel:
    return CatalogModel(
        sku=sku,
        program_code=program,
        brand=brand,
        name=name,
        released_on=date(year, 1, 1),
        base_value_cents=base,
        has_storage=brand == "Amazfit",
    )


MODELS: Mapping[str, CatalogModel] = {
    m.sku: m
    for m in (
        _model("WYZE-PAN-V2", "WYZE-TU", "Wyze", "Wyze Cam Pan v2", 2021, 2000),
        _model("WYZE-PAN-V3", "WYZE-TU", "Wyze", "Wyze Cam Pan v3", 2022, 3000),
        _model("WYZE-OUT-V1", "WYZE-TC", "Wyze", "Wyze Cam Outdoor (v1)", 2020, 1500),
        _model("WYZE-OUT-V2", "WYZE-TC", "Wyze", "Wyze Cam Outdoor v2", 2022, 2500),
        _model("AMZ-BIP", "AMZ-GT3", "Amazfit", "Amazfit Bip", 2018, 5000),
        _model("AMZ-GTR", "AMZ-GT3", "Amazfit", "Amazfit GTR", 2019, 8000),
        _model("AMZ-GTR2", "AMZ-GT3", "Amazfit", "Amazfit GTR 2", 2020, 9000),
        _model("AMZ-GTR3", "AMZ-GT3", "Amazfit", "Amazfit GTR 3", 2021, 12000),
        _model("AMZ-GTR3-PRO", "AMZ-GT3", "Amazfit", "Amazfit GTR 3 Pro", 2021, 20000),
        # The same watch as the portal's catalog might spell the brand.
        _model("AMZ-GTS2-CAPS", "AMZ-GT3", " AMAZFIT", "Amazfit GTS 2", 2020, 9000),
    )
}

# "Today" for the table: inspections on Tue 2026-03-10. Requests and quotes are from
# 2026-03-02, eight days earlier, unless a row says otherwise.
TODAY = date(2026, 3, 10)
CREATED = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
SAME = "same"  # the scanned device is the declared model


def inspected(
    sku: str,
    *,
    scanned: str | None = SAME,
    declared: Condition = Condition.GOOD,
    offer: int = 2000,
    created: datetime = CREATED,
    quoted: datetime = CREATED,
) -> InspectedItem:
    item = request_item(
        "TI-000123-01",
        sku,
        declared_condition=declared,
        offer_cents=offer,
        quoted_at=quoted,
        declared_serial="SN-0001",
    )
    model = MODELS[sku] if scanned == SAME else (None if scanned is None else MODELS[scanned])
    return InspectedItem(
        item=item, request_created_at=created, declared_model=MODELS[sku], model=model
    )


def answers(**overrides: Any) -> Answers:
    """A clean device: listed, young, whole, clean, reset, owned, serial matches."""
    fields: dict[str, Any] = {
        "model_listed": True,
        "older_than_limit": False,
        "broken": False,
        "dirty": False,
        "factory_reset": True,
        "owned_outright": True,
        "serial_matches": True,
    }
    fields.update(overrides)
    return Answers(**fields)


def case(
    case_id: str,
    program: str,
    item: InspectedItem,
    ans: Answers,
    outcome: Outcome,
    cents: int,
    disposition: Disposition,
    reasons: tuple[Reason, ...] = (),
) -> Any:
    return pytest.param(
        program, item, ans, Decision(outcome, cents, disposition, reasons), id=case_id
    )


R = Reason
ACCEPT, REVISE, REJECT, HOLD = Outcome.ACCEPT, Outcome.REVISE, Outcome.REJECT, Outcome.HOLD
REFURB, RECYCLE, RETURN, HELD = (
    Disposition.REFURBISH,
    Disposition.RECYCLE,
    Disposition.RETURN,
    Disposition.HOLD,
)
PAN = "WYZE-PAN-V2"

CASES = [
    # --- trade-up (Wyze Pan v2 -> Pan v3, offer $20.00) ---------------------------------
    case("tu: Pan v2 as described is refunded the offer", "WYZE-TU",
         inspected(PAN), answers(), ACCEPT, 2000, REFURB),
    case("tu: Wyze Pan v2 bought 5 years ago is rejected and recycled", "WYZE-TU",
         inspected(PAN), answers(older_than_limit=True), REJECT, 0, RECYCLE, (R.TOO_OLD,)),
    case("tu: broken Pan v2 rejected and recycled, not returned", "WYZE-TU",
         inspected(PAN), answers(broken=True), REJECT, 0, RECYCLE, (R.BROKEN,)),
    case("tu: dirty Pan v2 rejected and recycled", "WYZE-TU",
         inspected(PAN), answers(dirty=True), REJECT, 0, RECYCLE, (R.DIRTY,)),
    case("tu: a Pan v3 sent instead of the declared Pan v2 is a wrong item: hold", "WYZE-TU",
         inspected(PAN, scanned="WYZE-PAN-V3"), answers(model_listed=False),
         HOLD, 0, HELD, (R.MODEL_NOT_LISTED, R.WRONG_ITEM)),
    case("tu: a Pan v2 declared but not on the list is rejected", "WYZE-TU",
         inspected(PAN), answers(model_listed=False),
         REJECT, 0, RECYCLE, (R.MODEL_NOT_LISTED,)),
    case("tu: an unidentified device is never paid, even if marked listed", "WYZE-TU",
         inspected(PAN, scanned=None), answers(), REJECT, 0, RECYCLE, (R.MODEL_NOT_LISTED,)),
    case("tu: serial mismatch holds", "WYZE-TU",
         inspected(PAN), answers(serial_matches=False), HOLD, 0, HELD, (R.SERIAL_MISMATCH,)),
    case("tu: no declared serial is not a mismatch", "WYZE-TU",
         inspected(PAN), answers(serial_matches=None), ACCEPT, 2000, REFURB),
    case("tu: late arrival holds (created 02-20, window closed 03-06)", "WYZE-TU",
         inspected(PAN, created=datetime(2026, 2, 20, 9, 0, tzinfo=UTC)), answers(),
         HOLD, 0, HELD, (R.ARRIVED_LATE,)),
    case("tu: arriving on the last day of the window is on time", "WYZE-TU",
         inspected(PAN, created=datetime(2026, 2, 24, 23, 0, tzinfo=UTC)), answers(),
         ACCEPT, 2000, REFURB),
    case("tu: a device not owned outright is suspected fraud and held", "WYZE-TU",
         inspected(PAN), answers(owned_outright=False), HOLD, 0, HELD, (R.NOT_OWNED,)),
    case("tu: not reset, wiped at the bench, recorded and paid", "WYZE-TU",
         inspected(PAN), answers(factory_reset=False, wiped=True),
         ACCEPT, 2000, REFURB, (R.WIPED_AT_BENCH,)),
    case("tu: bench wipe failed holds", "WYZE-TU",
         inspected(PAN), answers(factory_reset=False, wiped=False),
         HOLD, 0, HELD, (R.WIPE_FAILED,)),
    case("tu: not reset and no wipe recorded holds", "WYZE-TU",
         inspected(PAN), answers(factory_reset=False, wiped=None),
         HOLD, 0, HELD, (R.WIPE_FAILED,)),
    case("tu: hold beats reject and both reasons are kept", "WYZE-TU",
         inspected(PAN), answers(broken=True, serial_matches=False),
         HOLD, 0, HELD, (R.BROKEN, R.SERIAL_MISMATCH)),
    case("tu: every reject reason, in enum order", "WYZE-TU",
         inspected(PAN), answers(dirty=True, broken=True, older_than_limit=True),
         REJECT, 0, RECYCLE, (R.TOO_OLD, R.BROKEN, R.DIRTY)),
    case("tu: wiped then rejected keeps the wipe record", "WYZE-TU",
         inspected(PAN), answers(dirty=True, factory_reset=False, wiped=True),
         REJECT, 0, RECYCLE, (R.DIRTY, R.WIPED_AT_BENCH)),
    case("tu: never revises, whatever grade or declaration", "WYZE-TU",
         inspected(PAN, declared=Condition.LIKE_NEW), answers(grade=Grade.D),
         ACCEPT, 2000, REFURB),
    # --- trade-in credit (Wyze, up to 10 items) --------------------------------------
    case("tc: Outdoor v2 accepted at its offer", "WYZE-TC",
         inspected("WYZE-OUT-V2", offer=2500), answers(), ACCEPT, 2500, REFURB),
    case("tc: Outdoor v1 bought over 4 years ago is rejected and recycled", "WYZE-TC",
         inspected("WYZE-OUT-V1", offer=1500), answers(older_than_limit=True),
         REJECT, 0, RECYCLE, (R.TOO_OLD,)),
    case("tc: an Amazfit watch in place of a Wyze camera is held as a wrong item", "WYZE-TC",
         inspected("WYZE-OUT-V2", scanned="AMZ-GTR", offer=2500), answers(model_listed=False),
         HOLD, 0, HELD, (R.MODEL_NOT_LISTED, R.WRONG_ITEM)),
    case("tc: not owned outright holds for review", "WYZE-TC",
         inspected("WYZE-OUT-V2", offer=2500), answers(owned_outright=False),
         HOLD, 0, HELD, (R.NOT_OWNED,)),
    case("tc: late arrival holds", "WYZE-TC",
         inspected("WYZE-OUT-V2", offer=2500, created=datetime(2026, 2, 1, tzinfo=UTC)),
         answers(), HOLD, 0, HELD, (R.ARRIVED_LATE,)),
    # --- graded (Amazfit, today 2026, cap $55) ---------------------------------------
    # GTR: 2019 -> 7 years -> age factor 30; base 8000.
    case("gr: Amazfit GTR declared good graded C is revised (8000x55%x30% = 1320)",
         "AMZ-GT3", inspected("AMZ-GTR", offer=2500), answers(grade=Grade.C),
         REVISE, 1320, REFURB, (R.CONDITION_DIFFERS,)),
    case("gr: GTR declared good graded B is accepted at the offer", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500), answers(grade=Grade.B), ACCEPT, 2500, REFURB),
    case("gr: better than declared (fair, graded A) keeps the offer", "AMZ-GT3",
         inspected("AMZ-GTR", declared=Condition.FAIR, offer=2500), answers(grade=Grade.A),
         ACCEPT, 2500, REFURB),
    case("gr: dirty A counts as B: as declared good, accepted", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500), answers(grade=Grade.A, dirty=True),
         ACCEPT, 2500, REFURB),
    case("gr: dirty A declared like new is revised (8000x100%x30%x85% = 2040)", "AMZ-GT3",
         inspected("AMZ-GTR", declared=Condition.LIKE_NEW, offer=2500),
         answers(grade=Grade.A, dirty=True),
         REVISE, 2040, REFURB, (R.DIRTY, R.CONDITION_DIFFERS)),
    # GTR 2: 2020 -> 6 years -> age factor 40; base 9000.
    case("gr: broken GTR 2 declared good is revised and recycled (9000x80%x40%x15% = 432)",
         "AMZ-GT3", inspected("AMZ-GTR2", offer=3000), answers(grade=Grade.B, broken=True),
         REVISE, 432, RECYCLE, (R.BROKEN, R.CONDITION_DIFFERS)),
    case("gr: declared broken and broken is accepted at the offer, recycled", "AMZ-GT3",
         inspected("AMZ-GTR2", declared=Condition.BROKEN, offer=500),
         answers(grade=Grade.D, broken=True), ACCEPT, 500, RECYCLE),
    case("gr: broken and dirty is floored (9000x30%x40%x15%x85% = 137.7 -> 137)", "AMZ-GT3",
         inspected("AMZ-GTR2", declared=Condition.BROKEN, offer=500),
         answers(grade=Grade.D, broken=True, dirty=True),
         REVISE, 137, RECYCLE, (R.BROKEN, R.DIRTY, R.CONDITION_DIFFERS)),
    case("gr: leased GTR 2 is rejected and returned", "AMZ-GT3",
         inspected("AMZ-GTR2", offer=3000), answers(grade=Grade.B, owned_outright=False),
         REJECT, 0, RETURN, (R.NOT_OWNED,)),
    case("gr: reject beats revise (leased and worse than declared)", "AMZ-GT3",
         inspected("AMZ-GTR2", declared=Condition.LIKE_NEW, offer=3000),
         answers(grade=Grade.C, owned_outright=False),
         REJECT, 0, RETURN, (R.NOT_OWNED, R.CONDITION_DIFFERS)),
    case("gr: hold beats reject (leased with a serial mismatch)", "AMZ-GT3",
         inspected("AMZ-GTR2", offer=3000),
         answers(grade=Grade.B, owned_outright=False, serial_matches=False),
         HOLD, 0, HELD, (R.SERIAL_MISMATCH, R.NOT_OWNED)),
    # GTR 3 / GTR 3 Pro: 2021 -> 5 years -> age factor 50.
    case("gr: Amazfit value is capped at $55 (offer $60 as described)", "AMZ-GT3",
         inspected("AMZ-GTR3", declared=Condition.LIKE_NEW, offer=6000),
         answers(grade=Grade.A), ACCEPT, 5500, REFURB, (R.VALUE_CAPPED,)),
    case("gr: revised value capped (20000x80%x50% = 8000, offer 7000 -> cap 5500)",
         "AMZ-GT3", inspected("AMZ-GTR3-PRO", declared=Condition.LIKE_NEW, offer=7000),
         answers(grade=Grade.B), REVISE, 5500, REFURB, (R.CONDITION_DIFFERS, R.VALUE_CAPPED)),
    case("gr: a revision never pays more than the quote (value 8000, offer 5000)",
         "AMZ-GT3", inspected("AMZ-GTR3-PRO", declared=Condition.LIKE_NEW, offer=5000),
         answers(grade=Grade.B), REVISE, 5000, REFURB, (R.CONDITION_DIFFERS,)),
    case("gr: no grade counts as D (12000x30%x50% = 1800)", "AMZ-GT3",
         inspected("AMZ-GTR3", declared=Condition.FAIR, offer=3000), answers(grade=None),
         REVISE, 1800, REFURB, (R.CONDITION_DIFFERS,)),
    # Bip: 2018 -> 8 years -> age factor 20; base 5000.
    case("gr: a 2018 Bip is not rejected for age, valued by year (5000x30%x20% = 300)",
         "AMZ-GT3", inspected("AMZ-BIP", declared=Condition.FAIR, offer=1000),
         answers(grade=Grade.D, older_than_limit=True),
         REVISE, 300, REFURB, (R.CONDITION_DIFFERS,)),
    case("gr: other brand watch rejected and returned", "AMZ-GT3",
         inspected("AMZ-GTR", scanned=None, offer=2500),
         answers(grade=Grade.B, model_listed=False), REJECT, 0, RETURN, (R.OTHER_BRAND,)),
    case("gr: a Wyze camera in place of the declared watch: other brand, held", "AMZ-GT3",
         inspected("AMZ-GTR", scanned=PAN, offer=2500), answers(grade=Grade.A),
         HOLD, 0, HELD, (R.OTHER_BRAND, R.WRONG_ITEM)),
    case("gr: an unlisted model is rejected as other brand", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500), answers(grade=Grade.B, model_listed=False),
         REJECT, 0, RETURN, (R.OTHER_BRAND,)),
    case("gr: brand compared case-insensitively", "AMZ-GT3",
         inspected("AMZ-GTS2-CAPS", offer=3000), answers(grade=Grade.B),
         ACCEPT, 3000, REFURB),
    case("gr: quote expired holds (quoted 02-20, valid to 03-06)", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500, quoted=datetime(2026, 2, 20, 12, 0, tzinfo=UTC)),
         answers(grade=Grade.B), HOLD, 0, HELD, (R.QUOTE_EXPIRED,)),
    case("gr: a quote on its last valid day is honoured", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500, quoted=datetime(2026, 2, 24, 12, 0, tzinfo=UTC)),
         answers(grade=Grade.B), ACCEPT, 2500, REFURB),
    case("gr: no ship window: old request with a fresh quote is accepted", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500, created=datetime(2026, 1, 5, tzinfo=UTC)),
         answers(grade=Grade.B), ACCEPT, 2500, REFURB),
    case("gr: serial mismatch holds", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500), answers(grade=Grade.B, serial_matches=False),
         HOLD, 0, HELD, (R.SERIAL_MISMATCH,)),
    case("gr: data wiped upon inspection is recorded", "AMZ-GT3",
         inspected("AMZ-GTR", offer=2500),
         answers(grade=Grade.B, factory_reset=False, wiped=True),
         ACCEPT, 2500, REFURB, (R.WIPED_AT_BENCH,)),
]  # fmt: skip


@pytest.mark.parametrize(("program", "item", "ans", "expected"), CASES)
def test_decide_table(
    policies: dict[str, ProgramPolicy],
    program: str,
    item: InspectedItem,
    ans: Answers,
    expected: Decision,
) -> None:
    assert decide(policies[program], item, ans, TODAY) == expected


def test_cap_applies_to_fixed_offer_programs_when_configured(trade_up: ProgramPolicy) -> None:
    capped = dataclasses.replace(trade_up, value_cap_cents=1500)
    decision = decide(capped, inspected(PAN, offer=2000), answers(), TODAY)
    assert decision == Decision(ACCEPT, 1500, REFURB, (R.VALUE_CAPPED,))


def test_negative_offer_is_never_charged(trade_up: ProgramPolicy) -> None:
    decision = decide(trade_up, inspected(PAN, offer=-300), answers(), TODAY)
    assert decision.final_cents == 0


def test_graded_value_age_factor_bottoms_out_at_zero(graded: ProgramPolicy) -> None:
    # Bip 2018 in 2029: 11 years -> 100 - 110 -> factor 0.
    value = graded_value_cents(
        graded, MODELS["AMZ-BIP"], Grade.A, broken=False, dirty=False, today=date(2029, 6, 1)
    )
    assert value == 0


def test_graded_value_for_a_new_model_ignores_future_release(graded: ProgramPolicy) -> None:
    # Released after "today" (bad data): years clamp to 0, so 12000 x 80% = 9600.
    value = graded_value_cents(
        graded, MODELS["AMZ-GTR3"], Grade.B, broken=False, dirty=False, today=date(2020, 6, 1)
    )
    assert value == 9600


# --- request rules ----------------------------------------------------------------------


def make_request(program: str, n_items: int) -> Request:
    """TI-000200: `n_items` Outdoor v2 cameras at $25.00, received, created and quoted 03-02."""
    return request_of_alike_items(
        "TI-000200",
        program,
        "WYZE-OUT-V2",
        n_items,
        created_at=CREATED,
        offer_cents=2500,
        status=RequestStatus.RECEIVED,
        shipping_cost_cents=599,
    )


def test_eleven_items_rejected_for_credit_program(trade_in_credit: ProgramPolicy) -> None:
    problems = request_problems(trade_in_credit, make_request("WYZE-TC", 11))
    assert problems == ["request TI-000200 has 11 items; program WYZE-TC takes at most 10"]


def test_ten_items_fine_for_credit_program(trade_in_credit: ProgramPolicy) -> None:
    assert request_problems(trade_in_credit, make_request("WYZE-TC", 10)) == []


def test_two_items_rejected_for_trade_up(trade_up: ProgramPolicy) -> None:
    problems = request_problems(trade_up, make_request("WYZE-TU", 2))
    assert len(problems) == 1
    assert "no stacking" in problems[0]
    assert "has 2" in problems[0]


def test_one_item_fine_for_trade_up(trade_up: ProgramPolicy) -> None:
    assert request_problems(trade_up, make_request("WYZE-TU", 1)) == []


def test_two_items_rejected_for_graded(graded: ProgramPolicy) -> None:
    problems = request_problems(graded, make_request("AMZ-GT3", 2))
    assert problems == ["request TI-000200 has 2 items; program AMZ-GT3 takes at most 1"]


def test_empty_request_is_a_problem(trade_in_credit: ProgramPolicy) -> None:
    problems = request_problems(trade_in_credit, make_request("WYZE-TC", 0))
    assert problems == ["request TI-000200 has no items"]


def test_request_of_another_program_is_a_problem(trade_in_credit: ProgramPolicy) -> None:
    problems = request_problems(trade_in_credit, make_request("WYZE-TU", 1))
    assert problems == ["request TI-000200 belongs to program WYZE-TU, not WYZE-TC"]


@pytest.mark.parametrize(
    ("today", "late"),
    [
        pytest.param(date(2026, 3, 16), False, id="last-day-of-window"),
        pytest.param(date(2026, 3, 17), True, id="day-after-window"),
    ],
)
def test_arrived_late_boundary(trade_in_credit: ProgramPolicy, today: date, late: bool) -> None:
    # Created 2026-03-02 + 14 days = 2026-03-16.
    assert arrived_late(trade_in_credit, make_request("WYZE-TC", 1), today) is late


def test_graded_has_no_ship_window(graded: ProgramPolicy) -> None:
    assert arrived_late(graded, make_request("AMZ-GT3", 1), date(2026, 6, 1)) is False


def test_quote_expired_only_for_graded(graded: ProgramPolicy, trade_up: ProgramPolicy) -> None:
    item = make_request("AMZ-GT3", 1).items[0]  # quoted 2026-03-02, valid to 03-16
    assert quote_expired(graded, item, date(2026, 3, 16)) is False
    assert quote_expired(graded, item, date(2026, 3, 17)) is True
    assert quote_expired(trade_up, item, date(2026, 6, 1)) is False


@pytest.mark.parametrize(
    ("bought", "today", "too_old"),
    [
        pytest.param(date(2022, 3, 10), date(2026, 3, 10), False, id="exactly-4-years"),
        pytest.param(date(2022, 3, 9), date(2026, 3, 10), True, id="4-years-and-a-day"),
        pytest.param(date(2021, 3, 10), date(2026, 3, 10), True, id="5-years"),
        pytest.param(date(2024, 2, 29), date(2028, 2, 29), False, id="leap-day-anniversary"),
        pytest.param(date(2020, 2, 29), date(2025, 2, 28), True, id="leap-day-5-years"),
    ],
)
def test_older_than_limit(
    trade_up: ProgramPolicy, bought: date, today: date, too_old: bool
) -> None:
    assert older_than_limit(trade_up, bought, today) is too_old


def test_older_than_limit_leap_day_in_common_year() -> None:
    # 2016-02-29 + 3 years: 2019 has no 29 February, so the anniversary is 2019-02-28.
    three_years = dataclasses.replace(trade_up_program(), max_age_years=3)
    assert older_than_limit(three_years, date(2016, 2, 29), date(2019, 2, 28)) is False
    assert older_than_limit(three_years, date(2016, 2, 29), date(2019, 3, 1)) is True


def test_aggregate_credit_sums_confirmed_items_less_shipping(
    trade_in_credit: ProgramPolicy,
) -> None:
    outdoor = inspected("WYZE-OUT-V2", offer=2500)
    decisions = [
        decide(trade_in_credit, outdoor, answers(), TODAY),  # accept 2500
        decide(trade_in_credit, outdoor, answers(), TODAY),  # accept 2500
        decide(trade_in_credit, outdoor, answers(broken=True), TODAY),  # reject
        decide(trade_in_credit, outdoor, answers(serial_matches=False), TODAY),  # hold
    ]
    # 2500 + 2500 - 599 shipping
    assert aggregate_credit_cents(decisions, 599) == 4401


def test_aggregate_credit_counts_revised_items() -> None:
    decisions = [
        Decision(ACCEPT, 2500, REFURB, ()),
        Decision(REVISE, 1320, REFURB, (R.CONDITION_DIFFERS,)),
    ]
    assert aggregate_credit_cents(decisions, 0) == 3820


def test_aggregate_credit_ignores_unconfirmed_even_if_valued() -> None:
    # Defensive: only accept/revise count, whatever final_cents a hold carries.
    decisions = [Decision(HOLD, 900, HELD, (R.SERIAL_MISMATCH,))]
    assert aggregate_credit_cents(decisions, 0) == 0


def test_aggregate_credit_never_below_zero() -> None:
    decisions = [Decision(ACCEPT, 300, REFURB, ())]
    assert aggregate_credit_cents(decisions, 599) == 0
    assert aggregate_credit_cents([], 599) == 0


def test_aggregate_credit_refuses_negative_shipping() -> None:
    with pytest.raises(ValueError, match="shipping"):
        aggregate_credit_cents([Decision(ACCEPT, 300, REFURB, ())], -1)


def test_revised_quote_due_over_thanksgiving(graded: ProgramPolicy) -> None:
    # Notified Wed 2026-11-25; Thu 26 Thanksgiving; 5 working days -> Thu 2026-12-03.
    assert revised_quote_due(date(2026, 11, 25), graded, "US") == date(2026, 12, 3)


def test_revised_quote_due_uses_subdivision(graded: ProgramPolicy) -> None:
    # California also closes Fri 27: Mon 30 .. Fri 4 -> 2026-12-04.
    assert revised_quote_due(date(2026, 11, 25), graded, "US", "CA") == date(2026, 12, 4)


def test_revised_quote_due_unknown_country(graded: ProgramPolicy) -> None:
    with pytest.raises(ValueError):
        revised_quote_due(date(2026, 11, 25), graded, "XX")


# --- properties -------------------------------------------------------------------------

_percent = st.integers(min_value=0, max_value=150)


@st.composite
def _policies(draw: st.DrawFn) -> ProgramPolicy:
    base = draw(st.sampled_from([trade_up_program(), trade_in_credit_program(), graded_program()]))
    return dataclasses.replace(
        base,
        value_cap_cents=draw(st.none() | st.integers(min_value=0, max_value=20_000)),
        grade_percents={g: draw(_percent) for g in Grade},
        broken_percent=draw(_percent),
        dirty_percent=draw(_percent),
        age_step_percent=draw(st.integers(min_value=0, max_value=50)),
        brand=draw(st.sampled_from([None, "Amazfit", "Wyze"])),
    )


_when = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
_models = st.builds(
    CatalogModel,
    sku=st.just("X-1"),
    program_code=st.just("ANY"),
    brand=st.sampled_from(["Amazfit", "amazfit", "Wyze", "Garmin"]),
    name=st.just("model"),
    released_on=st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31)),
    base_value_cents=st.integers(min_value=0, max_value=100_000),
    has_storage=st.booleans(),
)


@st.composite
def _items(draw: st.DrawFn) -> InspectedItem:
    declared_model = draw(_models)
    item = request_item(
        "TI-000001-01",
        declared_model.sku,
        declared_condition=draw(st.sampled_from(Condition)),
        # Negative offers are bad data; the engine must still never charge the customer.
        offer_cents=draw(st.integers(min_value=-1_000, max_value=100_000)),
        quoted_at=draw(_when),
    )
    return InspectedItem(
        item=item,
        request_created_at=draw(_when),
        declared_model=declared_model,
        model=draw(st.none() | st.just(declared_model) | _models),
    )


_answers = st.builds(
    Answers,
    model_listed=st.booleans(),
    older_than_limit=st.booleans(),
    broken=st.booleans(),
    dirty=st.booleans(),
    factory_reset=st.booleans(),
    owned_outright=st.booleans(),
    serial_matches=st.none() | st.booleans(),
    wiped=st.none() | st.booleans(),
    grade=st.none() | st.sampled_from(Grade),
)
_today = st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 12, 31))
_inputs = st.tuples(_policies(), _items(), _answers, _today)

Inputs = tuple[ProgramPolicy, InspectedItem, Answers, date]


def decide_property(test: Callable[[Inputs], None]) -> Callable[..., None]:
    """A slow Hypothesis property: `test` runs on 400 drawn (policy, item, answers, today)."""
    return pytest.mark.slow(settings(max_examples=400)(given(_inputs)(test)))


@decide_property
def test_value_never_negative(inputs: Inputs) -> None:
    assert decide(*inputs).final_cents >= 0


@decide_property
def test_value_never_above_cap(inputs: Inputs) -> None:
    policy = inputs[0]
    decision = decide(*inputs)
    if policy.value_cap_cents is not None:
        assert decision.final_cents <= policy.value_cap_cents


@decide_property
def test_reject_and_hold_never_paid(inputs: Inputs) -> None:
    policy = inputs[0]
    decision = decide(*inputs)
    if decision.outcome is HOLD:
        assert (decision.final_cents, decision.disposition) == (0, HELD)
    if decision.outcome is REJECT:
        assert decision.final_cents == 0
        assert decision.disposition is policy.ineligible_disposition


@decide_property
def test_deterministic(inputs: Inputs) -> None:
    assert decide(*inputs) == decide(*inputs)


@decide_property
def test_never_pays_more_than_the_offer(inputs: Inputs) -> None:
    # A revision never pays more than the quote; an accept pays at most the quote.
    item = inputs[1]
    decision = decide(*inputs)
    assert decision.final_cents <= max(0, item.item.offer_cents)


@decide_property
def test_reasons_unique_and_in_enum_order(inputs: Inputs) -> None:
    reasons = decide(*inputs).reasons
    order = list(Reason)
    assert list(reasons) == sorted(set(reasons), key=order.index)


@decide_property
def test_fixed_offer_programs_never_revise(inputs: Inputs) -> None:
    policy = inputs[0]
    if policy.kind is not ProgramKind.GRADED:
        assert decide(*inputs).outcome is not REVISE
