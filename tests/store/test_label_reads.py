"""What `bench labels` reads from the station database: the inspectors for their badges,
an item, and the latest finished inspection of an item for its label."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from bench.domain import Inspector, Role
from store.local import LocalStore
from tests.support.inspections import ACCEPTED, REVISED, finished
from tests.support.station import dataset

ITEM = "TI-000005-01"


def test_the_latest_finished_inspection_of_an_item_is_its_label(tmp_path: Path) -> None:
    with LocalStore.open(tmp_path / "station.db") as store:
        assert store.latest_inspection(ITEM) is None
        first = dataclasses.replace(finished(1, item=ITEM), decision=ACCEPTED)
        later = dataclasses.replace(
            finished(2, item=ITEM),
            finished_at=first.finished_at + timedelta(minutes=5),
            decision=REVISED,
        )
        other = finished(3, item="TI-000005-02")
        for inspection in (later, other, first):  # the order stored does not matter
            store.finish_inspection(inspection)
        found = store.latest_inspection(ITEM)
        assert found is not None
        assert found.started.id == later.started.id
        assert found.decision == REVISED
        assert found.answers == later.answers


def test_inspectors_are_listed_by_badge_active_or_not(tmp_path: Path) -> None:
    crew = [
        Inspector("EMP-0002", "Sam", Role.SUPERVISOR),
        Inspector("EMP-0001", "Ana", Role.INSPECTOR),
        Inspector("EMP-0003", "Lee", Role.INSPECTOR, active=False),
    ]
    with LocalStore.open(tmp_path / "station.db") as store:
        assert store.inspectors() == []
        store.write_replica(inspectors=[(inspector, "hash") for inspector in crew])
        assert store.inspectors() == sorted(crew, key=lambda inspector: inspector.id)


def test_a_request_item_is_found_by_its_id(tmp_path: Path) -> None:
    request = next(request for request in dataset().requests if len(request.items) > 1)
    with LocalStore.open(tmp_path / "station.db") as store:
        store.write_replica(requests=[request])
        assert store.request_item(request.items[1].id) == request.items[1]
        assert store.request_item("TI-999999-01") is None
