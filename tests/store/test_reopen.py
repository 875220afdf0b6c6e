"""A supervisor's reopen, through the store and the real push: the new inspection's
`supersedes` is kept in the station's column, carried in its outbox payload and written
to central's column (SQLite and PostgreSQL); central's `request_settlements` then counts
the new inspection alone, and `item_conflicts` does not take the chain for two benches.

The station's replica is pulled from a central seeded with the demo warehouse; the
inspections are made by the inspection session, as the bench makes them.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bench import __version__
from bench.domain import Outcome
from bench.session import Reopened
from store import rows
from store.central import conflict_table, inspection_table
from store.local import LocalStore
from store.sync import SyncEngine
from store.sync.pgcopy import PUSHED_COLUMNS, copy_row
from tests.support.demo_site import ITEM, PAN_V2_SERIAL, settlement
from tests.support.inspections import finished
from tests.support.sessions import DIRTY, inspect, session_of, write_demo_replica
from tests.support.store_helpers import outbox_rows


def reinspected(local: LocalStore) -> tuple[str, str]:
    """TI-000001 accepted, reopened by a supervisor, inspected again and found dirty:
    (the first inspection's id, the second's)."""
    first = inspect(session_of(local, "EMP-0001"), "TI-000001", PAN_V2_SERIAL)
    supervisor = session_of(local, "EMP-0002")
    supervisor.open_request("TI-000001")
    assert isinstance(supervisor.reopen_item(ITEM, "Customer dispute"), Reopened)
    second = inspect(session_of(local, "EMP-0001"), "TI-000001", PAN_V2_SERIAL, DIRTY)
    assert (first.decision.outcome, second.decision.outcome) == (Outcome.ACCEPT, Outcome.REJECT)
    return first.started.id, second.started.id


def central_supersedes(demo_central: Engine) -> dict[str, str | None]:
    with demo_central.connect() as conn:
        found = conn.execute(
            select(inspection_table.c.id, inspection_table.c.supersedes).where(
                inspection_table.c.request_item_id == ITEM
            )
        )
        return {str(i): None if s is None else str(s) for i, s in found}


class TestTheStation:
    def test_keeps_supersedes_in_its_column_and_the_outbox_payload(self, local: LocalStore) -> None:
        write_demo_replica(local)
        first, second = reinspected(local)
        with local.engine.connect() as conn:
            column = dict(conn.exec_driver_sql("SELECT id, supersedes FROM inspections").all())
        assert column == {first: None, second: first}
        payloads = {row.inspection_id: row.payload for row in outbox_rows(local)}
        assert payloads[first]["supersedes"] is None
        assert payloads[second]["supersedes"] == first

    def test_an_inspection_begun_after_a_reopen_resumes_with_what_it_supersedes(
        self, local: LocalStore
    ) -> None:
        write_demo_replica(local)
        first = inspect(session_of(local, "EMP-0001"), "TI-000001", PAN_V2_SERIAL)
        supervisor = session_of(local, "EMP-0002")
        supervisor.open_request("TI-000001")
        supervisor.reopen_item(ITEM, "Wrong grade")
        assert supervisor.inspect_item(ITEM) is not None
        assert supervisor.record_pending() is None  # its checklist shown, then the bench stops
        (left,) = local.unfinished_inspections("B-07")
        assert left.started.supersedes == first.started.id


class TestCentral:
    def test_takes_supersedes_and_settles_on_the_new_inspection(
        self, local: LocalStore, sync: SyncEngine, demo_central: Engine
    ) -> None:
        first = inspect(session_of(local, "EMP-0001"), "TI-000001", PAN_V2_SERIAL)
        assert sync.run_once().pushed == 1
        assert settlement(demo_central, "TI-000001")["status"] == "ready"
        assert (
            settlement(demo_central, "TI-000001")["amount_cents"] == first.decision.final_cents > 0
        )

        supervisor = session_of(local, "EMP-0002")
        supervisor.open_request("TI-000001")
        supervisor.reopen_item(ITEM, "Customer dispute")
        second = inspect(session_of(local, "EMP-0001"), "TI-000001", PAN_V2_SERIAL, DIRTY)
        assert second.decision.outcome is Outcome.REJECT
        assert sync.run_once().pushed == 1

        assert central_supersedes(demo_central) == {
            first.started.id: None,
            second.started.id: first.started.id,
        }
        row = settlement(demo_central, "TI-000001")
        # The reject counts, alone: nothing to refund, nothing held, no conflict.
        assert (row["status"], row["amount_cents"], row["items_held"]) == ("ready", 0, 0)
        with demo_central.connect() as conn:
            assert conn.execute(select(conflict_table)).all() == []

    def test_two_benches_on_one_item_are_still_a_conflict(
        self,
        local: LocalStore,
        sync: SyncEngine,
        demo_central: Engine,
        central_url: str,
        tmp_path: Path,
    ) -> None:
        inspect(session_of(local, "EMP-0001"), "TI-000001", PAN_V2_SERIAL)
        assert sync.run_once().pushed == 1
        with LocalStore.open(tmp_path / "b08.db") as other:
            other_sync = SyncEngine(other, central_url, "B-08", app_version=__version__)
            try:
                assert other_sync.run_once().online
                inspect(session_of(other, "EMP-0003", "B-08"), "TI-000001", PAN_V2_SERIAL)
                assert other_sync.run_once().pushed == 1
            finally:
                other_sync.close()
        assert settlement(demo_central, "TI-000001")["status"] == "on_hold"
        with demo_central.connect() as conn:
            flagged = conn.execute(select(conflict_table.c.request_item_id)).scalars().all()
        assert flagged == [ITEM]


def test_an_unknown_supersedes_is_a_uuid_or_the_row_is_refused() -> None:
    """The payload's supersedes goes to central as a UUID: anything else is refused at
    the bench, as a dead letter, not a crash of the push."""
    done = finished(1)
    payload = rows.inspection_payload(done, done.answers)
    good = str(uuid.uuid4())
    row = copy_row({**payload, "supersedes": good})
    assert row[PUSHED_COLUMNS.index("supersedes")] == uuid.UUID(good).bytes
    with pytest.raises(ValueError):
        copy_row({**payload, "supersedes": "not-a-uuid"})
