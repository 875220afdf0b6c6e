"""The audit entry of an opened request: the session writes it once the request is on
screen (`Session.record_opened`, which the app calls after the frame), or before anything
else it writes, so the log keeps the order things happened in; with the opening's time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench.problems import Problem
from bench.scans import classify
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
    assert session.record_opened() is None
    (opened,) = [e for e in audit_events(store, 20) if e.event == "request_opened"]
    assert (opened.detail, opened.inspector_id, opened.at) == (
        {"request": "TI-000001"},
        "EMP-0001",
        NOW,
    )
    assert session.record_opened() is None  # once
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
