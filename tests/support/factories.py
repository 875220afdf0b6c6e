"""Programs, catalog models, requests and items for the tests, made of `bench.domain` types.

Two kinds of program live here:

* the demo warehouse's own rows (`demo_program`, `demo_model`), for tests that need a real
  program or model but count on none of its numbers;
* the seed programs on their stated terms (`trade_up_program` and its siblings), for tests
  whose expected values are worked out from those terms. Their numbers are written out
  here rather than read from `bench.demo_data`, so that a change to the demo cannot move
  an expected value without the test saying so. They use the demo's program codes, so
  the demo's catalog models belong to them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from bench.demo_data import GRADED, TRADE_IN_CREDIT, TRADE_UP, demo_catalog, demo_programs
from bench.domain import (
    CatalogModel,
    Condition,
    Disposition,
    ProgramKind,
    ProgramPolicy,
    Request,
    RequestItem,
    RequestStatus,
)

# --- the demo warehouse's rows ----------------------------------------------------------


def demo_program(code: str) -> ProgramPolicy:
    """The demo program with this code (`bench.demo_data.demo_programs`)."""
    return next(p for p in demo_programs() if p.code == code)


def demo_model(sku: str) -> CatalogModel:
    """The demo catalog's model with this SKU (`bench.demo_data.demo_catalog`)."""
    return next(m for m in demo_catalog() if m.sku == sku)


# --- the seed programs, on their stated terms -------------------------------------------


# The terms all three seed programs share: devices at most 4 years old, parcels shipped
# within 14 days, quotes valid 14 days, 5 working days to answer a revised quote. Grade
# percents and the broken/dirty/age factors stay the ProgramPolicy defaults: A 100, B 80,
# C 55, D 30; broken 15; dirty 85; 10 points less per year.
SEED_TERMS: Final = {
    "max_age_years": 4,
    "ship_window_days": 14,
    "quote_valid_days": 14,
    "revise_response_working_days": 5,
}


def trade_up_program() -> ProgramPolicy:
    """Seed 000/001: Wyze trade-up, one old item for one new, ineligible items recycled."""
    return ProgramPolicy(
        TRADE_UP, "Wyze Trade-Up", ProgramKind.TRADE_UP,
        max_items=1, ineligible_disposition=Disposition.RECYCLE, **SEED_TERMS,
    )  # fmt: skip


def trade_in_credit_program() -> ProgramPolicy:
    """Seed 000/001: Wyze trade-in credit, up to 10 items, one discount code."""
    return ProgramPolicy(
        TRADE_IN_CREDIT, "Wyze Trade-In Credit", ProgramKind.TRADE_IN_CREDIT,
        max_items=10, ineligible_disposition=Disposition.RECYCLE, **SEED_TERMS,
    )  # fmt: skip


def graded_program() -> ProgramPolicy:
    """Seed 002: Amazfit graded, any Amazfit watch, up to $55, returned if declined."""
    return ProgramPolicy(
        GRADED, "Amazfit GT 3 Series Trade-In", ProgramKind.GRADED,
        max_items=1, ineligible_disposition=Disposition.RETURN, **SEED_TERMS,
        value_cap_cents=5500, brand="Amazfit",
    )  # fmt: skip


# --- requests and their items -----------------------------------------------------------


def request_item(
    item_id: str,
    sku: str,
    *,
    offer_cents: int,
    quoted_at: datetime,
    declared_condition: Condition = Condition.GOOD,
    declared_serial: str | None = None,
    purchased_on: date | None = None,
) -> RequestItem:
    """An item of the request its id names: `TI-000123-01` is item 1 of `TI-000123`."""
    return RequestItem(
        id=item_id,
        request_id=item_id.rsplit("-", 1)[0],
        sku=sku,
        declared_condition=declared_condition,
        offer_cents=offer_cents,
        quoted_at=quoted_at,
        declared_serial=declared_serial,
        purchased_on=purchased_on,
    )


def request_of_alike_items(
    request_id: str,
    program_code: str,
    sku: str,
    count: int,
    *,
    created_at: datetime,
    offer_cents: int,
    status: RequestStatus = RequestStatus.IN_TRANSIT,
    customer_ref: str = "CUST-9",
    shipping_cost_cents: int = 799,
    tracking_number: str | None = None,
) -> Request:
    """A request of `count` items of one model (`-01`, `-02`, ...), each declared good and
    quoted `offer_cents` the moment the request was made."""
    items = tuple(
        request_item(f"{request_id}-{n:02d}", sku, offer_cents=offer_cents, quoted_at=created_at)
        for n in range(1, count + 1)
    )
    return Request(
        id=request_id,
        program_code=program_code,
        customer_ref=customer_ref,
        created_at=created_at,
        shipping_cost_cents=shipping_cost_cents,
        status=status,
        tracking_number=tracking_number,
        items=items,
    )
