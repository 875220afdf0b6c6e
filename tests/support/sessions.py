"""Inspection sessions on a real station database, driven without a UI: log in, open a
request, answer a device's checklist, confirm."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bench.checklist import Question
from bench.demo_data import demo_dataset
from bench.domain import FinishedInspection
from bench.pins import hash_pin
from bench.problems import Problem
from bench.scans import classify
from bench.session import Session
from bench.station import StationRecords
from store.local import LocalStore

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 10, 30).astimezone()
PINS = {"EMP-0001": "1234", "EMP-0002": "4321", "EMP-0003": "1111"}
# Nothing wrong found: what a Wyze device accepted on trade-up is answered.
ALL_WELL: Mapping[Question, str] = {
    Question.BROKEN: "no",
    Question.DIRTY: "no",
    Question.FACTORY_RESET: "yes",
    Question.OWNED_OUTRIGHT: "yes",
    Question.GRADE: "A",
}
DIRTY: Mapping[Question, str] = {**ALL_WELL, Question.DIRTY: "yes"}


def write_demo_replica(store: LocalStore) -> None:
    """The demo warehouse (20 requests) in the station's replica, as a pull leaves it."""
    dataset = demo_dataset(TODAY, request_count=20)
    store.write_replica(
        programs=dataset.programs,
        models=dataset.catalog,
        requests=dataset.requests,
        inspectors=[(i, hash_pin(dataset.pins[i.id])) for i in dataset.inspectors],
    )


def session_of(
    store: StationRecords, badge: str, station_id: str = "B-07", second_share: float = 0.0
) -> Session:
    """A new session (as after a restart) with `badge` logged in; `second_share` of its
    inspections picked for a second grading (none by default)."""
    session = Session(
        store, station_id, lambda: NOW, country="US", subdivision=None, second_share=second_share
    )
    assert not isinstance(session.login(badge, PINS[badge]), Problem)
    return session


def inspect(
    session: Session,
    request_id: str,
    device: str,
    answers: Mapping[Question, str] = ALL_WELL,
    *,
    by_hand: bool = False,
) -> FinishedInspection:
    """Open the request, scan the device (or, `by_hand`, pick the item `device` names),
    keep the data's answers, answer every question asked from `answers`, and confirm."""
    assert not isinstance(session.open_request(request_id), Problem)
    active = session.inspect_item(device) if by_hand else session.inspect_device(classify(device))
    assert not isinstance(active, Problem), active
    assert session.keep() is None
    while (step := active.checklist.current) is not None:
        assert session.answer(answers[step.question]) is None, step.question
    done = session.confirm()
    assert not isinstance(done, Problem), done
    return done
