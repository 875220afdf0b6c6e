"""The station's local store: durability settings, migrations, and every repository method.

Each test opens a real SQLite file in a temporary folder: the behaviour under test (WAL,
triggers, one-transaction writes) only exists in a real database file.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError

import store.local
import store.local.store
import store.rows
from bench import demo_data
from bench.domain import (
    AnswerRecord,
    AnswerSource,
    CatalogModel,
    Condition,
    Decision,
    Disposition,
    FinishedInspection,
    Grade,
    InspectionStarted,
    Inspector,
    Outcome,
    Reason,
    Request,
    RequestStatus,
    Role,
)
from store.errors import StoreError
from store.local import LocalStore
from tests.conftest import head_revision
from tests.support.factories import demo_model, demo_program, request_item
from tests.support.store_helpers import (
    audit_events,
    finished_inspection,
    finished_item_ids,
    login_failures_since,
    outbox_rows,
)

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
STATION = "B-07"

# Every graded-value field off its default, so the round trip shows each one is stored.
GRADED = dataclasses.replace(
    demo_program(demo_data.GRADED),
    grade_percents={Grade.A: 100, Grade.B: 75, Grade.C: 50, Grade.D: 25},
    broken_percent=20,
    dirty_percent=90,
    age_step_percent=12,
)
CREDIT = demo_program(demo_data.TRADE_IN_CREDIT)
# The demo's models with GTINs of every length (demo values) for the lookups below.
GTR3 = dataclasses.replace(
    demo_model("AMZ-GTR3"),
    gtins=("06972596103035", "12345670"),  # a GTIN-14 and a GTIN-8
)
PAN_V2 = dataclasses.replace(demo_model("WYZE-PAN-V2-TC"), gtins=("036000291452",))  # UPC-A
REQUEST = Request(
    id="TI-000123",
    program_code=CREDIT.code,
    customer_ref="CUST-9",
    created_at=T0 - timedelta(days=3),
    shipping_cost_cents=799,
    status=RequestStatus.IN_TRANSIT,
    tracking_number="1Z999AA10123456784",
    # Given out of order on purpose: the store returns items ordered by id.
    items=(
        request_item(
            "TI-000123-02",
            PAN_V2.sku,
            declared_condition=Condition.FAIR,
            offer_cents=1200,
            quoted_at=T0 - timedelta(days=3),
        ),
        request_item(
            "TI-000123-01",
            PAN_V2.sku,
            offer_cents=1500,
            quoted_at=T0 - timedelta(days=3),
            declared_serial="SN-1",
            purchased_on=date(2023, 5, 2),
        ),
    ),
)
ANA = Inspector(id="EMP-0001", name="Ana", role=Role.INSPECTOR)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalStore]:
    opened = LocalStore.open(tmp_path / "station.db")
    try:
        opened.write_replica(
            programs=[GRADED, CREDIT],
            models=[GTR3, PAN_V2],
            requests=[REQUEST],
            inspectors=[(ANA, "hash-of-1234")],
        )
        yield opened
    finally:
        opened.close()


def started(
    item_id: str = "TI-000123-01", station: str = STATION, at: datetime = T0
) -> InspectionStarted:
    return InspectionStarted(
        id=str(uuid.uuid4()),
        request_item_id=item_id,
        station_id=station,
        inspector_id=ANA.id,
        started_at=at,
        scanned_code="SN-1",
        identified_sku=PAN_V2.sku,
    )


def answer(
    question: str, value: str, minutes: int, source: AnswerSource = AnswerSource.INSPECTOR
) -> AnswerRecord:
    return AnswerRecord(
        question=question,
        value=value,
        source=source,
        inspector_id=ANA.id,
        answered_at=T0 + timedelta(minutes=minutes),
        reason="label says so" if source is AnswerSource.OVERRIDDEN else None,
    )


def finished(begun: InspectionStarted, answers: tuple[AnswerRecord, ...]) -> FinishedInspection:
    return FinishedInspection(
        started=begun,
        finished_at=begun.started_at + timedelta(minutes=10),
        answers=answers,
        grade=Grade.B,
        wiped=True,
        decision=Decision(
            outcome=Outcome.ACCEPT,
            final_cents=1500,
            disposition=Disposition.REFURBISH,
            reasons=(Reason.WIPED_AT_BENCH,),
        ),
    )


def table_count(local: LocalStore, table: str) -> int:
    with local.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# --- Opening the file -----------------------------------------------------------------


class TestOpen:
    def test_every_connection_is_wal_and_synchronous_full(self, tmp_path: Path) -> None:
        opened = LocalStore.open(tmp_path / "station.db")
        try:
            # Drop pooled connections so the pragmas are read from a brand-new one.
            opened.engine.dispose()
            with opened.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        finally:
            opened.close()

    def test_alembic_creates_the_schema_and_reopening_changes_nothing(self, tmp_path: Path) -> None:
        path = tmp_path / "station.db"
        first = LocalStore.open(path)
        first.write_replica(programs=[CREDIT])
        first.close()
        again = LocalStore.open(path)
        try:
            tables = set(inspect(again.engine).get_table_names())
            assert {
                "programs",
                "catalog_models",
                "catalog_gtins",
                "requests",
                "request_items",
                "inspectors",
                "inspections",
                "inspection_answers",
                "audit_log",
                "outbox",
                "sync_cursors",
                "login_failures",
                "alembic_version",
            } <= tables
            with again.engine.connect() as conn:
                versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            assert [v for (v,) in versions] == [head_revision("local")]
            assert again.program(CREDIT.code) == CREDIT
        finally:
            again.close()

    def test_migrations_match_the_models(self, local: LocalStore) -> None:
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with local.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, store.local.LocalBase.metadata) == []

    def test_a_path_under_a_file_gives_a_plain_store_error(self, tmp_path: Path) -> None:
        # Fails for root too: a regular file cannot be a folder.
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        path = blocker / "station.db"
        with pytest.raises(StoreError) as raised:
            LocalStore.open(path)
        message = str(raised.value)
        assert message.startswith(f"Cannot write the station database at {path}: ")
        assert "[store] local_path in config.toml" in message
        assert "\n" not in message

    def test_a_folder_in_place_of_the_file_gives_a_plain_store_error(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError, match="that is a folder"):
            LocalStore.open(tmp_path)

    def test_a_file_that_is_not_a_database_gives_a_plain_store_error(self, tmp_path: Path) -> None:
        path = tmp_path / "station.db"
        path.write_bytes(b"this is not SQLite" * 100)
        with pytest.raises(StoreError, match=r"station\.db: file is not a database"):
            LocalStore.open(path)

    def test_a_file_from_a_newer_bench_is_refused_in_plain_words(self, tmp_path: Path) -> None:
        path = tmp_path / "station.db"
        LocalStore.open(path).close()
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(StoreError) as raised:
            LocalStore.open(path)
        message = str(raised.value)
        assert message.startswith(f"Cannot use the station database at {path}: ")
        assert "newer release of bench" in message

    def test_importing_store_does_not_import_sqlalchemy(self) -> None:
        code = "import sys, store; print('sqlalchemy' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "False"


# --- Replica --------------------------------------------------------------------------


class TestReplica:
    def test_program_round_trips_the_graded_value_table(self, local: LocalStore) -> None:
        assert local.program(GRADED.code) == GRADED
        assert local.program(CREDIT.code) == CREDIT
        assert local.program("NOPE") is None

    def test_find_request_by_id_or_tracking_number_with_items_by_id(
        self, local: LocalStore
    ) -> None:
        by_id = local.find_request("TI-000123")
        by_tracking = local.find_request("1Z999AA10123456784")
        assert by_id is not None
        assert by_id == by_tracking
        assert [i.id for i in by_id.items] == ["TI-000123-01", "TI-000123-02"]
        assert by_id.items[0] == REQUEST.items[1]
        assert by_id.created_at == REQUEST.created_at
        assert by_id.created_at.tzinfo is not None
        assert local.find_request("TI-999999") is None

    def test_catalog_model_by_sku(self, local: LocalStore) -> None:
        assert local.catalog_model(GTR3.sku) == GTR3
        assert local.catalog_model("NOPE") is None

    @pytest.mark.parametrize(
        ("scanned", "sku"),
        [
            ("06972596103035", GTR3.sku),  # GTIN-14 as stored
            ("6972596103035", GTR3.sku),  # the same as EAN-13
            ("12345670", GTR3.sku),  # GTIN-8
            ("00000012345670", GTR3.sku),  # GTIN-8 inside a GTIN-14
            ("036000291452", PAN_V2.sku),  # UPC-A
            ("0036000291452", PAN_V2.sku),  # UPC-A as EAN-13
        ],
    )
    def test_model_by_gtin_accepts_every_gtin_length(
        self, local: LocalStore, scanned: str, sku: str
    ) -> None:
        found = local.model_by_gtin(scanned)
        assert found is not None
        assert found.sku == sku

    @pytest.mark.parametrize("scanned", ["99999999999999", "1234567", "ABCDEFGH", ""])
    def test_model_by_gtin_unknown_or_malformed_is_none(
        self, local: LocalStore, scanned: str
    ) -> None:
        assert local.model_by_gtin(scanned) is None

    def test_rewriting_a_model_moves_its_gtins(self, local: LocalStore) -> None:
        moved = CatalogModel(**{**GTR3.__dict__, "gtins": ("036000291452",)})
        local.write_replica(models=[moved])
        assert local.model_by_gtin("06972596103035") is None
        # The UPC now names both models (as one product listed in two programs would).
        assert table_count(local, "catalog_gtins") == 2

    def test_a_gtin_in_two_programs_resolves_to_the_request_programs_model(
        self, local: LocalStore
    ) -> None:
        in_graded = CatalogModel(
            **{**PAN_V2.__dict__, "sku": "PAN-V2-GR", "program_code": "AMZ-GT3"}
        )
        local.write_replica(models=[in_graded])
        for program, sku in ((PAN_V2.program_code, PAN_V2.sku), ("AMZ-GT3", "PAN-V2-GR")):
            found = local.model_by_gtin("036000291452", program)
            assert found is not None and found.sku == sku

    def test_inspector_with_pin_hash(self, local: LocalStore) -> None:
        assert local.inspector(ANA.id) == (ANA, "hash-of-1234")
        assert local.inspector("EMP-9999") is None

    def test_write_replica_updates_existing_rows(self, local: LocalStore) -> None:
        retired = Inspector(id=ANA.id, name="Ana B.", role=Role.SUPERVISOR, active=False)
        local.write_replica(inspectors=[(retired, "new-hash")])
        assert local.inspector(ANA.id) == (retired, "new-hash")
        assert local.replica_counts() == {
            "programs": 2,
            "catalog_models": 2,
            "requests": 1,
            "request_items": 2,
            "inspectors": 1,
        }

    def test_replica_rows_and_their_cursor_are_written_together(self, local: LocalStore) -> None:
        row = {
            "id": "EMP-0002",
            "name": "Sam",
            "role": "supervisor",
            "pin_hash": "h",
            "active": True,
            "updated_at": T0,
            "a_column_central_added_later": 1,
        }
        assert local.write_replica_rows("inspectors", [row], ("pull:inspectors", "c1")) == 1
        assert local.sync_cursor("pull:inspectors") == "c1"
        assert local.inspector("EMP-0002") is not None
        with pytest.raises(ValueError, match="not a replicated table"):
            local.write_replica_rows("outbox", [row])


class TestReplicaCache:
    """Programs, models and skipped rows are read once and kept until a pull writes the
    replica: each step of an inspection asks for them."""

    def test_a_model_is_read_once(self, local: LocalStore) -> None:
        statements: list[str] = []
        event.listen(local.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        assert local.catalog_model(PAN_V2.sku) == PAN_V2
        assert local.catalog_model(PAN_V2.sku) == PAN_V2
        assert local.catalog_model("NO-SUCH-SKU") is None
        assert local.catalog_model("NO-SUCH-SKU") is None
        assert len([s for s in statements if "catalog_models" in s]) == 2

    def test_a_pulled_model_program_or_skipped_row_shows_at_once(self, local: LocalStore) -> None:
        assert local.catalog_model(PAN_V2.sku) == PAN_V2
        assert local.program(CREDIT.code) == CREDIT
        assert local.quarantined_rows() == []
        renamed = dataclasses.replace(PAN_V2, name="Pan v2 (renamed)")
        skipped = store.local.SkippedRow("TI-000999", "customer_ref is empty", T0)
        pulled = {**store.rows.model_row(renamed), "updated_at": T0}
        local.write_pulled("catalog_models", [pulled], [], None, T0)
        local.write_pulled("requests", [], [skipped], None, T0)
        local.write_replica(programs=[dataclasses.replace(CREDIT, name="Credit, renamed")])
        assert local.catalog_model(PAN_V2.sku) == renamed
        assert local.program(CREDIT.code) == dataclasses.replace(CREDIT, name="Credit, renamed")
        assert [(row.table, row.key) for row in local.quarantined_rows()] == [
            ("requests", "TI-000999")
        ]
        local.write_replica_rows(
            "catalog_models", [{**store.rows.model_row(PAN_V2), "updated_at": T0}]
        )
        assert local.catalog_model(PAN_V2.sku) == PAN_V2

    def test_another_process_pull_shows_once_the_cache_is_old(
        self, local: LocalStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert local.catalog_model(PAN_V2.sku) == PAN_V2
        renamed = dataclasses.replace(PAN_V2, name="Pan v2 (renamed)")
        with LocalStore.open(local.path) as other:  # `bench sync` beside the bench
            other.write_replica(models=[renamed])
        assert local.catalog_model(PAN_V2.sku) == PAN_V2
        later = store.local.store.monotonic() + store.local.store.REPLICA_CACHE_SECONDS + 1
        monkeypatch.setattr(store.local.store, "monotonic", lambda: later)
        assert local.catalog_model(PAN_V2.sku) == renamed


# --- Inspections ----------------------------------------------------------------------


class TestInspections:
    def test_begin_then_answers_are_resumable_in_order(self, local: LocalStore) -> None:
        begun = started()
        elsewhere = started(station="B-08")
        local.begin_inspection(begun)
        local.begin_inspection(elsewhere)
        first = answer("broken", "no", 1)
        second = answer("dirty", "yes", 2, AnswerSource.OVERRIDDEN)
        again = answer("broken", "yes", 3)
        for record in (first, second, again):
            local.record_answers(begun.id, [record])

        unfinished = local.unfinished_inspections(STATION)
        assert len(unfinished) == 1
        assert unfinished[0].started == begun
        assert unfinished[0].answers == (first, second, again)
        assert [u.started.id for u in local.unfinished_inspections("B-08")] == [elsewhere.id]

        events = audit_events(local, 10)
        assert events[0].event == "inspection_started"
        assert events[0].detail["inspection_id"] == elsewhere.id

    def test_beginning_twice_is_one_inspection_and_one_audit_row(self, local: LocalStore) -> None:
        begun = started()
        local.begin_inspection(begun)
        local.begin_inspection(begun)
        assert len(local.unfinished_inspections(STATION)) == 1
        assert [e.event for e in audit_events(local, 10)] == ["inspection_started"]

    def test_answers_need_an_inspection_in_progress(self, local: LocalStore) -> None:
        with pytest.raises(StoreError, match="No inspection"):
            local.record_answers(str(uuid.uuid4()), [answer("dirty", "no", 1)])
        begun = started()
        local.finish_inspection(finished(begun, ()))
        with pytest.raises(StoreError, match="is finished"):
            local.record_answers(begun.id, [answer("dirty", "no", 1)])

    def test_ids_must_be_uuids_and_times_aware(self, local: LocalStore) -> None:
        bad = InspectionStarted(**{**started().__dict__, "id": "not-a-uuid"})
        with pytest.raises(ValueError, match="not a UUID"):
            local.begin_inspection(bad)
        naive = InspectionStarted(**{**started().__dict__, "started_at": datetime(2025, 1, 1)})
        with pytest.raises(StatementError, match="naive datetime"):
            local.begin_inspection(naive)
        assert local.unfinished_inspections(STATION) == []

    def test_cancel_leaves_the_unfinished_list_and_is_audited(self, local: LocalStore) -> None:
        begun = started()
        local.begin_inspection(begun)
        local.cancel_inspection(begun.id, ANA.id, T0 + timedelta(minutes=5))
        local.cancel_inspection(begun.id, ANA.id, T0 + timedelta(minutes=6))  # no-op
        local.cancel_inspection(str(uuid.uuid4()), ANA.id, T0)  # unknown: no-op
        assert local.unfinished_inspections(STATION) == []
        cancelled = audit_events(local, 10)[0]
        assert (cancelled.event, cancelled.station_id, cancelled.inspector_id) == (
            "inspection_cancelled",
            STATION,
            ANA.id,
        )
        assert cancelled.at == T0 + timedelta(minutes=5)
        assert [e.event for e in audit_events(local, 10)].count("inspection_cancelled") == 1

    def test_a_finished_inspection_cannot_be_cancelled(self, local: LocalStore) -> None:
        begun = started()
        local.finish_inspection(finished(begun, ()))
        with pytest.raises(StoreError, match="cannot be cancelled"):
            local.cancel_inspection(begun.id, ANA.id, T0)
        assert finished_inspection(local, begun.id) is not None

    def test_finish_writes_inspection_answers_outbox_and_audit(self, local: LocalStore) -> None:
        begun = started()
        local.begin_inspection(begun)
        early = answer("broken", "no", 1)
        local.record_answers(begun.id, [early])
        late = answer("grade", "B", 2, AnswerSource.OVERRIDDEN)
        done = finished(begun, (early, late))

        local.finish_inspection(done)

        assert finished_inspection(local, begun.id) == done
        assert local.unfinished_inspections(STATION) == []
        assert table_count(local, "inspection_answers") == 2  # `early` not stored twice
        [row] = outbox_rows(local)
        assert row.inspection_id == begun.id
        assert row.sent_at is None
        assert row.attempts == 0
        assert row.created_at.tzinfo is not None
        assert row.payload == {
            "id": begun.id,
            "request_item_id": "TI-000123-01",
            "station_id": STATION,
            "inspector_id": ANA.id,
            "started_at": "2025-03-14T09:30:00+00:00",
            "finished_at": "2025-03-14T09:40:00+00:00",
            "scanned_code": "SN-1",
            "identified_by": "scan",
            "identified_sku": PAN_V2.sku,
            "supersedes": None,
            "second_of": None,
            "answers": [
                {
                    "question": "broken",
                    "value": "no",
                    "source": "inspector",
                    "reason": None,
                    "inspector_id": ANA.id,
                    "answered_at": "2025-03-14T09:31:00+00:00",
                },
                {
                    "question": "grade",
                    "value": "B",
                    "source": "overridden",
                    "reason": "label says so",
                    "inspector_id": ANA.id,
                    "answered_at": "2025-03-14T09:32:00+00:00",
                },
            ],
            "grade": "B",
            "outcome": "accept",
            "reason_codes": ["wiped_at_bench"],
            "final_cents": 1500,
            "disposition": "refurbish",
            "wiped": True,
            "response_due_on": None,
        }
        json.dumps(row.payload)  # what the sync worker sends must be plain JSON
        audit = audit_events(local, 1)[0]
        assert audit.event == "inspection_finished"
        assert audit.detail == {
            "inspection_id": begun.id,
            "request_item_id": "TI-000123-01",
            "outcome": "accept",
            "final_cents": 1500,
            "disposition": "refurbish",
        }
        assert local.queued_count() == 1

    def test_answers_recorded_before_finish_all_stay(self, local: LocalStore) -> None:
        # The inspector went back and answered "broken" twice; the session then hands
        # finish only the answers that count. Nothing recorded is dropped.
        begun = started()
        local.begin_inspection(begun)
        superseded = answer("broken", "yes", 1)
        final = answer("broken", "no", 2)
        local.record_answers(begun.id, [superseded])
        local.record_answers(begun.id, [final])
        local.finish_inspection(finished(begun, (final, answer("dirty", "no", 3))))
        got = finished_inspection(local, begun.id)
        assert got is not None
        assert got.answers == (superseded, final, answer("dirty", "no", 3))
        assert [a["value"] for a in outbox_rows(local)[0].payload["answers"]] == [
            "yes",
            "no",
            "no",
        ]

    def test_finishing_one_never_begun_inserts_it(self, local: LocalStore) -> None:
        begun = started()
        done = finished(begun, (answer("dirty", "no", 1),))
        local.finish_inspection(done)
        assert finished_inspection(local, begun.id) == done
        assert len(outbox_rows(local)) == 1

    def test_finishing_twice_queues_once_and_keeps_the_first_result(
        self, local: LocalStore
    ) -> None:
        begun = started()
        first = finished(begun, (answer("dirty", "no", 1),))
        local.finish_inspection(first)
        retry = FinishedInspection(**{**first.__dict__, "grade": Grade.D})
        local.finish_inspection(retry)
        assert finished_inspection(local, begun.id) == first
        assert len(outbox_rows(local)) == 1
        assert [e.event for e in audit_events(local, 10)].count("inspection_finished") == 1

    def test_finished_items_and_decisions_of_a_request(self, local: LocalStore) -> None:
        done = finished(started("TI-000123-02"), ())
        local.finish_inspection(done)
        local.begin_inspection(started("TI-000123-01"))  # in progress: not finished
        assert finished_item_ids(local, "TI-000123") == {"TI-000123-02"}
        assert local.request_inspections("TI-000123").decisions == {"TI-000123-02": done.decision}
        assert finished_item_ids(local, "TI-000999") == set()

    def test_timestamps_come_back_as_the_same_instant_in_utc(self, local: LocalStore) -> None:
        pacific = timezone(timedelta(hours=-8))
        begun = started(at=datetime(2025, 3, 14, 1, 30, 0, 123456, tzinfo=pacific))
        local.begin_inspection(begun)
        [back] = local.unfinished_inspections(STATION)
        assert back.started.started_at == begun.started_at
        assert back.started.started_at.tzinfo == UTC
        assert back.started.started_at.hour == 9
        assert back.started.started_at.microsecond == 123456


def set_payload(local: LocalStore, inspection_id: str, payload: str) -> None:
    """Overwrite an outbox payload with raw text, as a damaged file could hold it."""
    with local.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET payload = ? WHERE inspection_id = ?", (payload, inspection_id)
        )


class TestOutbox:
    KEYS = ("id", "grade", "final_cents", "wiped", "reason_codes")

    def queue(self, local: LocalStore, count: int) -> list[FinishedInspection]:
        made = [finished(started(), (answer("broken", "no", 1),)) for _ in range(count)]
        for done in made:
            local.finish_inspection(done)
        return made

    def queued(self, local: LocalStore, after: int = 0) -> list[store.local.QueuedRow]:
        return local.queued(self.KEYS, text_key="answers", nullable=("grade",), after=after)

    def test_sqlite_reads_the_values_at_the_keys_and_one_as_json_text(
        self, local: LocalStore
    ) -> None:
        [done] = self.queue(local, 1)
        [row] = self.queued(local)
        assert row.inspection_id == done.started.id
        assert row.values is not None and row.text is not None
        assert json.loads(row.values) == [done.started.id, "B", 1500, True, ["wiped_at_bench"]]
        assert json.loads(row.text) == json.loads(row.payload)["answers"]
        assert json.loads(row.text)[0]["question"] == "broken"

    def test_only_rows_still_to_send_in_outbox_order_from_the_id_given(
        self, local: LocalStore
    ) -> None:
        self.queue(local, 4)
        first, second, third, fourth = (row.id for row in outbox_rows(local))
        local.mark_sent([first], T0)
        local.mark_dead(third, "refused", T0)
        assert [row.id for row in self.queued(local)] == [second, fourth]
        assert [row.id for row in self.queued(local, after=second)] == [fourth]
        limited = local.queued(self.KEYS, text_key="answers", limit=1)
        assert [row.id for row in limited] == [second]

    def test_mark_sent_marks_the_ids_given_and_no_others(self, local: LocalStore) -> None:
        self.queue(local, 3)
        ids = [row.id for row in outbox_rows(local)]
        local.mark_sent([ids[0], ids[2]], T0)
        assert [row.sent_at for row in outbox_rows(local)] == [T0, None, T0]
        assert local.queued_count() == 1

    def test_a_nullable_key_the_payload_lacks_leaves_no_values(self, local: LocalStore) -> None:
        # Null at a key reads the same as no key at all; a nullable key must be there.
        [done] = self.queue(local, 1)
        [payload] = [row.payload for row in outbox_rows(local)]
        set_payload(local, done.started.id, json.dumps({**payload, "grade": None}))
        [with_null] = self.queued(local)
        assert with_null.values is not None and json.loads(with_null.values)[1] is None
        del payload["grade"]
        set_payload(local, done.started.id, json.dumps(payload))
        [without] = self.queued(local)
        assert without.values is None and without.text is not None

    def test_a_payload_that_is_not_json_leaves_its_whole_batch_to_the_caller(
        self, local: LocalStore
    ) -> None:
        made = self.queue(local, 3)
        set_payload(local, made[1].started.id, '{"id": "unfinished')
        rows = self.queued(local)
        assert [(row.values, row.text) for row in rows] == [(None, None)] * 3
        assert rows[1].payload == '{"id": "unfinished'
        assert json.loads(rows[0].payload)["id"] == made[0].started.id

    def test_a_dead_letter_that_is_not_json_is_still_listed(self, local: LocalStore) -> None:
        made = self.queue(local, 2)
        set_payload(local, made[0].started.id, "[oops")
        local.mark_dead(outbox_rows(local)[0].id, "unreadable outbox payload", T0)
        [dead] = local.dead_letters()
        assert dead.inspection_id == made[0].started.id and dead.payload == {}
        assert outbox_rows(local)[1].payload["id"] == made[1].started.id


class TestFinishIsOneTransaction:
    """Nothing of a finish may be stored unless all of it is."""

    def _begun_with_one_answer(self, local: LocalStore) -> InspectionStarted:
        begun = started()
        local.begin_inspection(begun)
        local.record_answers(begun.id, [answer("broken", "no", 1)])
        return begun

    def _assert_untouched(self, local: LocalStore, begun: InspectionStarted) -> None:
        [still] = local.unfinished_inspections(STATION)
        assert still.started == begun
        assert still.answers == (answer("broken", "no", 1),)
        assert finished_inspection(local, begun.id) is None
        assert outbox_rows(local) == []
        assert [e.event for e in audit_events(local, 10)] == ["inspection_started"]

    def test_a_failing_outbox_insert_leaves_nothing_written(self, local: LocalStore) -> None:
        begun = self._begun_with_one_answer(local)
        with local.engine.begin() as conn:
            # Fail at the very statement that writes the outbox row, after the
            # inspection update and the answer insert have already run.
            conn.execute(
                text(
                    "CREATE TRIGGER outbox_full BEFORE INSERT ON outbox "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
        with pytest.raises(StoreError, match="disk full"):
            local.finish_inspection(finished(begun, (answer("dirty", "yes", 2),)))
        self._assert_untouched(local, begun)

    def test_a_failing_payload_leaves_nothing_written(
        self, local: LocalStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        begun = self._begun_with_one_answer(local)

        def broken_payload(*_args: object) -> dict[str, object]:
            raise RuntimeError("payload builder failed")

        monkeypatch.setattr(store.rows, "inspection_payload", broken_payload)
        with pytest.raises(RuntimeError, match="payload builder failed"):
            local.finish_inspection(finished(begun, (answer("dirty", "yes", 2),)))
        self._assert_untouched(local, begun)


# --- Audit log, login failures, concurrency ---------------------------------------------


class TestAuditLog:
    def test_events_come_back_newest_first_with_their_detail(self, local: LocalStore) -> None:
        for n in range(5):
            local.audit("login", STATION, ANA.id, {"n": n, "ok": True}, T0 + timedelta(seconds=n))
        local.audit("startup", STATION, None, {}, T0 + timedelta(seconds=9))
        events = audit_events(local, 3)
        assert [(e.event, e.detail) for e in events] == [
            ("startup", {}),
            ("login", {"n": 4, "ok": True}),
            ("login", {"n": 3, "ok": True}),
        ]
        assert events[0].inspector_id is None
        assert events[0].at == T0 + timedelta(seconds=9)

    @pytest.mark.parametrize(
        "statement", ["UPDATE audit_log SET event = 'forged'", "DELETE FROM audit_log"]
    )
    def test_the_file_refuses_to_change_or_remove_entries(
        self, local: LocalStore, statement: str
    ) -> None:
        local.audit("login", STATION, ANA.id, {}, T0)
        with (
            pytest.raises(IntegrityError, match="audit_log is append-only"),
            local.engine.begin() as conn,
        ):
            conn.execute(text(statement))
        assert [e.event for e in audit_events(local, 10)] == ["login"]


class TestLoginFailures:
    def test_record_count_list_and_clear(self, local: LocalStore) -> None:
        for minutes in (0, 5, 10):
            local.record_login_failure(ANA.id, T0 + timedelta(minutes=minutes))
        local.record_login_failure("EMP-0002", T0 + timedelta(minutes=10))
        assert login_failures_since(local, ANA.id, T0 + timedelta(minutes=5)) == 2
        assert local.login_failure_times(ANA.id, T0) == [
            T0,
            T0 + timedelta(minutes=5),
            T0 + timedelta(minutes=10),
        ]
        local.clear_login_failures(ANA.id)
        assert login_failures_since(local, ANA.id, T0) == 0
        assert login_failures_since(local, "EMP-0002", T0) == 1


def test_two_writers_on_one_file_wait_for_each_other(tmp_path: Path) -> None:
    # The UI and the sync worker write the same file from two threads (two connections);
    # BEGIN IMMEDIATE + busy_timeout must turn contention into waiting, never an error.
    path = tmp_path / "station.db"
    stores = [LocalStore.open(path), LocalStore.open(path)]
    errors: list[BaseException] = []

    def write(which: LocalStore, tag: int) -> None:
        try:
            for n in range(40):
                which.audit("tick", STATION, None, {"writer": tag, "n": n}, T0)
        except BaseException as error:  # collected for the assert below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(s, i)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert len(audit_events(stores[0], 1000)) == 80
    finally:
        for s in stores:
            s.close()


def test_a_write_while_another_holds_the_lock_too_long_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.local.engine, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "station.db"
    first = LocalStore.open(path)
    second = LocalStore.open(path)
    try:
        with first.engine.connect() as holder:
            held = holder.begin()
            # A write takes the file's write lock until the transaction ends.
            holder.execute(text("INSERT INTO sync_cursors VALUES ('held', 'by first')"))
            with pytest.raises(StoreError, match=r"Could not save .*: database is locked"):
                second.audit("tick", STATION, None, {}, T0)
            held.rollback()
        second.audit("tick", STATION, None, {}, T0)  # free again once the lock is gone
    finally:
        first.close()
        second.close()
