"""The station's own SQLite file: the replica it works from offline, and everything it records.

The bench must keep working when the network is down and must never lose a confirmed
inspection, so:

- every connection runs in WAL mode with `synchronous=FULL`: a commit is on disk before the
  screen says "saved", whatever happens next (kill -9, power loss);
- a finished inspection, its answers, its outbox row and its audit row are written in one
  transaction (`finish_inspection`), so the outbox can never miss a confirmed result;
- the audit log is append-only, enforced by triggers in the file itself.

SQLite's Python driver, left to itself, starts transactions late (not before a SELECT) and
never for DDL; we take over BEGIN (the recipe in SQLAlchemy's SQLite docs) so every
transaction here is a real one, and writers start with BEGIN IMMEDIATE so two threads (the
UI and the sync worker) queue on `busy_timeout` instead of failing mid-transaction.

Every public method opens its own short transaction and returns `bench.domain` types (or the
small dataclasses below), never ORM rows, so callers cannot hold a session open by accident.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple, Self

import orjson
from sqlalchemy import (
    JSON,
    URL,
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Connection,
    Date,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from bench.domain import (
    AnswerRecord,
    CatalogModel,
    Decision,
    Disposition,
    FinishedInspection,
    Grade,
    InspectionStarted,
    Inspector,
    Outcome,
    ProgramPolicy,
    Reason,
    Request,
    UnfinishedInspection,
)
from bench.station import Refused
from store import rows
from store.dbutil import upsert, why
from store.errors import StoreError
from store.migrate import UnknownSchemaVersion, upgrade_to_head
from store.sqltypes import NAMING_CONVENTION, TextList, UTCDateTime

__all__ = [
    "AuditEvent",
    "LocalBase",
    "LocalStore",
    "OutboxRow",
    "StoreError",
]

# How long a writer waits for another connection's write lock before giving up. The sync
# worker's transactions are short; five seconds is far beyond any of them.
BUSY_TIMEOUT_MS = 5000

IN_PROGRESS = "in_progress"
FINISHED = "finished"
CANCELLED = "cancelled"

# Connection execution option read by the "begin" listener to choose BEGIN's mode.
_BEGIN_MODE = "bench_begin_mode"
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class LocalBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- Replica of the central tables ------------------------------------------------------
# Same column names as the central contract so pulled rows copy across as they are. No
# foreign keys or CHECKs: central enforces those, and a replica that refused a row central
# accepted (a status added later, an item pulled before its request) would stall the pull.


class _Replica:
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProgramReplica(_Replica, LocalBase):
    __tablename__ = "programs"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    max_items: Mapped[int] = mapped_column(Integer)
    max_age_years: Mapped[int] = mapped_column(Integer)
    ship_window_days: Mapped[int] = mapped_column(Integer)
    quote_valid_days: Mapped[int] = mapped_column(Integer)
    revise_response_working_days: Mapped[int] = mapped_column(Integer)
    ineligible_disposition: Mapped[str] = mapped_column(Text)
    value_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    brand: Mapped[str | None] = mapped_column(Text)
    grade_percents: Mapped[dict[str, int]] = mapped_column(JSON)
    broken_percent: Mapped[int] = mapped_column(Integer)
    dirty_percent: Mapped[int] = mapped_column(Integer)
    age_step_percent: Mapped[int] = mapped_column(Integer)


class CatalogModelReplica(_Replica, LocalBase):
    __tablename__ = "catalog_models"

    sku: Mapped[str] = mapped_column(Text, primary_key=True)
    program_code: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    released_on: Mapped[date] = mapped_column(Date)
    base_value_cents: Mapped[int] = mapped_column(BigInteger)
    has_storage: Mapped[bool] = mapped_column(Boolean)
    gtins: Mapped[list[str]] = mapped_column(TextList())


class CatalogGtin(LocalBase):
    """GTIN (14-digit form) -> models, so a scanned barcode is one indexed lookup instead
    of a scan through every model's JSON list. Rebuilt whenever models are written. A
    product listed in two programs is one GTIN with a sku in each program."""

    __tablename__ = "catalog_gtins"

    gtin: Mapped[str] = mapped_column(Text, primary_key=True)
    sku: Mapped[str] = mapped_column(Text, primary_key=True, index=True)


class RequestReplica(_Replica, LocalBase):
    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    program_code: Mapped[str] = mapped_column(Text)
    customer_ref: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Indexed, not unique: central guarantees uniqueness; a swap of two tracking numbers
    # pulled in two batches must not trip the replica.
    tracking_number: Mapped[str | None] = mapped_column(Text, index=True)
    shipping_cost_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text)


class RequestItemReplica(_Replica, LocalBase):
    __tablename__ = "request_items"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    request_id: Mapped[str] = mapped_column(Text, index=True)
    sku: Mapped[str] = mapped_column(Text)
    declared_serial: Mapped[str | None] = mapped_column(Text)
    declared_condition: Mapped[str] = mapped_column(Text)
    purchased_on: Mapped[date | None] = mapped_column(Date)
    offer_cents: Mapped[int] = mapped_column(BigInteger)
    quoted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectorReplica(_Replica, LocalBase):
    __tablename__ = "inspectors"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    pin_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)


# --- What the station records ---------------------------------------------------------


def _one_of(column: str, values: Sequence[str], nullable: bool = False) -> str:
    check = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{column} IS NULL OR {check}" if nullable else check


class InspectionLocal(LocalBase):
    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(_one_of("status", (IN_PROGRESS, FINISHED, CANCELLED)), name="status"),
        CheckConstraint(_one_of("outcome", [o.value for o in Outcome], True), name="outcome"),
        CheckConstraint(
            _one_of("disposition", [d.value for d in Disposition], True), name="disposition"
        ),
        CheckConstraint(_one_of("grade", [g.value for g in Grade], True), name="grade"),
        # "What is unfinished at this station" runs at every start-up.
        Index("ix_inspections_status_station_id", "status", "station_id"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # UUID as text
    request_item_id: Mapped[str] = mapped_column(Text, index=True)
    station_id: Mapped[str] = mapped_column(Text)
    inspector_id: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(Text)
    scanned_code: Mapped[str] = mapped_column(Text)
    identified_sku: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    reason_codes: Mapped[list[str]] = mapped_column(TextList())
    final_cents: Mapped[int | None] = mapped_column(BigInteger)
    disposition: Mapped[str | None] = mapped_column(Text)
    wiped: Mapped[bool] = mapped_column(Boolean)


class InspectionAnswer(LocalBase):
    """Append-only: answering again adds a row; the latest per question counts."""

    __tablename__ = "inspection_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    inspector_id: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(LocalBase):
    """Who did what, when. Triggers (first migration) refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    station_id: Mapped[str] = mapped_column(Text)
    inspector_id: Mapped[str | None] = mapped_column(Text)
    event: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxEntry(LocalBase):
    """A finished inspection waiting for (or done with) its push to central."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set when central refused the row for good (a constraint it breaks): the row stays
    # here for a supervisor, out of the queue, so the rows behind it keep flowing.
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncCursor(LocalBase):
    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LoginFailure(LocalBase):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_inspector_id_at", "inspector_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspector_id: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


def _table(model: type[LocalBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


program_table = _table(ProgramReplica)
catalog_table = _table(CatalogModelReplica)
gtin_table = _table(CatalogGtin)
request_table = _table(RequestReplica)
item_table = _table(RequestItemReplica)
inspector_table = _table(InspectorReplica)
inspection_table = _table(InspectionLocal)
answer_table = _table(InspectionAnswer)
audit_table = _table(AuditEntry)
outbox_table = _table(OutboxEntry)
cursor_table = _table(SyncCursor)
login_failure_table = _table(LoginFailure)

# The replicated tables by their central name (the same name here).
REPLICA_TABLES: dict[str, Table] = {
    t.name: t for t in (program_table, catalog_table, request_table, item_table, inspector_table)
}


# --- Small result types ---------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    id: int
    inspection_id: str
    payload: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None = None
    dead_at: datetime | None = None


class QueuedRow(NamedTuple):
    """An outbox row waiting to be sent, with what SQLite read out of its payload.

    A tuple, not a dataclass: a long sync makes 100,000 of these.
    """

    id: int
    inspection_id: str
    payload: str
    """The payload as stored (JSON text): for a reader that cannot use `values`."""
    values: str | None
    """The payload's values at the keys asked for, as one JSON array (see `queued`)."""
    text: str | None
    """The payload's value at `text_key`, as JSON text."""


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    station_id: str
    inspector_id: str | None
    event: str
    detail: dict[str, Any]


# --- Engine ---------------------------------------------------------------------------


def json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _engine(path: Path, *, foreign_keys: bool, pooled: bool = True) -> Engine:
    url = URL.create("sqlite", database=str(path))
    # orjson: the outbox is JSON, and a long sync spends much of its time decoding it.
    engine = create_engine(
        url,
        poolclass=None if pooled else NullPool,
        json_serializer=json_text,
        json_deserializer=orjson.loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (see `_on_begin`); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown BEGIN mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _payload(stored: str) -> dict[str, Any]:
    """An outbox payload decoded; one that is no JSON object reads as empty."""
    try:
        payload = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _cannot_write(path: Path, reason: str) -> StoreError:
    return StoreError(
        f"Cannot write the station database at {path}: {reason}. "
        "Check the [store] local_path in config.toml and the folder's permissions."
    )


def _check_uuid(inspection_id: str) -> None:
    # Central keys inspections by UUID; an id that is not one would be refused at every
    # push and sit in the outbox forever, so refuse it here where the bug is.
    try:
        uuid.UUID(inspection_id)
    except ValueError:
        raise ValueError(f"inspection id {inspection_id!r} is not a UUID") from None


def _decision(row: rows.RowIn) -> Decision:
    return Decision(
        outcome=Outcome(row["outcome"]),
        final_cents=row["final_cents"],
        disposition=Disposition(row["disposition"]),
        reasons=tuple(Reason(code) for code in row["reason_codes"]),
    )


def _answer_key(answer: AnswerRecord) -> tuple[object, ...]:
    return (
        answer.question,
        answer.value,
        answer.source.value,
        answer.reason,
        answer.inspector_id,
        answer.answered_at,
    )


# --- The store ------------------------------------------------------------------------


class LocalStore:
    """The station database. Open with `LocalStore.open(path)`; thread-safe (one engine,
    a connection pool, a short transaction per call)."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> LocalStore:
        """Open (creating or migrating) the station database at `path`.

        Raises StoreError, naming the path and the cause, when it cannot be written or was
        written by a newer release of bench.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _cannot_write(path, error.strerror or str(error)) from error
        if path.is_dir():
            raise _cannot_write(path, "that is a folder, not a file")

        # Migrations run on their own connection with foreign keys off: SQLite's way to
        # alter a table is to rebuild it, which foreign key checks would refuse.
        migrator = _engine(path, foreign_keys=False, pooled=False)
        try:
            with migrator.begin() as connection:
                upgrade_to_head("local", connection)
        except DBAPIError as error:
            raise _cannot_write(path, why(error)) from error
        except UnknownSchemaVersion as error:
            raise StoreError(
                f"Cannot use the station database at {path}: {error}. Run the bench "
                "release that wrote it, or move the file away to start a new one."
            ) from error
        finally:
            migrator.dispose()

        store = cls(_engine(path, foreign_keys=True), path)
        try:
            # At head the migration wrote nothing, so a read-only file would go unnoticed
            # until the first inspection. Taking the write lock proves we can write now.
            with store._writer.begin():
                pass
        except DBAPIError as error:
            store.close()
            raise _cannot_write(path, why(error)) from error
        return store

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as connection:
                yield connection
        except DBAPIError as error:
            raise StoreError(
                f"Cannot read the station database at {self.path}: {why(error)}"
            ) from error

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._writer.begin() as connection:
                yield connection
        except DBAPIError as error:
            raise StoreError(
                f"Could not save to the station database at {self.path}: {why(error)}"
            ) from error

    # --- Replica: lookups ---------------------------------------------------------------

    def program(self, code: str) -> ProgramPolicy | None:
        with self._read() as conn:
            row = conn.execute(select(program_table).where(program_table.c.code == code))
            found = row.mappings().first()
        return None if found is None else rows.program_from_row(found)

    def find_request(self, code: str) -> Request | None:
        """The request whose id or tracking number is `code`, with its items by id."""
        code = code.strip()
        with self._read() as conn:
            found = (
                conn.execute(
                    select(request_table)
                    .where(or_(request_table.c.id == code, request_table.c.tracking_number == code))
                    # An id match wins over a tracking number that happens to look the same.
                    .order_by((request_table.c.id == code).desc(), request_table.c.id)
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if found is None:
                return None
            items = conn.execute(
                select(item_table)
                .where(item_table.c.request_id == found["id"])
                .order_by(item_table.c.id)
            ).mappings()
            return rows.request_from_row(found, [rows.item_from_row(i) for i in items])

    def catalog_model(self, sku: str) -> CatalogModel | None:
        with self._read() as conn:
            found = (
                conn.execute(select(catalog_table).where(catalog_table.c.sku == sku))
                .mappings()
                .first()
            )
        return None if found is None else rows.model_from_row(found)

    def model_by_gtin(self, gtin: str, program_code: str | None = None) -> CatalogModel | None:
        """The model with this GTIN, given as 8, 12, 13 or 14 digits; None if unknown.

        When the product is listed in several programs, the row of `program_code` wins.
        """
        normal = rows.normalise_gtin(gtin)
        if normal is None:
            return None
        with self._read() as conn:
            found = (
                conn.execute(
                    select(catalog_table)
                    .join(gtin_table, gtin_table.c.sku == catalog_table.c.sku)
                    .where(gtin_table.c.gtin == normal)
                    .order_by(
                        (catalog_table.c.program_code == (program_code or "")).desc(),
                        catalog_table.c.sku,
                    )
                )
                .mappings()
                .first()
            )
        return None if found is None else rows.model_from_row(found)

    def inspector(self, id: str) -> tuple[Inspector, str] | None:
        """The inspector and their PIN hash, or None."""
        with self._read() as conn:
            found = (
                conn.execute(select(inspector_table).where(inspector_table.c.id == id))
                .mappings()
                .first()
            )
        return None if found is None else rows.inspector_from_row(found)

    def replica_counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in REPLICA_TABLES.items()
            }

    def sync_cursor(self, name: str) -> str | None:
        with self._read() as conn:
            value: str | None = conn.execute(
                select(cursor_table.c.value).where(cursor_table.c.name == name)
            ).scalar_one_or_none()
            return value

    # --- Replica: writes ----------------------------------------------------------------

    def write_replica(
        self,
        *,
        programs: Sequence[ProgramPolicy] = (),
        models: Sequence[CatalogModel] = (),
        requests: Sequence[Request] = (),
        inspectors: Sequence[tuple[Inspector, str]] = (),
    ) -> None:
        """Insert or update replica rows from domain objects, in one transaction.

        `requests` bring their items. Rows are never deleted: central retires things by
        status (a cancelled request, an inactive inspector), not by removing them.
        """
        now = utcnow()
        batches: list[tuple[str, list[rows.Row]]] = [
            ("programs", [rows.program_row(p) for p in programs]),
            ("catalog_models", [rows.model_row(m) for m in models]),
            ("requests", [rows.request_row(r) for r in requests]),
            ("request_items", [rows.item_row(i) for r in requests for i in r.items]),
            ("inspectors", [rows.inspector_row(i, pin) for i, pin in inspectors]),
        ]
        with self._write() as conn:
            for name, values in batches:
                for value in values:
                    value["updated_at"] = now
                self._upsert_replica(conn, name, values)

    def write_replica_rows(
        self,
        table: str,
        values: Sequence[Mapping[str, Any]],
        cursor: tuple[str, str] | None = None,
    ) -> int:
        """Upsert rows shaped like the central table `table`; set a sync cursor with them.

        The cursor is written in the same transaction as the rows, so a cursor can never
        run ahead of what was stored (a crash between the two would otherwise skip rows
        forever). Columns the replica does not have are ignored. Returns rows written.
        """
        with self._write() as conn:
            written = self._upsert_replica(conn, table, values)
            if cursor is not None:
                name, value = cursor
                upsert(conn, cursor_table, [{"name": name, "value": value}])
        return written

    def _upsert_replica(
        self, conn: Connection, table_name: str, values: Sequence[Mapping[str, Any]]
    ) -> int:
        table = REPLICA_TABLES.get(table_name)
        if table is None:
            raise ValueError(f"{table_name!r} is not a replicated table")
        if not values:
            return 0
        columns = set(table.columns.keys())
        cleaned = [{k: v for k, v in value.items() if k in columns} for value in values]
        upsert(conn, table, cleaned)
        if table is catalog_table:
            skus = [value["sku"] for value in cleaned]
            conn.execute(delete(gtin_table).where(gtin_table.c.sku.in_(skus)))
            # Unusable GTINs (wrong length, letters) are kept in the model's own list but
            # left out of the lookup: no scan could ever match them.
            # One product listed in two programs has one GTIN and two skus: keep both.
            lookup = {
                (normal, value["sku"])
                for value in cleaned
                for gtin in value.get("gtins") or ()
                if (normal := rows.normalise_gtin(gtin)) is not None
            }
            upsert(conn, gtin_table, [{"gtin": g, "sku": s} for g, s in sorted(lookup)])
        return len(cleaned)

    # --- Inspections --------------------------------------------------------------------

    def begin_inspection(self, started: InspectionStarted) -> None:
        """Record an inspection as in progress, so it can be resumed after a crash.

        Beginning the same inspection again is a no-op (and is not audited twice).
        """
        _check_uuid(started.id)
        with self._write() as conn:
            result = conn.execute(
                sqlite.insert(inspection_table)
                .values(self._started_values(started, IN_PROGRESS))
                .on_conflict_do_nothing(index_elements=["id"])
            )
            if result.rowcount:
                self._audit(
                    conn,
                    "inspection_started",
                    started.station_id,
                    started.inspector_id,
                    {
                        "inspection_id": started.id,
                        "request_item_id": started.request_item_id,
                        "scanned_code": started.scanned_code,
                    },
                    started.started_at,
                )

    @staticmethod
    def _started_values(started: InspectionStarted, status: str) -> rows.Row:
        return {
            "id": started.id,
            "request_item_id": started.request_item_id,
            "station_id": started.station_id,
            "inspector_id": started.inspector_id,
            "started_at": started.started_at,
            "status": status,
            "scanned_code": started.scanned_code,
            "identified_sku": started.identified_sku,
            "reason_codes": [],
            "wiped": False,
        }

    def record_answer(self, inspection_id: str, answer: AnswerRecord) -> None:
        """Append one answer to an inspection in progress."""
        with self._write() as conn:
            status = self._status(conn, inspection_id)
            if status is None:
                raise StoreError(f"No inspection {inspection_id} to record an answer for.")
            if status != IN_PROGRESS:
                raise StoreError(
                    f"Inspection {inspection_id} is {status}; it takes no more answers."
                )
            conn.execute(answer_table.insert(), [rows.answer_row(inspection_id, answer)])

    def unfinished_inspections(self, station_id: str) -> list[UnfinishedInspection]:
        """Inspections in progress at this station, oldest first, with answers in order."""
        with self._read() as conn:
            found = (
                conn.execute(
                    select(inspection_table)
                    .where(
                        inspection_table.c.status == IN_PROGRESS,
                        inspection_table.c.station_id == station_id,
                    )
                    .order_by(inspection_table.c.started_at, inspection_table.c.id)
                )
                .mappings()
                .all()
            )
            answers = self._answers(conn, [row["id"] for row in found])
        return [
            UnfinishedInspection(
                started=self._started_from_row(row), answers=tuple(answers.get(row["id"], ()))
            )
            for row in found
        ]

    def cancel_inspection(self, inspection_id: str, inspector_id: str, at: datetime) -> None:
        """Cancel an inspection in progress.

        Cancelling an unknown or already cancelled inspection is a no-op; cancelling a
        finished one raises StoreError, since its result may already be on its way.
        """
        with self._write() as conn:
            row = (
                conn.execute(
                    select(inspection_table.c.status, inspection_table.c.station_id).where(
                        inspection_table.c.id == inspection_id
                    )
                )
                .mappings()
                .first()
            )
            if row is None or row["status"] == CANCELLED:
                return
            if row["status"] == FINISHED:
                raise StoreError(f"Inspection {inspection_id} is finished; it cannot be cancelled.")
            conn.execute(
                update(inspection_table)
                .where(inspection_table.c.id == inspection_id)
                .values(status=CANCELLED)
            )
            self._audit(
                conn,
                "inspection_cancelled",
                row["station_id"],
                inspector_id,
                {"inspection_id": inspection_id},
                at,
            )

    def finish_inspection(self, done: FinishedInspection) -> None:
        """Store a confirmed inspection and queue it for central, in ONE transaction.

        Writes the inspection row (inserting it if it was never begun), the answers of
        `done.answers` not already recorded (an answer counts as recorded when a stored row
        matches it in every field; rows recorded earlier all stay), the outbox row carrying
        the central payload (all stored answers, in recording order) and the audit row.

        Idempotent: if the inspection is already finished this is a no-op; the first
        confirmed result stands (a retry after a crash must not queue it twice). A cancelled
        inspection that is then confirmed becomes finished: what the inspector confirmed
        on screen is never dropped.
        """
        started = done.started
        _check_uuid(started.id)
        with self._write() as conn:
            status = self._status(conn, started.id)
            if status == FINISHED:
                return
            finished = {
                "finished_at": done.finished_at,
                "status": FINISHED,
                **rows.outcome_columns(done),
            }
            if status is None:
                conn.execute(
                    inspection_table.insert(),
                    [self._started_values(started, FINISHED) | finished],
                )
            else:
                conn.execute(
                    update(inspection_table)
                    .where(inspection_table.c.id == started.id)
                    .values(finished)
                )

            stored = self._answers(conn, [started.id]).get(started.id, [])
            unmatched = Counter(_answer_key(a) for a in stored)
            new = []
            for answer in done.answers:
                key = _answer_key(answer)
                if unmatched[key]:
                    unmatched[key] -= 1
                else:
                    new.append(answer)
            if new:
                conn.execute(answer_table.insert(), [rows.answer_row(started.id, a) for a in new])

            payload = rows.inspection_payload(done, [*stored, *new])
            conn.execute(
                outbox_table.insert(),
                [
                    {
                        "inspection_id": started.id,
                        "payload": payload,
                        "created_at": utcnow(),
                        "attempts": 0,
                    }
                ],
            )
            self._audit(
                conn,
                "inspection_finished",
                started.station_id,
                started.inspector_id,
                {
                    "inspection_id": started.id,
                    "request_item_id": started.request_item_id,
                    "outcome": done.decision.outcome.value,
                    "final_cents": done.decision.final_cents,
                    "disposition": done.decision.disposition.value,
                },
                done.finished_at,
            )

    def finished_item_ids(self, request_id: str) -> set[str]:
        """Items of the request that already have a finished inspection (at this bench)."""
        items = select(item_table.c.id).where(item_table.c.request_id == request_id)
        with self._read() as conn:
            return set(
                conn.execute(
                    select(inspection_table.c.request_item_id)
                    .where(
                        inspection_table.c.status == FINISHED,
                        inspection_table.c.request_item_id.in_(items),
                    )
                    .distinct()
                ).scalars()
            )

    def finished_decisions(self, request_id: str) -> dict[str, Decision]:
        """Item id -> the decision of its latest finished inspection, for one request."""
        items = select(item_table.c.id).where(item_table.c.request_id == request_id)
        with self._read() as conn:
            found = conn.execute(
                select(inspection_table)
                .where(
                    inspection_table.c.status == FINISHED,
                    inspection_table.c.request_item_id.in_(items),
                )
                # Later rows overwrite earlier ones below, so the latest inspection wins.
                .order_by(inspection_table.c.finished_at, inspection_table.c.id)
            ).mappings()
            return {row["request_item_id"]: _decision(row) for row in found}

    def finished_inspection(self, inspection_id: str) -> FinishedInspection | None:
        with self._read() as conn:
            row = (
                conn.execute(
                    select(inspection_table).where(
                        inspection_table.c.id == inspection_id,
                        inspection_table.c.status == FINISHED,
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            answers = self._answers(conn, [inspection_id]).get(inspection_id, [])
        return FinishedInspection(
            started=self._started_from_row(row),
            finished_at=row["finished_at"],
            answers=tuple(answers),
            grade=None if row["grade"] is None else Grade(row["grade"]),
            wiped=bool(row["wiped"]),
            decision=_decision(row),
        )

    @staticmethod
    def _status(conn: Connection, inspection_id: str) -> str | None:
        status: str | None = conn.execute(
            select(inspection_table.c.status).where(inspection_table.c.id == inspection_id)
        ).scalar_one_or_none()
        return status

    @staticmethod
    def _answers(conn: Connection, ids: Sequence[str]) -> dict[str, list[AnswerRecord]]:
        by_inspection: dict[str, list[AnswerRecord]] = {}
        if not ids:
            return by_inspection
        found = conn.execute(
            select(answer_table)
            .where(answer_table.c.inspection_id.in_(ids))
            .order_by(answer_table.c.id)
        ).mappings()
        for row in found:
            by_inspection.setdefault(row["inspection_id"], []).append(rows.answer_from_row(row))
        return by_inspection

    @staticmethod
    def _started_from_row(row: rows.RowIn) -> InspectionStarted:
        return InspectionStarted(
            id=row["id"],
            request_item_id=row["request_item_id"],
            station_id=row["station_id"],
            inspector_id=row["inspector_id"],
            started_at=row["started_at"],
            scanned_code=row["scanned_code"],
            identified_sku=row["identified_sku"],
        )

    # --- Outbox -------------------------------------------------------------------------

    def outbox_rows(
        self, *, pending_only: bool = False, after: int = 0, limit: int | None = None
    ) -> list[OutboxRow]:
        """Outbox rows, oldest first, from outbox id `after` on; `pending_only`: only those
        still to send (not sent, not dead-lettered)."""
        query = (
            select(outbox_table)
            .where(outbox_table.c.id > after)
            .order_by(outbox_table.c.id)
            .limit(limit)
        )
        if pending_only:
            query = query.where(outbox_table.c.sent_at.is_(None), outbox_table.c.dead_at.is_(None))
        return self._outbox(query)

    def queued(
        self,
        keys: Sequence[str],
        *,
        text_key: str,
        nullable: Collection[str] = (),
        after: int = 0,
        limit: int = 500,
    ) -> list[QueuedRow]:
        """The next rows to send, from outbox id `after` on, their payloads read by SQLite.

        A long sync reads 100,000 of these. SQLite picks the values at `keys` out of each
        payload into one short JSON array, and the value at `text_key` (the answers) as the
        JSON text it already is, so Python decodes neither the whole payload nor what it
        would only encode again. In `values` a missing key reads as null, like a null value;
        the `nullable` keys, whose null is a real value, must be there or `values` is None.
        A payload that is not JSON at all makes SQLite give up on the whole batch: then
        `values` and `text` are None on every row, and the caller decodes `payload` itself.
        """
        # json_extract gives an array for two paths or more, a lone value for one.
        assert len(keys) > 1, "ask for two keys or more"
        # Each JSON function in the statement parses the payload once for itself.
        present = " AND ".join(["json_type(payload, ?) IS NOT NULL"] * len(nullable)) or "1"
        picked = ", ".join(["?"] * len(keys))
        extracted = f"iif({present}, json_extract(payload, {picked}), NULL), payload -> ?"
        paths = [f"$.{key}" for key in (*nullable, *keys, text_key)]
        query = (
            "SELECT id, inspection_id, CAST(payload AS TEXT), {} FROM outbox WHERE id > ? "
            "AND sent_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT ?"
        )
        with self._read() as conn:
            try:
                found = conn.exec_driver_sql(
                    query.format(extracted), (*paths, after, limit)
                ).fetchall()
            except DBAPIError as error:
                if "malformed JSON" not in str(error.orig):
                    raise
                found = conn.exec_driver_sql(query.format("NULL, NULL"), (after, limit)).fetchall()
        return [QueuedRow._make(row) for row in found]

    def dead_letters(self) -> list[OutboxRow]:
        """Rows central refused for good, oldest first, with central's reason."""
        return self._outbox(
            select(outbox_table).where(outbox_table.c.dead_at.is_not(None)).order_by("id")
        )

    def refused_inspections(self) -> list[Refused]:
        """The dead letters as the bench lists them, with central's reason."""
        return [
            Refused(
                row.inspection_id,
                str(row.payload.get("request_item_id", "?")),
                row.dead_at or row.created_at,
                row.last_error or "no reason given",
            )
            for row in self.dead_letters()
        ]

    def _outbox(self, query: Select[Any]) -> list[OutboxRow]:
        # The payload as stored text, decoded here: one damaged beyond reading must not
        # hide the others (the push dead-letters it, and a supervisor lists dead letters).
        columns = [
            type_coerce(c, Text).label(c.name) if c is outbox_table.c.payload else c
            for c in outbox_table.columns
        ]
        with self._read() as conn:
            return [
                OutboxRow(
                    id=row["id"],
                    inspection_id=row["inspection_id"],
                    payload=_payload(row["payload"]),
                    created_at=row["created_at"],
                    sent_at=row["sent_at"],
                    attempts=row["attempts"],
                    last_error=row["last_error"],
                    dead_at=row["dead_at"],
                )
                for row in conn.execute(query.with_only_columns(*columns)).mappings()
            ]

    def queued_count(self) -> int:
        """Outbox rows still to send: the "queued" number in the header."""
        return self._count(outbox_table.c.sent_at.is_(None), outbox_table.c.dead_at.is_(None))

    def dead_count(self) -> int:
        return self._count(outbox_table.c.dead_at.is_not(None))

    def _count(self, *where: ColumnElement[bool]) -> int:
        with self._read() as conn:
            return conn.execute(
                select(func.count()).select_from(outbox_table).where(*where)
            ).scalar_one()

    def mark_sent(self, outbox_ids: Sequence[int], at: datetime) -> None:
        """Central has committed these rows: they leave the queue."""
        # The ids go as one JSON array: a push marks 500 at a time, and as many bound
        # parameters would cost more than the update itself.
        ids = func.json_each(json_text(list(outbox_ids))).table_valued("value")
        with self._write() as conn:
            conn.execute(
                update(outbox_table)
                .where(outbox_table.c.id.in_(select(ids.c.value)))
                .values(sent_at=at, last_error=None)
            )

    def mark_failed(self, outbox_ids: Sequence[int], error: str) -> None:
        """A push of these rows failed for a passing reason: they stay queued."""
        with self._write() as conn:
            conn.execute(
                update(outbox_table)
                .where(outbox_table.c.id.in_(outbox_ids))
                .values(attempts=outbox_table.c.attempts + 1, last_error=error)
            )

    def mark_dead(self, outbox_id: int, error: str, at: datetime) -> None:
        """Central refused this row for good: out of the queue, kept for a supervisor."""
        with self._write() as conn:
            conn.execute(
                update(outbox_table)
                .where(outbox_table.c.id == outbox_id)
                .values(dead_at=at, attempts=outbox_table.c.attempts + 1, last_error=error)
            )

    # --- Login failures -----------------------------------------------------------------

    def record_login_failure(self, inspector_id: str, at: datetime) -> None:
        with self._write() as conn:
            conn.execute(login_failure_table.insert(), [{"inspector_id": inspector_id, "at": at}])

    def login_failures_since(self, inspector_id: str, since: datetime) -> int:
        """Failed PIN attempts for this inspector at or after `since`."""
        return len(self.login_failure_times(inspector_id, since))

    def login_failure_times(self, inspector_id: str, since: datetime) -> list[datetime]:
        """When this inspector's failed PIN attempts at or after `since` happened, in order."""
        with self._read() as conn:
            return list(
                conn.execute(
                    select(login_failure_table.c.at)
                    .where(
                        login_failure_table.c.inspector_id == inspector_id,
                        login_failure_table.c.at >= since,
                    )
                    .order_by(login_failure_table.c.at)
                ).scalars()
            )

    def clear_login_failures(self, inspector_id: str) -> None:
        with self._write() as conn:
            conn.execute(
                delete(login_failure_table).where(
                    login_failure_table.c.inspector_id == inspector_id
                )
            )

    # --- Audit log ----------------------------------------------------------------------

    def audit(
        self,
        event: str,
        station_id: str,
        inspector_id: str | None,
        detail: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """Append an audit event; `detail` must hold JSON values (str, int, bool, lists...)."""
        with self._write() as conn:
            self._audit(conn, event, station_id, inspector_id, detail, at)

    @staticmethod
    def _audit(
        conn: Connection,
        event: str,
        station_id: str,
        inspector_id: str | None,
        detail: Mapping[str, Any],
        at: datetime,
    ) -> None:
        conn.execute(
            audit_table.insert(),
            [
                {
                    "at": at,
                    "station_id": station_id,
                    "inspector_id": inspector_id,
                    "event": event,
                    "detail": dict(detail),
                }
            ],
        )

    def audit_events(self, limit: int = 100) -> list[AuditEvent]:
        """The latest audit events, newest first."""
        with self._read() as conn:
            found = conn.execute(
                select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
            ).mappings()
            return [
                AuditEvent(
                    id=row["id"],
                    at=row["at"],
                    station_id=row["station_id"],
                    inspector_id=row["inspector_id"],
                    event=row["event"],
                    detail=row["detail"],
                )
                for row in found
            ]
