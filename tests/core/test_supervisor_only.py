"""The supervisor's transitions of the inspection session, without a UI: an inspector who
calls one gets a Problem in plain words and nothing is recorded; a supervisor reopens an
inspected item (an `item_reopened` audit entry, nothing updated), after which the item is
inspected again and its new inspection names the one it supersedes.

The session runs on a real station database holding the demo warehouse (TI-000001: one
Wyze Pan v2 on the trade-up program; EMP-0001 inspector, EMP-0002 supervisor).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.domain import ITEM_REOPENED, Outcome
from bench.problems import Problem
from bench.reasons import REOPEN_REASONS
from bench.session import Reopened, Session
from store.local import LocalStore
from tests.support.sessions import NOW, inspect, session_of, write_demo_replica
from tests.support.store_helpers import audit_events, finished_inspection

ITEM = "TI-000001-01"
PAN_V2_SERIAL = "WYZECP22301595691"
REFUSED = "Only a supervisor can reopen an item: ask a supervisor to log in."


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "station.db") as opened:
        write_demo_replica(opened)
        yield opened


def inspect_to_accept(session: Session) -> str:
    """TI-000001's Pan v2 inspected to an accept; the inspection's id."""
    done = inspect(session, "TI-000001", PAN_V2_SERIAL)
    assert done.decision.outcome is Outcome.ACCEPT
    return done.started.id


def reopen_entries(store: LocalStore) -> list[dict[str, object]]:
    return [
        {"who": e.inspector_id, **e.detail} for e in audit_events(store) if e.event == ITEM_REOPENED
    ]


class TestAnInspectorIsRefused:
    def test_reopening_is_a_problem_in_plain_words_and_records_nothing(
        self, store: LocalStore
    ) -> None:
        session = session_of(store, "EMP-0001")
        inspect_to_accept(session)
        refused = session.reopen_item(ITEM, REOPEN_REASONS[0])
        assert isinstance(refused, Problem)
        assert refused.detail == REFUSED
        assert "inspector" in refused.hint
        assert reopen_entries(store) == []
        assert session.pending_items == []  # still inspected

    def test_every_supervisor_transition_refuses_an_inspector(self, store: LocalStore) -> None:
        session = session_of(store, "EMP-0001")
        inspect_to_accept(session)
        checked = session.reopenable(ITEM)
        assert isinstance(checked, Problem) and checked.title == "Supervisors only"
        found = session.find_inspections("TI-000001")
        assert isinstance(found, Problem)
        assert "Only a supervisor can look up disputed inspections" in found.detail
        assert session.refuse_unless_supervisor("open the supervisor screens") is not None

    def test_nobody_logged_in_is_refused_too(self, store: LocalStore) -> None:
        session = Session(store, "B-07", lambda: NOW, country="US", subdivision=None)
        refused = session.reopen_item(ITEM, REOPEN_REASONS[0])
        assert isinstance(refused, Problem) and refused.hint.startswith("Nobody is logged in")


class TestASupervisorReopens:
    def test_the_audit_says_who_which_inspection_and_why(self, store: LocalStore) -> None:
        first = inspect_to_accept(session_of(store, "EMP-0001"))
        supervisor = session_of(store, "EMP-0002")
        assert not isinstance(supervisor.open_request("TI-000001"), Problem)
        assert supervisor.reopenable(ITEM) == first
        reopened = supervisor.reopen_item(ITEM, "Wrong grade")
        assert reopened == Reopened(ITEM, first, "Wrong grade", "EMP-0002")
        assert reopen_entries(store) == [
            {
                "who": "EMP-0002",
                "request_item_id": ITEM,
                "inspection_id": first,
                "reason": "Wrong grade",
            }
        ]
        assert [row.item.id for row in supervisor.item_rows() if row.reopened] == [ITEM]
        assert [item.id for item in supervisor.pending_items] == [ITEM]

    def test_the_next_inspection_supersedes_the_reopened_one_and_counts(
        self, store: LocalStore
    ) -> None:
        first = inspect_to_accept(session_of(store, "EMP-0001"))
        supervisor = session_of(store, "EMP-0002")
        supervisor.open_request("TI-000001")
        assert isinstance(supervisor.reopen_item(ITEM, "Customer dispute"), Reopened)
        # Read back from the audit log by a new session: a restart keeps the item reopened.
        inspector = session_of(store, "EMP-0001")
        second = inspect_to_accept(inspector)
        saved = finished_inspection(store, second)
        assert saved is not None and saved.started.supersedes == first
        assert store.request_inspections("TI-000001").reopened == {}
        assert inspector.request_done
        # The first inspection is kept as it was; only the new one counts now.
        kept = finished_inspection(store, first)
        assert kept is not None and kept.started.supersedes is None
        assert store.latest_inspection(ITEM) == saved

    def test_a_reason_off_the_list_an_item_not_inspected_or_reopened_twice_is_refused(
        self, store: LocalStore
    ) -> None:
        inspect_to_accept(session_of(store, "EMP-0001"))
        supervisor = session_of(store, "EMP-0002")
        supervisor.open_request("TI-000001")
        off_list = supervisor.reopen_item(ITEM, "because")
        assert isinstance(off_list, Problem) and off_list.title == "Pick a reason"
        assert supervisor.reopen_item(ITEM, "Other") is not None
        twice = supervisor.reopen_item(ITEM, "Other")
        assert isinstance(twice, Problem) and twice.title == "Reopened already"
        supervisor.open_request("TI-000002")
        waiting = supervisor.reopen_item("TI-000002-01", "Other")
        assert isinstance(waiting, Problem) and waiting.title == "Not inspected here"
        assert len(reopen_entries(store)) == 1
