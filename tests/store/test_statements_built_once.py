"""The statements of an inspection at the bench are built once, as module constants with
their values as parameters: building one at each call, and its cache key, cost SQLAlchemy
more than SQLite took to run it (the save went from 4.5 to 3.7 ms, `python -m
benchmarks.steps`). A second inspection runs the very statements the first one ran."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from store.local import LocalStore
from tests.support.sessions import inspect, session_of, write_demo_replica


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "station.db") as opened:
        write_demo_replica(opened)
        yield opened


def executed_during(store: LocalStore, action: Callable[[], object]) -> list[object]:
    """The statement objects executed on the station database while `action` runs."""
    executed: list[object] = []

    def note(_conn: Any, clause: object, *_args: Any) -> None:
        executed.append(clause)

    event.listen(store.engine, "before_execute", note)
    try:
        action()
    finally:
        event.remove(store.engine, "before_execute", note)
    return executed


def test_a_second_inspection_runs_the_statements_the_first_one_ran(store: LocalStore) -> None:
    session = session_of(store, "EMP-0001")

    def scan_inspect_and_go_home(request_id: str, serial: str) -> None:
        inspect(session, request_id, serial)
        assert session.unfinished() == []  # what home shows
        session.close_request()

    first = executed_during(
        store, lambda: scan_inspect_and_go_home("TI-000001", "WYZECP22301595691")
    )
    second = executed_during(
        store, lambda: scan_inspect_and_go_home("TI-000004", "WYZECP21703729684")
    )
    # Looked up, begun, answered, saved, its request redrawn and home's list read.
    assert len(second) >= 12
    built_again = [str(s) for s in second if not any(s is f for f in first)]
    assert built_again == []
