"""Push, pull, heartbeat and conflicts against a real PostgreSQL, through real outages."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from bench import __version__
from bench.domain import AnswerRecord, AnswerSource, Grade
from store import rows as row_shapes
from store.central import (
    central_engine,
    conflict_table,
    heartbeat_table,
    init_central,
    inspection_table,
    request_table,
)
from store.local import LocalStore, outbox_table
from store.sync import Backoff, SyncEngine
from store.sync.engine import _BatchReader
from store.sync.pgcopy import PUSHED_COLUMNS, central_row, copy_row, copy_rows
from tests.support.inspections import BASE, finished
from tests.support.netproxy import Proxy
from tests.support.store_helpers import central_count, chain_hash_of, outbox_rows, rechain


@pytest.fixture
def central(pg_url: str) -> str:
    init_central(pg_url)
    return pg_url


@pytest.fixture
def proxy(central: str) -> Iterator[Proxy]:
    url = make_url(central)
    running = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield running
    running.close()


def engine_for(local: LocalStore, url: str, station: str = "B-07", batch: int = 500) -> SyncEngine:
    return SyncEngine(local, url, station, app_version=__version__, batch_size=batch)


def set_payload(local: LocalStore, inspection_id: str, payload: str) -> None:
    """Overwrite an outbox payload with raw text, as a damaged file could hold it, and
    chain it so (damaged before it was chained): what is tested is how the push reads it."""
    with local.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET payload = ? WHERE inspection_id = ?", (payload, inspection_id)
        )
    rechain(local, inspection_id)


def payload_of(n: int) -> dict[str, Any]:
    done = finished(n)
    return row_shapes.inspection_payload(done, done.answers)


def without(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != key}


# Ways an outbox payload can be unreadable, and what its dead letter then says.
UNREADABLE: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "not JSON": (lambda p: json.dumps(p)[:-9], "JSONDecodeError"),
    "not an object": (lambda p: json.dumps([p]), "TypeError"),
    "a key missing": (lambda p: json.dumps(without(p, "outcome")), "KeyError('outcome')"),
    "a nullable key missing": (lambda p: json.dumps(without(p, "grade")), "KeyError('grade')"),
    "an id that is no UUID": (lambda p: json.dumps({**p, "id": "B-07/23"}), "badly formed"),
    "a moment without a zone": (
        lambda p: json.dumps({**p, "finished_at": "2026-11-29T09:00:30"}),
        "finished_at has no time zone",
    ),
}


def proxied(proxy: Proxy, central: str) -> str:
    database = make_url(central).database
    assert database
    return proxy.url(database)


class TestPush:
    def test_pushes_every_queued_inspection_once_and_marks_them_sent(
        self, local: LocalStore, central: str
    ) -> None:
        for n in range(1200):
            local.finish_inspection(finished(n))
        sync = engine_for(local, central)
        state = sync.run_once()
        assert state.online and state.queued == 0 and state.pushed == 1200
        assert central_count(central) == 1200
        assert all(row.sent_at is not None for row in outbox_rows(local))
        # A second round sends nothing again.
        assert sync.run_once().pushed == 0
        assert central_count(central) == 1200
        sync.close()

    def test_the_central_row_matches_what_the_bench_confirmed(
        self, local: LocalStore, central: str
    ) -> None:
        done = finished(7)
        local.finish_inspection(done)
        sync = engine_for(local, central)
        sync.run_once()
        sync.close()
        engine = central_engine(central)
        with engine.connect() as conn:
            row = conn.execute(select(inspection_table)).mappings().one()
        engine.dispose()
        assert str(row["id"]) == done.started.id
        assert row["outcome"] == done.decision.outcome.value
        assert row["final_cents"] == done.decision.final_cents
        assert row["reason_codes"] == [r.value for r in done.decision.reasons]
        assert [a["question"] for a in row["answers"]] == ["broken", "dirty", "factory_reset"]
        assert row["finished_at"] == done.finished_at
        assert row["received_at"].tzinfo is not None

    def test_a_poison_row_is_dead_lettered_and_the_rest_arrive(
        self, local: LocalStore, central: str
    ) -> None:
        for n in range(50):
            local.finish_inspection(finished(n))
        poison = finished(23).started.id
        with local.engine.begin() as conn:  # a row central will refuse: negative money
            payload = conn.execute(
                select(outbox_table.c.payload).where(outbox_table.c.inspection_id == poison)
            ).scalar_one()
            conn.execute(
                update(outbox_table)
                .where(outbox_table.c.inspection_id == poison)
                .values(payload={**payload, "final_cents": -5})
            )
        rechain(local, poison)  # so central, not the tamper check, refuses it
        sync = engine_for(local, central, batch=16)
        state = sync.run_once()
        sync.close()
        assert central_count(central) == 49
        assert state.online and state.queued == 0 and state.dead == 1
        (dead,) = local.dead_letters()
        assert dead.inspection_id == poison
        assert "final_cents" in (dead.last_error or "")

    @pytest.mark.parametrize("damage", UNREADABLE.values(), ids=UNREADABLE.keys())
    def test_an_unreadable_payload_is_dead_lettered_and_the_rest_arrive(
        self,
        local: LocalStore,
        central: str,
        damage: tuple[Callable[[dict[str, Any]], str], str],
    ) -> None:
        damaged, reason = damage
        for n in range(50):
            local.finish_inspection(finished(n))
        poison = finished(23).started.id
        set_payload(local, poison, damaged(payload_of(23)))
        sync = engine_for(local, central, batch=16)
        state = sync.run_once()
        sync.close()
        assert central_count(central) == 49
        assert central_count(central, inspection_table.c.final_cents == 1344) == sum(
            finished(n).decision.final_cents == 1344 for n in range(50) if n != 23
        )
        assert state.online and state.queued == 0 and state.dead == 1
        (dead,) = local.dead_letters()
        assert dead.inspection_id == poison
        assert (dead.last_error or "").startswith("unreadable outbox payload: ")
        assert reason in (dead.last_error or "")

    def test_every_column_arrives_as_the_payload_says(
        self, local: LocalStore, central: str
    ) -> None:
        odd = AnswerRecord(
            "notes", 'é ☃ 😀 "q" \\ \n\t', AnswerSource.OVERRIDDEN, "EMP-0002", BASE, "ü\u2028"
        )
        made = [
            finished(1),
            dataclasses.replace(finished(2), grade=Grade.B, wiped=True, answers=(odd,)),
            dataclasses.replace(
                finished(3),
                started=dataclasses.replace(finished(3).started, identified_sku=None),
                answers=(),
            ),
        ]
        for done in made:
            local.finish_inspection(done)
        # UUIDs as uuid.UUID reads them, in any form it takes: the push must agree.
        upper, braced = payload_of(1), payload_of(3)
        set_payload(local, upper["id"], json.dumps({**upper, "id": upper["id"].upper()}))
        set_payload(local, braced["id"], json.dumps({**braced, "id": f"{{{braced['id']}}}"}))
        sync = engine_for(local, central)
        assert sync.run_once().pushed == 3
        sync.close()
        engine = central_engine(central)
        with engine.connect() as conn:
            arrived = {r["id"]: r for r in conn.execute(select(inspection_table)).mappings()}
        engine.dispose()
        for row in outbox_rows(local):
            expected = central_row(row.payload, chain_hash_of(local, row.inspection_id))
            got = arrived[expected["id"]]
            assert {column: got[column] for column in expected} == expected

    def test_two_benches_inspecting_one_item_are_both_kept_and_flagged(
        self, tmp_path: Path, central: str
    ) -> None:
        for n, station in enumerate(("B-01", "B-02")):
            store = LocalStore.open(tmp_path / f"{station}.db")
            store.finish_inspection(finished(1, station=station, item="TI-000042-01"))
            store.finish_inspection(finished(10 + n, station=station))  # an item of its own
            sync = engine_for(store, central, station=station)
            assert sync.run_once().online
            sync.close()
            store.close()
        assert central_count(central, inspection_table.c.request_item_id == "TI-000042-01") == 2
        engine = central_engine(central)
        with engine.connect() as conn:
            conflicts = conn.execute(select(conflict_table)).mappings().all()
            beats = conn.execute(select(heartbeat_table)).mappings().all()
        engine.dispose()
        assert [(c["request_item_id"], c["inspections"]) for c in conflicts] == [
            ("TI-000042-01", 2)
        ]
        assert sorted(b["station_id"] for b in beats) == ["B-01", "B-02"]
        assert all(b["queue_depth"] == 0 and b["app_version"] == __version__ for b in beats)


class TestOutages:
    @pytest.mark.slow
    def test_ten_thousand_recorded_offline_arrive_exactly_once(
        self, local: LocalStore, central: str, proxy: Proxy
    ) -> None:
        proxy.cut()
        sync = engine_for(local, proxied(proxy, central))
        assert not sync.run_once().online
        for n in range(10_000):
            local.finish_inspection(finished(n))
        offline = sync.run_once()
        assert not offline.online and offline.queued == 10_000
        assert offline.offline_since is not None
        proxy.restore()
        online = sync.run_once()
        sync.close()
        assert online.online and online.queued == 0 and online.pushed == 10_000
        assert central_count(central) == 10_000
        assert local.queued_count() == 0

    def test_a_lost_commit_reply_is_retried_without_doubling(
        self, local: LocalStore, central: str, proxy: Proxy
    ) -> None:
        for n in range(30):
            local.finish_inspection(finished(n))
        sync = engine_for(local, proxied(proxy, central))
        proxy.lose_reply_after_commit = True
        lost = sync.run_once()
        assert proxy.replies_lost == 1
        assert not lost.online and lost.queued == 30  # the bench cannot know it landed
        assert central_count(central) == 30  # but central committed
        retried = sync.run_once()
        sync.close()
        assert retried.online and retried.queued == 0
        assert central_count(central) == 30

    def test_unreachable_central_fails_fast_with_the_password_hidden(
        self, local: LocalStore
    ) -> None:
        local.finish_inspection(finished(1))
        sync = engine_for(local, "postgresql://bench:s3cret@127.0.0.1:1/central")
        state = sync.run_once()
        sync.close()
        assert not state.online and state.queued == 1
        assert state.problem is not None and "s3cret" not in state.problem
        assert "127.0.0.1:1" in state.problem
        (row,) = outbox_rows(local)
        assert row.attempts == 1 and row.sent_at is None

    def test_wrong_password_or_database_is_offline_not_a_crash(
        self, local: LocalStore, central: str
    ) -> None:
        url = make_url(central).set(database="no_such_database_here")
        sync = engine_for(local, url.render_as_string(hide_password=False))
        state = sync.run_once()
        sync.close()
        assert not state.online and "no_such_database_here" in (state.problem or "")


class TestPull:
    def test_a_request_made_centrally_is_pulled_into_the_replica(
        self, local: LocalStore, central: str
    ) -> None:
        from datetime import date

        from bench.cli.demo import seed_central
        from bench.demo_data import demo_dataset

        seed_central(central, demo_dataset(date(2026, 11, 29), request_count=20))
        sync = engine_for(local, central)
        first = sync.run_once()
        assert first.pulled > 0 and local.find_request("TI-000001") is not None
        engine = create_engine(make_url(central).set(drivername="postgresql+psycopg"))
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO requests (id, program_code, customer_ref, created_at, "
                    "shipping_cost_cents, status) VALUES ('TI-777777', 'WYZE-TU', 'C-1', "
                    "now(), 500, 'in_transit')"
                )
            )
            assert conn.execute(select(func.count()).select_from(request_table)).scalar_one()
        engine.dispose()
        second = sync.run_once()
        sync.close()
        assert second.pulled == 1
        found = local.find_request("TI-777777")
        assert found is not None and found.shipping_cost_cents == 500


class TestBackoff:
    def test_doubles_up_to_the_cap_with_jitter_below_each_ceiling(self) -> None:
        import random

        backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(3))
        delays = [backoff.next_delay() for _ in range(6)]
        ceilings = [1, 2, 4, 8, 8, 8]
        assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
        backoff.reset()
        assert backoff.next_delay() <= 1.0


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON the bench's orjson could have written."""
    scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats()
    texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)
    return st.recursive(
        scalars.filter(lambda v: v == v) | texts,  # NaN: orjson writes it as null
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
        max_leaves=6,
    )


def payloads() -> st.SearchStrategy[Any]:
    """Outbox payloads from sound to damaged: keys missing, null or of another type."""
    sound = payload_of(5)
    id = sound["id"]
    ids = [id, id.upper(), id.replace("-", ""), f"urn:uuid:{id}", f" {id}", f"{id[:-1]}g", id[:-2]]
    moments = ["2026-11-29T09:00:00+00:00", "2026-11-29T09:00:00", "2026-11-29 09:00Z", "29/11"]
    change = st.one_of(
        json_values(),
        st.sampled_from(ids),
        st.sampled_from(moments),
        st.lists(st.sampled_from(["too_old", "dirty"]), max_size=2),
    )
    changes = st.dictionaries(st.sampled_from(sorted(sound)), change, max_size=3)
    gone = st.sets(st.sampled_from(sorted(sound)), max_size=1)
    objects = st.builds(
        lambda changed, gone: {k: v for k, v in {**sound, **changed}.items() if k not in gone},
        changes,
        gone,
    )
    return objects | json_values()


def typed_values(row: list[Any]) -> list[tuple[type, Any]]:
    """A COPY row with its answers decoded, every value with its type (1 is not True)."""
    values = [*row]
    answers = PUSHED_COLUMNS.index("answers")
    values[answers] = orjson.loads(values[answers])
    return [(type(v), v) for v in values]


class TestReadingTheOutbox:
    """The push reads what SQLite picks out of a payload when it can, and decodes the whole
    payload when it cannot: either way the same row, or the same reason it is unreadable."""

    @pytest.fixture
    def one_queued(self, local: LocalStore) -> LocalStore:
        local.finish_inspection(finished(5))
        return local

    # The store is made once for all the examples: each sets the one payload anew.
    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(payload=payloads())
    def test_sqlite_or_a_whole_decode_read_a_payload_alike(
        self, one_queued: LocalStore, payload: Any
    ) -> None:
        set_payload(one_queued, finished(5).started.id, orjson.dumps(payload).decode())
        (batch,) = _BatchReader(one_queued, 500)
        # As stored: SQLite keeps a bare number as a number, 2**63 as a float.
        (row,) = batch.rows or [row for row, _ in batch.unreadable]
        try:
            expected = copy_row(orjson.loads(row.payload), row.chain_hash or "")
        except (KeyError, ValueError, TypeError) as error:
            assert [problem for _, problem in batch.unreadable] == [
                f"unreadable outbox payload: {error!r}"
            ]
            return
        (got,) = batch.values
        assert typed_values(got) == typed_values(expected)


class TestCopyRow:
    @settings(max_examples=500, deadline=None)
    @given(
        text=st.uuids().map(str)
        | st.uuids().map(lambda u: u.hex.upper())
        | st.text("0123456789abcdefABCDEF- {}_urn:uid\t", max_size=40)
    )
    def test_a_uuid_is_read_as_uuid_uuid_reads_it(self, text: str) -> None:
        payload = {**payload_of(1), "id": text}
        try:
            expected = uuid.UUID(text).bytes
        except ValueError:
            with pytest.raises(ValueError):
                copy_row(payload)
            return
        assert copy_row(payload)[0] == expected


class TestReasonCodesByCopy:
    """The push dumps the reason codes (text[]) itself, for speed (`pgcopy._TextsDumper`):
    whatever list a payload holds, central stores the list psycopg's own dumper would."""

    @pytest.fixture
    def copying(self, central: str) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(central.replace("postgresql+psycopg://", "postgresql://")) as conn:
            yield conn

    # One central for all the examples: each is rolled back.
    @settings(
        max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        codes=st.lists(
            st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=9)
            | st.sampled_from(["too_old", "dirty", "prix_révisé"])
            | st.none(),
            max_size=5,
        )
    )
    def test_central_stores_the_codes_as_given(
        self, copying: psycopg.Connection[Any], codes: list[str | None]
    ) -> None:
        row = copy_row({**payload_of(3), "reason_codes": codes})
        try:
            with copying.cursor() as cursor:
                copy_rows(cursor, "inspections", [row])
                # Compared in SQL too, which tells apart arrays psycopg reads back alike.
                stored = cursor.execute(
                    "SELECT reason_codes, reason_codes = %s::text[] FROM inspections", [codes]
                ).fetchone()
        finally:
            copying.rollback()
        assert stored == (codes, True)


class TestHangingCentral:
    def test_a_statement_stuck_on_a_lock_times_out_offline_then_recovers(
        self, local: LocalStore, central: str
    ) -> None:
        import psycopg

        local.finish_inspection(finished(1))
        # A short statement timeout through the URL: libpq options pass through.
        url = make_url(central).update_query_dict({"options": "-c statement_timeout=500"})
        sync = engine_for(local, url.render_as_string(hide_password=False))
        blocker = psycopg.connect(make_url(central).set(drivername="postgresql").render_as_string(
            hide_password=False
        ))  # fmt: skip
        blocker.execute("LOCK TABLE inspections IN ACCESS EXCLUSIVE MODE")  # a stuck writer
        try:
            stuck = sync.run_once()
        finally:
            blocker.rollback()
            blocker.close()
        assert not stuck.online and "statement timeout" in (stuck.problem or "")
        assert stuck.queued == 1
        recovered = sync.run_once()
        sync.close()
        assert recovered.online and recovered.queued == 0
        assert central_count(central) == 1
