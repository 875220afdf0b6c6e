"""What the session writes once it is on screen (`Session.record_pending`, which the app
calls after the frame), or before anything else it writes, so that the log keeps the order
things happened in: the audit entry of an opened request, with the opening's time; and the
inspection a device's scan began, which a restart resumes (its first answer, its cancel or
its confirm writes it first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench.problems import Problem
from bench.scans import classify
from bench.session import ActiveInspection, Session
from store.local import LocalStore
from tests.support.sessions import NOW, session_of, write_demo_replica
from tests.support.store_helpers import audit_events

PAN_V2_SERIAL = "WYZECP22301595691"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "station.db") as opened:
        write_demo_replica(opened)
        yield opened


def events(store: LocalStore) -> list[tuple[str, dict[str, object]]]:
    """Oldest first, from the login on."""
    return [(e.event, e.detail) for e in reversed(audit_events(store, 20))]


def test_the_opening_is_written_when_the_app_asks_with_its_own_time(store: LocalStore) -> None:
    clock = [NOW]
    session = session_of(store, "EMP-0001")
    session.clock = lambda: clock[0]
    assert not isinstance(session.open_request("TI-000001"), Problem)
    assert events(store)[-1][0] == "login"
    clock[0] = NOW + timedelta(seconds=5)
    assert session.record_pending() is None
    (opened,) = [e for e in audit_events(store, 20) if e.event == "request_opened"]
    assert (opened.detail, opened.inspector_id, opened.at) == (
        {"request": "TI-000001"},
        "EMP-0001",
        NOW,
    )
    assert session.record_pending() is None  # once
    assert [e for e, _ in events(store)].count("request_opened") == 1


def test_the_next_write_writes_it_first(store: LocalStore) -> None:
    session = session_of(store, "EMP-0001")
    assert not isinstance(session.open_request("TI-000002"), Problem)
    assert not isinstance(session.open_request("TI-000001"), Problem)
    assert not isinstance(session.inspect_device(classify(PAN_V2_SERIAL)), Problem)
    session.logout()
    assert [(e, d.get("request")) for e, d in events(store)] == [
        ("login", None),
        ("request_opened", "TI-000002"),
        ("request_opened", "TI-000001"),
        ("inspection_started", None),
        ("logout", None),
    ]


def begin(store: LocalStore) -> tuple[Session, ActiveInspection]:
    """EMP-0001 opens TI-000001 and scans its Pan v2: the checklist is on show."""
    session = session_of(store, "EMP-0001")
    assert not isinstance(session.open_request("TI-000001"), Problem)
    active = session.inspect_device(classify(PAN_V2_SERIAL))
    assert not isinstance(active, Problem)
    return session, active


def test_a_begun_inspection_is_written_when_the_app_asks(store: LocalStore) -> None:
    session, active = begin(store)
    assert store.unfinished_inspections("B-07") == []  # its checklist is drawn first
    assert session.record_pending() is None
    (begun,) = store.unfinished_inspections("B-07")
    assert begun.started == active.started
    assert session.record_pending() is None  # once
    assert [e for e, _ in events(store)] == ["login", "request_opened", "inspection_started"]


def test_its_first_answer_writes_it_first(store: LocalStore) -> None:
    session, active = begin(store)
    assert session.keep() is None  # the data's facts kept: answers to store
    (begun,) = store.unfinished_inspections("B-07")
    assert begun.started == active.started
    assert begun.answers == active.checklist.records


def test_a_cancel_writes_it_first(store: LocalStore) -> None:
    session, _ = begin(store)
    assert session.cancel_inspection() is None
    assert [e for e, _ in events(store)][-2:] == ["inspection_started", "inspection_cancelled"]
    assert store.unfinished_inspections("B-07") == []
