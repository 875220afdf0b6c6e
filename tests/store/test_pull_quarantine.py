"""Rows the portal wrote that break the contract: skipped, quarantined, and the rest flows.

Every damage here is written with plain SQL into a real central database, as a portal
would; the pull must neither crash, nor go OFFLINE, nor let the row into the replica.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import __version__
from bench.demo_data import GRADED, TRADE_IN_CREDIT
from bench.domain import Inspector, Role
from store import rows
from store.central import central_engine, init_central, write_demo_data
from store.local import LocalStore
from store.sync import SyncEngine
from store.sync.pull import pull_all
from tests.support.factories import (
    demo_model,
    graded_program,
    request_of_alike_items,
    trade_in_credit_program,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MODEL = demo_model("WYZE-PAN-V2-TC")
REQUEST = "TI-000001"
INSPECTOR = "EMP-0042"
# What the seed below puts in each table: what a clean pull copies.
SEEDED = {"programs": 2, "catalog_models": 1, "requests": 1, "request_items": 3, "inspectors": 1}


def seed(url: str) -> None:
    init_central(url)
    engine = central_engine(url)
    request = request_of_alike_items(
        REQUEST, TRADE_IN_CREDIT, MODEL.sku, 3, created_at=T0, offer_cents=1200
    )
    inspector = (Inspector(INSPECTOR, "Kim", Role.INSPECTOR), "hash")
    write_demo_data(
        engine,
        [trade_in_credit_program(), graded_program()],
        [MODEL],
        [request],
        [inspector],
    )
    engine.dispose()


def portal(url: str, sql: str) -> None:
    """What a portal does: plain SQL on central."""
    engine = central_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def pull(url: str, local: LocalStore) -> dict[str, int]:
    engine = central_engine(url)
    try:
        return pull_all(engine, local)
    finally:
        engine.dispose()


@pytest.fixture
def central(pg_url: str) -> str:
    seed(pg_url)
    return pg_url


def quarantined(local: LocalStore) -> list[tuple[str, str, str]]:
    return [(row.table, row.key, row.reason) for row in local.quarantined_rows()]


# (table, key, the portal's damage, words the reason must hold)
DAMAGE = {
    "negative offer": (
        "request_items", f"{REQUEST}-02", "offer_cents = -5", "offer_cents is -5, must be 0 to"
    ),
    "NULL in gtins": (
        "catalog_models", MODEL.sku, "gtins = ARRAY[NULL]::text[]", "gtins holds None, not a code"
    ),
    "5,000-character name": (
        "catalog_models", MODEL.sku, "name = repeat('x', 5000)", "name is 5,000 characters long"
    ),
    "control characters": (
        "inspectors", INSPECTOR, "name = E'Kim\\x1b[2J'", "which holds control characters"
    ),
    "grade_percents a string": (
        "programs", GRADED, "grade_percents = '\"x\"'", "grade_percents is 'x', not an object"
    ),
    "grade_percents a list": (
        "programs", GRADED, "grade_percents = '[1]'", "grade_percents is [1], not an object"
    ),
    "graded with no grade percents": (
        "programs", GRADED, "grade_percents = '{}'", "graded program has no grade_percents for"
    ),
    "a percent above 100": (
        "programs", GRADED, "grade_percents = '{\"A\":250,\"B\":80,\"C\":55,\"D\":30}'",
        "grade_percents A is 250, must be 0 to 100",
    ),
    "no item allowed": ("programs", TRADE_IN_CREDIT, "max_items = 0", "max_items is 0"),
    "a request from the future": (
        "requests", REQUEST, "created_at = '2200-01-01T00:00:00Z'", "created_at is 2200-01-01"
    ),
    "purchased after year 9999": (
        "request_items", f"{REQUEST}-02", "purchased_on = '12000-01-01'",
        "purchased_on is '12000-01-01' (unreadable), not a date",
    ),
}  # fmt: skip

KEYS = {
    "programs": "code",
    "catalog_models": "sku",
    "requests": "id",
    "request_items": "id",
    "inspectors": "id",
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_row_breaking_the_contract_is_quarantined_and_the_rest_are_pulled(
    central: str, local: LocalStore, damage: tuple[str, str, str, str]
) -> None:
    table, key, change, reason = damage
    portal(central, f"UPDATE {table} SET {change} WHERE {KEYS[table]} = '{key}'")
    copied = pull(central, local)
    assert copied == SEEDED | {table: SEEDED[table] - 1}
    assert local.replica_counts() == copied
    ((where, which, why),) = quarantined(local)
    assert (where, which) == (table, key)
    assert reason in why


def test_a_corrected_row_is_pulled_again_and_leaves_the_quarantine(
    central: str, local: LocalStore
) -> None:
    item = f"{REQUEST}-02"
    assert pull(central, local) == SEEDED
    # A version the driver cannot even decode: the whole batch used to fail, OFFLINE.
    portal(central, f"UPDATE request_items SET purchased_on = '12000-01-01' WHERE id = '{item}'")
    portal(central, f"UPDATE inspectors SET name = 'Kim Lee' WHERE id = '{INSPECTOR}'")
    assert pull(central, local) == dict.fromkeys(SEEDED, 0) | {"inspectors": 1}
    found = local.find_request(REQUEST)
    assert found is not None and [i.id for i in found.items] == [f"{REQUEST}-01", f"{REQUEST}-03"]
    assert [key for _, key, _ in quarantined(local)] == [item]
    inspector = local.inspector(INSPECTOR)
    assert inspector is not None and inspector[0].name == "Kim Lee"

    portal(central, f"UPDATE request_items SET purchased_on = '2025-05-01' WHERE id = '{item}'")
    assert pull(central, local)["request_items"] == 1
    assert quarantined(local) == []
    found = local.find_request(REQUEST)
    assert found is not None and len(found.items) == 3
    assert str(found.items[1].purchased_on) == "2025-05-01"


def test_a_row_stamped_far_ahead_does_not_carry_the_cursor_past_later_rows(
    central: str, local: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    portal(central, f"UPDATE requests SET updated_at = '9000-01-01Z' WHERE id = '{REQUEST}'")
    caplog.set_level(logging.WARNING, logger="store.sync.pull")
    assert pull(central, local)["requests"] == 0
    portal(
        central,
        "INSERT INTO requests (id, program_code, customer_ref, created_at, shipping_cost_cents,"
        f" status) VALUES ('TI-000002', '{TRADE_IN_CREDIT}', 'C-2', now(), 500, 'in_transit')",
    )
    assert pull(central, local)["requests"] == 1
    assert local.find_request("TI-000002") is not None
    assert [key for _, key, _ in quarantined(local)] == [REQUEST]
    # Read again every round (it sorts last), but named in the log once.
    named = [r.getMessage() for r in caplog.records if REQUEST in r.getMessage()]
    assert len(named) == 1
    assert named[0].startswith(f"sync: skipped central requests row {REQUEST}: updated_at is")
    assert caplog.records[0].levelno == logging.WARNING


def test_invalid_json_in_a_sqlite_central_is_quarantined_and_sync_stays_online(
    tmp_path: Path, local: LocalStore
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    seed(url)
    portal(url, f"UPDATE programs SET grade_percents = '{{not json' WHERE code = '{GRADED}'")
    sync = SyncEngine(local, url, "B-07", app_version=__version__)
    online = sync.run_once()
    sync.close()
    assert online.online and online.quarantined == 1 and online.problem is None
    assert online.pulled == sum(SEEDED.values()) - 1
    ((table, key, reason),) = quarantined(local)
    assert (table, key) == ("programs", GRADED)
    assert reason == "grade_percents is '{not json' (unreadable), not JSON"
    assert local.program(GRADED) is None and local.program(TRADE_IN_CREDIT) is not None

    offline = SyncEngine(local, "postgresql://bench@127.0.0.1:1/x", "B-07", app_version="t")
    state = offline.run_once()
    offline.close()
    assert not state.online and state.quarantined == 1


def test_a_portal_writing_only_the_contract_columns_makes_a_usable_program(
    pg_url: str, local: LocalStore
) -> None:
    init_central(pg_url)
    # Exactly the column list of DESIGN.md: the bench's own columns take their defaults.
    portal(
        pg_url,
        "INSERT INTO programs (code, name, kind, max_items, max_age_years, ship_window_days,"
        " quote_valid_days, revise_response_working_days, ineligible_disposition,"
        " value_cap_cents, updated_at) VALUES ('AMZ-NEW', 'Amazfit New', 'graded', 1, 4, 14,"
        " 14, 5, 'return', 5500, now())",
    )
    assert pull(pg_url, local)["programs"] == 1
    program = local.program("AMZ-NEW")
    assert program is not None and quarantined(local) == []
    defaults = graded_program()
    assert program.grade_percents == defaults.grade_percents
    assert (program.broken_percent, program.dirty_percent, program.age_step_percent) == (
        defaults.broken_percent,
        defaults.dirty_percent,
        defaults.age_step_percent,
    )
    assert program.brand is None
    assert rows.program_row(program)["grade_percents"] == {"A": 100, "B": 80, "C": 55, "D": 30}
