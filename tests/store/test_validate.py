"""The contract a pulled row must meet (store.sync.validate), row by row, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bench.domain import Inspector, Role
from store import rows
from store.central import item_table
from store.contract import RequestItemColumns, column_names
from store.sync.validate import CONTRACTS, TableContract, Unreadable, Window, from_text, key
from tests.support.factories import graded_program, request_item

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WINDOW = Window.around(NOW)


def item(**changes: Any) -> dict[str, Any]:
    row = rows.item_row(request_item("TI-000001-01", "SKU-1", offer_cents=1200, quoted_at=NOW))
    return {**row, "updated_at": NOW, **changes}


def test_a_sound_row_passes() -> None:
    assert CONTRACTS["request_items"].problems(item(), WINDOW) == []
    program = {**rows.program_row(graded_program()), "updated_at": NOW}
    assert CONTRACTS["programs"].problems(program, WINDOW) == []


BAD_ITEMS = {
    "unknown condition": (
        {"declared_condition": "mint"}, "declared_condition is 'mint', not one of"
    ),
    "a key too long": ({"id": "T" * 65}, "id is 65 characters long, at most 64"),
    "an empty key": ({"sku": " "}, "sku is empty"),
    "missing": ({"sku": None}, "sku is missing"),
    "a float for cents": ({"offer_cents": 12.5}, "offer_cents is 12.5, not a whole number"),
    "true for cents": ({"offer_cents": True}, "offer_cents is True, not a whole number"),
    "a moment without a zone": (
        {"quoted_at": datetime(2026, 1, 1)}, "quoted_at is 2026-01-01 00:00:00, a moment without"
    ),
    "bought before 1990": (
        {"purchased_on": date(1989, 12, 31)}, "purchased_on is 1989-12-31, outside"
    ),
    "bought next year and more": ({"purchased_on": date(2028, 1, 1)}, "purchased_on is 2028-01-01"),
    "a moment for a date": ({"purchased_on": NOW}, "not a date"),
    "undecodable": ({"purchased_on": Unreadable("12000-01-01")}, "(unreadable), not a date"),
}  # fmt: skip


@pytest.mark.parametrize(("change", "reason"), BAD_ITEMS.values(), ids=BAD_ITEMS.keys())
def test_a_row_breaking_a_rule_is_named_with_the_column(
    change: dict[str, Any], reason: str
) -> None:
    (problem,) = CONTRACTS["request_items"].problems(item(**change), WINDOW)
    assert reason in problem


def test_other_enums_are_checked() -> None:
    kim = Inspector("EMP-0042", "Kim", Role.INSPECTOR)
    inspector = {**rows.inspector_row(kim, "hash"), "role": "admin", "updated_at": NOW}
    assert CONTRACTS["inspectors"].problems(inspector, WINDOW) == [
        "role is 'admin', not one of inspector, supervisor"
    ]


def test_every_contract_column_needs_a_rule() -> None:
    rules = dict.fromkeys([*column_names(RequestItemColumns), "updated_at"], key)
    del rules["sku"]
    with pytest.raises(RuntimeError, match="request_items rules"):
        TableContract(item_table, RequestItemColumns, rules)


def test_text_read_back_decodes_as_the_column_says() -> None:
    assert from_text(item_table.c.purchased_on, "2025-05-01") == date(2025, 5, 1)
    assert from_text(item_table.c.purchased_on, "12000-01-01") == Unreadable("12000-01-01")
    # PostgreSQL's text form of a timestamptz, and SQLite's (UTC without an offset).
    assert from_text(item_table.c.quoted_at, "2026-11-01 00:00:00+00") == datetime(
        2026, 11, 1, tzinfo=UTC
    )
    assert from_text(item_table.c.quoted_at, "2026-11-01 00:00:00.000000") == datetime(
        2026, 11, 1, tzinfo=UTC
    )
