"""Central's conflict check after each batch of a push (PostgreSQL): items with more than one
inspection are found first, and only those are checked for two latest ones. Each case is an
item with several inspections, so a first pass that missed any would miss its conflict."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, select

from store import rows as row_shapes
from store.central import central_engine, conflict_table, init_central
from store.sync.pgcopy import copy_row, store_batch
from tests.support.inspections import BASE, finished

ITEM = "TI-000042-01"
_OTHERS = itertools.count(900)


@pytest.fixture
def central(pg_url: str) -> Iterator[Connection]:
    init_central(pg_url)
    engine = central_engine(pg_url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def inspection(n: int, station: str = "B-07", **links: str) -> dict[str, Any]:
    """The n-th inspection of ITEM at `station`, superseding or grading again another."""
    done = finished(n, station=station, item=ITEM)
    return {**row_shapes.inspection_payload(done, done.answers), **links}


def push(conn: Connection, *payloads: dict[str, Any]) -> None:
    """One batch of a push, with an inspection of another item besides."""
    done = finished(next(_OTHERS))
    other = row_shapes.inspection_payload(done, done.answers)
    store_batch(conn, [copy_row(p) for p in (*payloads, other)], BASE)


def conflicts(conn: Connection) -> list[tuple[str, int]]:
    with conn.begin():
        found = conn.execute(select(conflict_table.c.request_item_id, conflict_table.c.inspections))
        return [(item, count) for item, count in found]


def test_two_benches_in_two_batches_are_a_conflict(central: Connection) -> None:
    push(central, inspection(1, "B-01"))
    assert conflicts(central) == []
    push(central, inspection(2, "B-02"))
    assert conflicts(central) == [(ITEM, 2)]


def test_two_in_one_batch_are_a_conflict(central: Connection) -> None:
    push(central, inspection(1, "B-01"), inspection(2, "B-02"))
    assert conflicts(central) == [(ITEM, 2)]


def test_a_third_bench_updates_the_count(central: Connection) -> None:
    push(central, inspection(1, "B-01"), inspection(2, "B-02"))
    push(central, inspection(3, "B-03"))
    assert conflicts(central) == [(ITEM, 3)]


def test_a_chain_of_reopened_inspections_is_no_conflict(central: Connection) -> None:
    first = inspection(1)
    second = inspection(2, supersedes=first["id"])
    push(central, first)
    push(central, second)
    push(central, inspection(3, supersedes=second["id"]))
    assert conflicts(central) == []


def test_a_second_grading_is_no_conflict(central: Connection) -> None:
    first = inspection(1)
    push(central, first)
    push(central, inspection(2, "B-02", second_of=first["id"]))
    assert conflicts(central) == []


def test_another_bench_after_a_chain_or_a_second_grading_is_a_conflict_of_two(
    central: Connection,
) -> None:
    # Three inspections each time, of which two are latest and count.
    first = inspection(1)
    push(central, first, inspection(2, supersedes=first["id"]))
    push(central, inspection(3, "B-02"))
    assert conflicts(central) == [(ITEM, 2)]
    push(central, inspection(4, "B-03", second_of=first["id"]))
    assert conflicts(central) == [(ITEM, 2)]


def test_two_reopened_inspections_of_the_same_one_are_a_conflict(central: Connection) -> None:
    # Both supersede the first; neither the other: two latest, though only one supersedes nothing.
    first = inspection(1)
    push(central, first)
    push(central, inspection(2, "B-01", supersedes=first["id"]))
    push(central, inspection(3, "B-02", supersedes=first["id"]))
    assert conflicts(central) == [(ITEM, 2)]
