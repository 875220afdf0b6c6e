"""Columns added to `inspections` after the first release, from the bench's confirm to
central: each must survive the local store, the outbox and both kinds of push, and an
outbox row queued by a bench from before the column existed must still push.

- `response_due_on`: a revised quote's last day to reject. Central's settlement waits on
  it (DESIGN.md: `awaiting_customer` until the last due date has passed).
- `identified_by`: whether the device was scanned or picked by hand from the list, which a
  dispute turns on.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bench import __version__
from bench.domain import Decision, FinishedInspection, IdentifiedBy
from store.central import central_engine, init_central, inspection_table
from store.local import LocalStore
from store.sync import SyncEngine
from tests.support.inspections import ACCEPTED, REVISED, finished
from tests.support.store_helpers import finished_inspection, outbox_rows, rechain

DUE = date(2026, 12, 4)


def deciding(n: int, decision: Decision) -> FinishedInspection:
    return dataclasses.replace(finished(n), decision=decision)


@pytest.fixture
def central(central_url: str) -> str:
    """A SQLite central (a multi-row insert) and a PostgreSQL one (binary COPY)."""
    init_central(central_url)
    return central_url


def push(local: LocalStore, url: str, column: str = "response_due_on") -> dict[str, Any]:
    """Push everything queued; central's inspection id -> `column`."""
    sync = SyncEngine(local, url, "B-07", app_version=__version__)
    try:
        state = sync.run_once()
    finally:
        sync.close()
    assert state.online and state.queued == 0, state
    engine = central_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(select(inspection_table.c.id, inspection_table.c[column])).all()
    finally:
        engine.dispose()
    return {str(id): value for id, value in found}


def test_the_local_store_keeps_it_and_the_outbox_carries_it_as_iso(local: LocalStore) -> None:
    revised, accepted = deciding(1, REVISED), deciding(2, ACCEPTED)
    local.finish_inspection(revised)
    local.finish_inspection(accepted)
    got = finished_inspection(local, revised.started.id)
    assert got is not None and got.decision.response_due_on == DUE
    payloads = {row.inspection_id: row.payload for row in outbox_rows(local)}
    assert payloads[revised.started.id]["response_due_on"] == "2026-12-04"
    assert payloads[accepted.started.id]["response_due_on"] is None


def test_a_revise_lands_with_its_due_date_and_an_accept_with_null(
    local: LocalStore, central: str
) -> None:
    revised, accepted = deciding(1, REVISED), deciding(2, ACCEPTED)
    local.finish_inspection(revised)
    local.finish_inspection(accepted)
    assert push(local, central) == {revised.started.id: DUE, accepted.started.id: None}


def test_an_outbox_row_from_before_the_column_still_pushes_as_null(
    local: LocalStore, central: str
) -> None:
    old, new = deciding(1, ACCEPTED), deciding(2, REVISED)
    local.finish_inspection(old)
    local.finish_inspection(new)
    [row, _] = outbox_rows(local)
    written_before = {k: v for k, v in row.payload.items() if k != "response_due_on"}
    with local.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET payload = ? WHERE inspection_id = ?",
            (json.dumps(written_before), old.started.id),
        )
    rechain(local, old.started.id)  # as the migration chains an older release's payload
    # Pushed, not dead-lettered: both arrive, the old one with no due date.
    assert push(local, central) == {old.started.id: None, new.started.id: DUE}


def picked_by_hand(n: int) -> FinishedInspection:
    done = finished(n)
    started = dataclasses.replace(done.started, scanned_code="", identified_by=IdentifiedBy.HAND)
    return dataclasses.replace(done, started=started)


def test_a_device_picked_by_hand_lands_as_hand_and_a_scanned_one_as_scan(
    local: LocalStore, central: str
) -> None:
    picked, scanned = picked_by_hand(1), finished(2)
    local.finish_inspection(picked)
    local.finish_inspection(scanned)
    got = finished_inspection(local, picked.started.id)
    assert got is not None and got.started.identified_by is IdentifiedBy.HAND
    assert push(local, central, "identified_by") == {
        picked.started.id: "hand",
        scanned.started.id: "scan",
    }
    assert push(local, central, "scanned_code")[picked.started.id] == ""


def test_an_outbox_row_from_before_identified_by_pushes_as_scanned(
    local: LocalStore, central: str
) -> None:
    old = finished(1)
    local.finish_inspection(old)
    [row] = outbox_rows(local)
    written_before = {k: v for k, v in row.payload.items() if k != "identified_by"}
    with local.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET payload = ? WHERE inspection_id = ?",
            (json.dumps(written_before), old.started.id),
        )
    rechain(local, old.started.id)  # as the migration chains an older release's payload
    assert push(local, central, "identified_by") == {old.started.id: "scan"}
