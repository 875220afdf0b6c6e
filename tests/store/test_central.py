"""The central schema (on SQLite and PostgreSQL), its helpers, and pulling it into a station.

PostgreSQL tests take the `pg_url` fixture (a fresh database each) and are marked
`postgres`; without BENCH_TEST_PG_URL they skip, and the SQLite ones still run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

import store.central.engine as central_engine_module
from bench.demo_data import TRADE_IN_CREDIT, demo_dataset
from bench.domain import (
    AnswerRecord,
    AnswerSource,
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
from store import migrate
from store.central import (
    CentralBase,
    add_inspector,
    central_engine,
    init_central,
    inspection_table,
    inspector_table,
    item_table,
    program_table,
    redact,
    request_table,
    write_demo_data,
)
from store.errors import CentralUnavailable, StoreError
from store.local import LocalStore
from store.sync.pull import PullCursor, cursor_name, pull_all
from tests.conftest import head_revision
from tests.support.factories import demo_model, demo_program, request_of_alike_items
from tests.support.store_helpers import outbox_rows

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

# The contract in DESIGN.md, column for column (plus the graded-value columns on programs).
CONTRACT: dict[str, set[str]] = {
    "programs": {
        "code", "name", "kind", "max_items", "max_age_years", "ship_window_days",
        "quote_valid_days", "revise_response_working_days", "ineligible_disposition",
        "value_cap_cents", "updated_at", "brand", "grade_percents", "broken_percent",
        "dirty_percent", "age_step_percent",
    },
    "catalog_models": {
        "sku", "program_code", "brand", "name", "released_on", "base_value_cents",
        "has_storage", "gtins", "updated_at",
    },
    "requests": {
        "id", "program_code", "customer_ref", "created_at", "tracking_number",
        "shipping_cost_cents", "status", "updated_at",
    },
    "request_items": {
        "id", "request_id", "sku", "declared_serial", "declared_condition", "purchased_on",
        "offer_cents", "quoted_at", "updated_at",
    },
    "inspectors": {"id", "name", "role", "pin_hash", "active", "updated_at"},
    "inspections": {
        "id", "request_item_id", "station_id", "inspector_id", "started_at", "finished_at",
        "scanned_code", "identified_sku", "answers", "grade", "outcome", "reason_codes",
        "final_cents", "disposition", "wiped", "received_at", "response_due_on", "supersedes",
        "identified_by", "chain_hash", "second_of",  # the bench's additions to the contract
    },
    "station_heartbeats": {
        "station_id", "last_seen", "queue_depth", "app_version",
        "previous_queue_depth",  # the bench's addition: the depth the heartbeat replaced
        "login",  # the bench's addition: whose row it is (migration 0013)
    },
    "evidence_chain": {
        "station_id", "seq", "kind", "ref", "prev_hash", "hash", "body", "refused", "received_at",
    },
}  # fmt: skip

# The view the portal pays from, in the contract's column order.
SETTLEMENT = [
    "request_id", "program_code", "kind", "items", "items_inspected", "items_held",
    "items_revised", "amount_cents", "status", "ready_on",
]  # fmt: skip

PROGRAM = demo_program(TRADE_IN_CREDIT)
MODEL = demo_model("WYZE-PAN-V2-TC")


def many_requests(count: int) -> list[Request]:
    """`count` requests of three items each, created the same instant (like a portal import)."""
    return [
        request_of_alike_items(
            f"TI-{n:06d}",
            PROGRAM.code,
            MODEL.sku,
            3,
            created_at=T0,
            offer_cents=1000,
            customer_ref=f"C-{n}",
            tracking_number=f"1Z{n:016d}",
        )
        for n in range(count)
    ]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def central(central_url: str) -> Iterator[Engine]:
    init_central(central_url)
    engine = central_engine(central_url)
    try:
        yield engine
    finally:
        engine.dispose()


# --- Schema ---------------------------------------------------------------------------


class TestInitCentral:
    def test_creates_every_contract_table_and_column_and_is_idempotent(
        self, central_url: str
    ) -> None:
        steps: list[str] = []
        init_central(central_url, steps.append)
        init_central(central_url, steps.append)  # a second run finds nothing to do
        engine = central_engine(central_url)
        try:
            found = inspect(engine)
            for table, columns in CONTRACT.items():
                assert {c["name"] for c in found.get_columns(table)} == columns, table
            assert found.get_pk_constraint("inspections")["constrained_columns"] == ["id"]
            assert any(
                u["column_names"] == ["tracking_number"]
                for u in found.get_unique_constraints("requests")
            )
            indexed = {
                (table, tuple(i["column_names"]))
                for table in CONTRACT
                for i in found.get_indexes(table)
            }
            keys = {"programs": "code", "catalog_models": "sku", "requests": "id"}
            for table in ("programs", "catalog_models", "requests", "request_items", "inspectors"):
                assert (table, ("updated_at", keys.get(table, "id"))) in indexed  # pull order
            assert {
                ("request_items", ("request_id", "id")),
                ("catalog_models", ("gtins",)),
                ("inspections", ("request_item_id", "finished_at")),
                ("inspections", ("station_id", "finished_at")),
                ("inspections", ("inspector_id", "finished_at")),
                ("inspections", ("supersedes",)),
                ("inspections", ("second_of",)),
                ("inspections", ("finished_at",)),
                ("inspections", ("response_due_on",)),
            } <= indexed
            assert found.get_view_names() == ["request_settlements"]
            assert [c["name"] for c in found.get_columns("request_settlements")] == SETTLEMENT
            with engine.connect() as conn:
                versions = conn.execute(text("SELECT version_num FROM bench_alembic_version"))
                assert [v for (v,) in versions] == [head_revision("central")]
        finally:
            engine.dispose()
        applied = [s for s in steps if s.startswith("Applied migration")]
        assert applied == [
            "Applied migration 0001: Central contract: programs, catalog, requests, items, "
            "inspectors, inspections, heartbeats",
            "Applied migration 0002: Item conflicts, money never negative, indexes in pull order",
            "Applied migration 0003: Programs: server defaults for the policy columns the bench "
            "adds to the contract",
            "Applied migration 0004: Inspections: response_due_on, a revised quote's last day "
            "to reject",
            "Applied migration 0005: Inspections: identified_by (scanned or picked by hand) and "
            "supersedes (a reopened item)",
            "Applied migration 0006: Request settlements: the view the portal issues refunds "
            "and discount codes from",
            "Applied migration 0007: Supervisor indexes: the figures screens and `bench report` "
            "read by",
            "Applied migration 0008: Evidence chain: each station's hash-linked entries, and the "
            "hash on inspections",
            "Applied migration 0009: Inspections: second_of (a blind second grading), and "
            "settlements that ignore it",
            "Applied migration 0010: Dispute indexes: the supervisor's search by serial, and an "
            "item's audit trail at central",
            "Applied migration 0011: Stuck indexes: what is stuck, oldest first, with no window",
            "Applied migration 0012: Heartbeats: previous_queue_depth, so a growing queue shows "
            "in one reading",
            "Applied migration 0013: Heartbeats: each station's login beats for its own station "
            "only (row-level security)",
            "Applied migration 0014: Stuck covering indexes: a request's items and their "
            "inspections from the index alone",
        ]
        assert all("password" not in s for s in steps)

    @pytest.mark.postgres
    def test_migrations_are_not_cut_short_by_a_benchs_statement_timeout(
        self, pg_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A bench's statements may take 15 s; an index over millions of inspections takes
        # longer: the migrations run with no statement timeout.
        seen: list[str] = []

        def upgrade(name: str, connection: Connection, say: Callable[[str], None]) -> None:
            seen.append(connection.exec_driver_sql("SHOW statement_timeout").scalar_one())
            migrate.upgrade_to_head(name, connection, say)

        monkeypatch.setattr(central_engine_module, "upgrade_to_head", upgrade)
        init_central(pg_url)
        assert seen == ["0"]

    def test_migrations_match_the_models(self, central: Engine) -> None:
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with central.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": "bench_alembic_version"}
            )
            assert compare_metadata(context, CentralBase.metadata) == []

    def test_a_database_from_a_newer_bench_is_refused(self, central: Engine) -> None:
        with central.begin() as conn:
            conn.execute(text("UPDATE bench_alembic_version SET version_num = '9999'"))
        with pytest.raises(StoreError, match="newer release of bench"):
            init_central(str(central.url.render_as_string(hide_password=False)))

    def test_an_unreachable_server_is_a_plain_error_without_the_password(self) -> None:
        url = "postgresql://bench:s3cret@127.0.0.1:1/central?connect_timeout=1"
        with pytest.raises(CentralUnavailable) as raised:
            init_central(url)
        message = str(raised.value)
        assert message.startswith("Cannot set up the central database at ")
        assert "s3cret" not in message
        assert "127.0.0.1:1" in message


def inspection_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": uuid.uuid4(),
        "request_item_id": "TI-000001-01",
        "station_id": "B-07",
        "inspector_id": "EMP-0001",
        "started_at": T0,
        "finished_at": T0 + timedelta(minutes=4),
        "scanned_code": "SN-1",
        "identified_sku": MODEL.sku,
        "answers": [{"question": "dirty", "value": "no"}],
        "grade": None,
        "outcome": "accept",
        "reason_codes": ["wiped_at_bench"],
        "final_cents": 1500,
        "disposition": "refurbish",
        "wiped": True,
    }
    row.update(changes)
    return row


class TestConstraintsAndTypes:
    @pytest.mark.parametrize(
        "bad",
        [{"outcome": "maybe"}, {"disposition": "shred"}, {"grade": "E"}],
        ids=["outcome", "disposition", "grade"],
    )
    def test_check_constraints_refuse_values_outside_the_contract(
        self, central: Engine, bad: dict[str, object]
    ) -> None:
        with pytest.raises(IntegrityError, match="ck_inspections_"), central.begin() as conn:
            conn.execute(insert(inspection_table), [inspection_row(**bad)])

    def test_other_tables_check_their_enumerations(self, central: Engine) -> None:
        write_demo_data(central, [PROGRAM], [MODEL], many_requests(1), [])
        statements = [
            update(program_table).values(kind="lottery"),
            update(request_table).values(status="lost"),
            update(item_table).values(declared_condition="mint"),
        ]
        for statement in statements:
            with pytest.raises(IntegrityError), central.begin() as conn:
                conn.execute(statement)
        with pytest.raises(IntegrityError), central.begin() as conn:
            conn.execute(
                insert(inspector_table),
                [{"id": "EMP-9", "name": "X", "role": "boss", "pin_hash": "h"}],
            )

    def test_inspection_row_round_trips_uuid_lists_json_and_utc(self, central: Engine) -> None:
        row = inspection_row(grade="B", reason_codes=["too_old", "dirty"])
        with central.begin() as conn:
            conn.execute(insert(inspection_table), [row])
        with central.connect() as conn:
            back = conn.execute(select(inspection_table)).mappings().one()
        assert back["id"] == row["id"]
        assert back["reason_codes"] == ["too_old", "dirty"]
        assert back["answers"] == row["answers"]
        assert back["finished_at"] == row["finished_at"]
        assert back["finished_at"].tzinfo == UTC
        assert back["received_at"].tzinfo == UTC  # stamped by the server default

    def test_an_outbox_payload_is_a_valid_central_row(
        self, central: Engine, local: LocalStore
    ) -> None:
        # The push (a later sync worker) sends the payload the local store queued; its keys
        # and values must fit the contract table as they are, once parsed.
        started = InspectionStarted(
            id=str(uuid.uuid4()),
            request_item_id="TI-000001-01",
            station_id="B-07",
            inspector_id="EMP-0001",
            started_at=T0,
            scanned_code="SN-1",
            identified_sku=None,
        )
        answer = AnswerRecord("dirty", "no", AnswerSource.INSPECTOR, "EMP-0001", T0)
        local.finish_inspection(
            FinishedInspection(
                started=started,
                finished_at=T0 + timedelta(minutes=3),
                answers=(answer,),
                grade=Grade.C,
                wiped=False,
                decision=Decision(Outcome.HOLD, 0, Disposition.HOLD, (Reason.NOT_OWNED,)),
            )
        )
        payload = dict(outbox_rows(local)[0].payload)
        payload["id"] = uuid.UUID(payload["id"])
        for key in ("started_at", "finished_at"):
            payload[key] = datetime.fromisoformat(payload[key])
        with central.begin() as conn:
            conn.execute(insert(inspection_table), [payload])
        with central.connect() as conn:
            back = conn.execute(select(inspection_table)).mappings().one()
        assert back["outcome"] == "hold"
        assert back["answers"][0]["question"] == "dirty"


@pytest.mark.postgres
def test_postgres_bumps_updated_at_when_a_writer_forgets(pg_url: str) -> None:
    init_central(pg_url)
    engine = central_engine(pg_url)
    try:
        write_demo_data(engine, [PROGRAM], [], [], [])
        with engine.connect() as conn:
            before = conn.execute(select(program_table.c.updated_at)).scalar_one()
        with engine.begin() as conn:
            conn.execute(text("UPDATE programs SET name = 'Renamed'"))  # as the portal might
        with engine.connect() as conn:
            after = conn.execute(select(program_table.c.updated_at)).scalar_one()
        assert after > before
    finally:
        engine.dispose()


# --- Engines and URLs -------------------------------------------------------------------


class TestUrls:
    @pytest.mark.parametrize(
        ("url", "shown"),
        [
            (
                "postgresql://bench:s3cret@db.example:5432/trade_in",
                "postgresql://bench:***@db.example:5432/trade_in",
            ),
            (
                "postgresql+psycopg://bench@db/trade_in?password=s3cret&sslmode=require",
                "postgresql+psycopg://bench@db/trade_in?password=***&sslmode=require",
            ),
            ("sqlite:////var/lib/bench/central.db", "sqlite:////var/lib/bench/central.db"),
            ("host=db user=bench password=s3cret", "host=db user=bench password=***"),
        ],
    )
    def test_redact_never_shows_a_password(self, url: str, shown: str) -> None:
        assert redact(url) == shown
        assert "s3cret" not in redact(url)

    def test_postgres_engine_fails_fast_and_lets_the_url_override(self) -> None:
        engine = central_engine("postgresql://bench@db/trade_in")
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.url.query["connect_timeout"] == "5"
        assert engine.url.query["options"] == (
            "-c statement_timeout=15000 -c idle_in_transaction_session_timeout=60000"
        )
        engine.dispose()

        given = central_engine(
            "postgresql://bench@db/trade_in?connect_timeout=2&options=-c%20search_path%3Dbench"
        )
        assert given.url.query["connect_timeout"] == "2"
        assert given.url.query["options"] == (
            "-c search_path=bench -c statement_timeout=15000"
            " -c idle_in_transaction_session_timeout=60000"
        )
        given.dispose()

    @pytest.mark.postgres
    def test_postgres_sessions_get_the_statement_timeout(self, pg_url: str) -> None:
        engine = central_engine(pg_url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "15s"
                idle = text("SHOW idle_in_transaction_session_timeout")
                assert conn.execute(idle).scalar_one() == "1min"
        finally:
            engine.dispose()


# --- Writing: inspectors and demo data ------------------------------------------------


class TestWriting:
    def test_add_inspector_inserts_then_updates(self, central: Engine) -> None:
        add_inspector(central, "EMP-0042", "Ana", "inspector", "hash-1")
        with central.begin() as conn:
            conn.execute(update(inspector_table).values(active=False))
        add_inspector(central, "EMP-0042", "Ana Lima", Role.SUPERVISOR, "hash-2")
        with central.connect() as conn:
            rows = conn.execute(select(inspector_table)).mappings().all()
        assert [(r["id"], r["name"], r["role"], r["pin_hash"], r["active"]) for r in rows] == [
            ("EMP-0042", "Ana Lima", "supervisor", "hash-2", True)
        ]

    def test_add_inspector_refuses_an_unknown_role(self, central: Engine) -> None:
        with pytest.raises(ValueError):
            add_inspector(central, "EMP-0042", "Ana", "boss", "hash-1")

    def test_demo_data_is_written_in_batches_with_progress_and_can_be_rewritten(
        self, central: Engine
    ) -> None:
        requests = many_requests(1200)  # 1200 requests + 3600 items
        inspectors = [(Inspector(f"EMP-{n:04d}", f"I{n}", Role.INSPECTOR), "h") for n in range(5)]
        seen: list[tuple[int, int]] = []
        write_demo_data(
            central, [PROGRAM], [MODEL], requests, inspectors, lambda d, t: seen.append((d, t))
        )
        total = 1 + 1 + 1200 + 3600 + 5
        assert seen[0] == (0, total)
        assert seen[-1] == (total, total)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)
        assert len(seen) > 5  # reported per batch, not once at the end
        write_demo_data(central, [PROGRAM], [MODEL], requests, inspectors)  # seeding again
        with central.connect() as conn:
            assert conn.execute(select(func.count()).select_from(item_table)).scalar() == 3600


def test_demo_data_writes_thousands_of_rows_well_under_a_second(sqlite_url: str) -> None:
    init_central(sqlite_url)
    engine = central_engine(sqlite_url)
    try:
        requests = many_requests(1000)  # 4000 rows with their items
        began = time.perf_counter()
        write_demo_data(engine, [PROGRAM], [MODEL], requests, [])
        elapsed = time.perf_counter() - began
    finally:
        engine.dispose()
    assert elapsed < 0.75, f"{elapsed:.2f} s for 4000 rows"


# --- Pull into a station ---------------------------------------------------------------


class TestPull:
    def test_demo_warehouse_is_copied_then_only_changes_are(
        self, central: Engine, local: LocalStore
    ) -> None:
        dataset = demo_dataset(date(2025, 3, 14))
        pins = [(i, f"hash-{i.id}") for i in dataset.inspectors]
        write_demo_data(central, dataset.programs, dataset.catalog, dataset.requests, pins)

        seen: list[tuple[str, int, int]] = []
        copied = pull_all(central, local, lambda *p: seen.append(p), batch=100)

        items = sum(len(r.items) for r in dataset.requests)
        expected = {
            "programs": len(dataset.programs),
            "catalog_models": len(dataset.catalog),
            "requests": len(dataset.requests),
            "request_items": items,
            "inspectors": len(dataset.inspectors),
        }
        assert copied == expected
        assert local.replica_counts() == expected
        assert ("requests", 0, len(dataset.requests)) in seen
        assert ("requests", len(dataset.requests), len(dataset.requests)) in seen
        for request in dataset.requests[:20]:
            assert local.find_request(request.id) == request
        for model in dataset.catalog:
            assert local.catalog_model(model.sku) == model
        for program in dataset.programs:
            assert local.program(program.code) == program
        inspector = dataset.inspectors[0]
        assert local.inspector(inspector.id) == (inspector, f"hash-{inspector.id}")

        assert pull_all(central, local) == dict.fromkeys(expected, 0)

        changed = dataset.requests[5]
        with central.begin() as conn:
            conn.execute(
                update(request_table)
                .where(request_table.c.id == changed.id)
                .values(status="cancelled", updated_at=datetime.now(UTC))
            )
        assert pull_all(central, local) == dict.fromkeys(expected, 0) | {"requests": 1}
        found = local.find_request(changed.id)
        assert found is not None
        assert found.status is RequestStatus.CANCELLED
        assert pull_all(central, local)["requests"] == 0

    def test_batches_inside_one_timestamp_lose_and_repeat_nothing(
        self, central: Engine, local: LocalStore
    ) -> None:
        # A portal import stamps every row with the same updated_at; batch boundaries fall
        # inside that run, so the cursor must carry the key as well as the time.
        write_demo_data(central, [PROGRAM], [MODEL], many_requests(50), [])
        copied = pull_all(central, local, batch=7)
        assert copied["requests"] == 50
        assert copied["request_items"] == 150
        cursor = PullCursor.decode(local.sync_cursor(cursor_name("request_items")))
        assert cursor is not None
        assert cursor.key == "TI-000049-03"
        assert pull_all(central, local, batch=7)["request_items"] == 0

    def test_a_new_row_with_an_older_key_at_the_cursor_time_is_still_pulled(
        self, central: Engine, local: LocalStore
    ) -> None:
        write_demo_data(central, [PROGRAM], [MODEL], many_requests(3), [])
        pull_all(central, local)
        cursor = PullCursor.decode(local.sync_cursor(cursor_name("requests")))
        assert cursor is not None
        with central.begin() as conn:
            conn.execute(
                update(request_table)
                .where(request_table.c.id == "TI-000000")
                .values(customer_ref="changed", updated_at=cursor.updated_at + timedelta(0, 1))
            )
        assert pull_all(central, local)["requests"] == 1
        found = local.find_request("TI-000000")
        assert found is not None
        assert found.customer_ref == "changed"

    def test_an_unreachable_central_is_central_unavailable(self, local: LocalStore) -> None:
        engine = central_engine("postgresql://bench:s3cret@127.0.0.1:1/central?connect_timeout=1")
        try:
            with pytest.raises(CentralUnavailable, match="Cannot read programs") as raised:
                pull_all(engine, local)
        finally:
            engine.dispose()
        assert "s3cret" not in str(raised.value)
        assert local.sync_cursor(cursor_name("programs")) is None
