"""The central database: the contract between the portal and the benches, and its helpers.

The portal writes programs, catalog, requests, items and inspectors; benches pull those and
push inspections. The column names below are the contract in DESIGN.md and may only grow.
Everything here works on PostgreSQL (production) and SQLite (`bench demo`, a one-machine
site), so types are chosen to mean the same on both (see `store.sqltypes`).

The schema is only ever created through the Alembic migrations in
`store/migrations/central`, via `init_central`; the models here are their target and what
autogenerate compares against.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    create_engine,
    event,
    func,
    true,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.domain import CatalogModel, Inspector, ProgramPolicy, Request, Role
from store import rows
from store.dbutil import upsert, why
from store.errors import CentralUnavailable, StoreError
from store.migrate import UnknownSchemaVersion, upgrade_to_head
from store.sqltypes import NAMING_CONVENTION, TextList, UTCDateTime, json_document

# Statements and connections to central must fail fast: a bench waiting on a dead network
# should fall back to OFFLINE within seconds, not hang the sync worker for minutes.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000
TCP_USER_TIMEOUT_MS = 20_000
DEMO_BATCH = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: Iterable[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class CentralBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Replicated:
    """`updated_at` on every table benches pull: their pull cursor is (updated_at, key)."""

    # Set by Python on our own writes; the server default and, on PostgreSQL, a trigger
    # (see the first migration) cover writers that forget it, such as the portal's SQL.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Program(_Replicated, CentralBase):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ("trade_up", "trade_in_credit", "graded")), name="kind"),
        CheckConstraint(
            _one_of("ineligible_disposition", ("recycle", "return")),
            name="ineligible_disposition",
        ),
    )

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
    # Graded-value table (bench.domain.ProgramPolicy); ignored by non-graded programs.
    brand: Mapped[str | None] = mapped_column(Text)
    grade_percents: Mapped[dict[str, int]] = mapped_column(json_document())
    broken_percent: Mapped[int] = mapped_column(Integer)
    dirty_percent: Mapped[int] = mapped_column(Integer)
    age_step_percent: Mapped[int] = mapped_column(Integer)


class CatalogModelRow(_Replicated, CentralBase):
    __tablename__ = "catalog_models"
    __table_args__ = (
        # GIN answers "which model has this GTIN" (gtins @> ARRAY[...]) without a scan; on
        # SQLite it is a plain index on the JSON text, harmless and unused.
        Index("ix_catalog_models_gtins", "gtins", postgresql_using="gin"),
    )

    sku: Mapped[str] = mapped_column(Text, primary_key=True)
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"), index=True)
    brand: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    released_on: Mapped[date] = mapped_column(Date)
    base_value_cents: Mapped[int] = mapped_column(BigInteger)
    has_storage: Mapped[bool] = mapped_column(Boolean)
    gtins: Mapped[list[str]] = mapped_column(TextList())


REQUEST_STATUSES = ("submitted", "in_transit", "received", "inspected", "credited", "cancelled")
CONDITIONS = ("like_new", "good", "fair", "poor", "broken")
OUTCOMES = ("accept", "revise", "reject", "hold")
DISPOSITIONS = ("refurbish", "recycle", "return", "hold")
GRADES = ("A", "B", "C", "D")


class RequestRow(_Replicated, CentralBase):
    __tablename__ = "requests"
    __table_args__ = (CheckConstraint(_one_of("status", REQUEST_STATUSES), name="status"),)

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"), index=True)
    customer_ref: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tracking_number: Mapped[str | None] = mapped_column(Text, unique=True)
    shipping_cost_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text)


class RequestItemRow(_Replicated, CentralBase):
    __tablename__ = "request_items"
    __table_args__ = (
        CheckConstraint(_one_of("declared_condition", CONDITIONS), name="declared_condition"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    sku: Mapped[str] = mapped_column(Text)
    declared_serial: Mapped[str | None] = mapped_column(Text)
    declared_condition: Mapped[str] = mapped_column(Text)
    purchased_on: Mapped[date | None] = mapped_column(Date)
    offer_cents: Mapped[int] = mapped_column(BigInteger)
    quoted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectorRow(_Replicated, CentralBase):
    __tablename__ = "inspectors"
    __table_args__ = (CheckConstraint(_one_of("role", ("inspector", "supervisor")), name="role"),)

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    pin_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class InspectionRow(CentralBase):
    """Written by benches, one row per finished inspection, keyed by the bench's UUID.

    No foreign keys to items or inspectors on purpose: a confirmed inspection must always be
    accepted, even if the portal has since changed or removed what it refers to; reconciling
    that is a supervisor's job, refusing the push would strand it in a bench's outbox.
    """

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(_one_of("disposition", DISPOSITIONS), name="disposition"),
        CheckConstraint("grade IS NULL OR " + _one_of("grade", GRADES), name="grade"),
        CheckConstraint("final_cents >= 0", name="final_cents"),
        Index("ix_inspections_station_id_finished_at", "station_id", "finished_at"),
        Index("ix_inspections_inspector_id_finished_at", "inspector_id", "finished_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    request_item_id: Mapped[str] = mapped_column(Text, index=True)
    station_id: Mapped[str] = mapped_column(Text)
    inspector_id: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scanned_code: Mapped[str] = mapped_column(Text)
    identified_sku: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[list[dict[str, Any]]] = mapped_column(json_document())
    grade: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    reason_codes: Mapped[list[str]] = mapped_column(TextList())
    final_cents: Mapped[int] = mapped_column(BigInteger)
    disposition: Mapped[str] = mapped_column(Text)
    wiped: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )


class StationHeartbeat(CentralBase):
    __tablename__ = "station_heartbeats"

    station_id: Mapped[str] = mapped_column(Text, primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    queue_depth: Mapped[int] = mapped_column(Integer)
    app_version: Mapped[str] = mapped_column(Text)


class ItemConflict(CentralBase):
    """An item with more than one inspection (two benches, one item): both are kept, and
    a supervisor decides. Written by the benches' push, in the same transaction."""

    __tablename__ = "item_conflicts"

    request_item_id: Mapped[str] = mapped_column(Text, primary_key=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    inspections: Mapped[int] = mapped_column(Integer)


def _table(model: type[CentralBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


program_table = _table(Program)
catalog_table = _table(CatalogModelRow)
request_table = _table(RequestRow)
item_table = _table(RequestItemRow)
inspector_table = _table(InspectorRow)
inspection_table = _table(InspectionRow)
heartbeat_table = _table(StationHeartbeat)
conflict_table = _table(ItemConflict)

# Replicated tables in an order that satisfies their foreign keys.
REPLICATED: tuple[Table, ...] = (
    program_table,
    catalog_table,
    request_table,
    item_table,
    inspector_table,
)

# A pull reads rows after its cursor in (updated_at, key) order. One index in exactly that
# order makes every batch a short range scan, even when a bulk import gave a million rows
# the same updated_at (an index on updated_at alone would rescan them for every batch).
for _replicated in REPLICATED:
    Index(
        f"ix_{_replicated.name}_pull_order",
        _replicated.c.updated_at,
        *_replicated.primary_key.columns,
    )


# --- URLs and engines -------------------------------------------------------------------


def normalise_url(url: str | URL) -> URL:
    """Parse a database URL, pinning psycopg 3 for PostgreSQL (`postgresql://` alone would
    make SQLAlchemy look for psycopg2, which is not installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


_PASSWORD_IN_USERINFO = re.compile(r"(://[^/@\s:]*:)[^@\s]*@")
_PASSWORD_IN_TEXT = re.compile(r"(password\s*=\s*)('[^']*'|[^\s&]*)", re.IGNORECASE)


def redact(url: str | URL) -> str:
    """The URL as safe to print or log: the password (in userinfo or query) is masked."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        # Not a URL (a libpq "host=... password=..." string, a port that is no number):
        # mask what we can see.
        return _PASSWORD_IN_TEXT.sub(r"\1***", _PASSWORD_IN_USERINFO.sub(r"\1***@", str(url)))
    query = {
        key: ("***" if key.lower() == "password" else value) for key, value in parsed.query.items()
    }
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", "=***")  # the mask itself needs no URL-quoting


def central_engine(url: str | URL) -> Engine:
    """An engine for the central database, failing fast when it is unreachable.

    libpq settings given in the URL's query (`?connect_timeout=2&sslmode=require`) win over
    our defaults; a statement timeout is added to any `options` already given.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "postgresql":
        query = dict(parsed.query)
        query.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
        # A network that dies mid-statement leaves sent data unacknowledged: give up on it
        # after this long instead of waiting for the kernel's default of many minutes.
        query.setdefault("tcp_user_timeout", str(TCP_USER_TIMEOUT_MS))
        query.setdefault("keepalives_idle", "10")
        options = query.get("options", "")
        assert isinstance(options, str)
        if "statement_timeout" not in options:
            options = f"{options} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()
        query["options"] = options
        # Connections die when the network does; pre-ping turns a dead pooled connection
        # into a fresh attempt instead of an error on the first statement after an outage.
        return create_engine(parsed.set(query=query), pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": CONNECT_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_central_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_central_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # A SQLite central is shared by the bench's UI and sync threads: WAL lets readers work
    # while a push writes, and foreign keys hold as they would on PostgreSQL.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def init_central(url: str, progress: Callable[[str], None] | None = None) -> None:
    """Create the central schema, or upgrade it to the newest migration. Safe to re-run."""
    say = progress or (lambda _message: None)
    parsed = normalise_url(url)
    say(f"Connecting to {redact(parsed)}")
    engine = central_engine(parsed)
    try:
        with central_errors(engine, "set up"), engine.begin() as connection:
            upgrade_to_head("central", connection, say)
    except UnknownSchemaVersion as error:
        raise StoreError(
            f"Cannot set up the central database at {redact(parsed)}: {error}"
        ) from error
    finally:
        engine.dispose()
    say("Central schema is up to date")


@contextmanager
def central_errors(engine: Engine, doing: str) -> Iterator[None]:
    """Turn database and network failures into CentralUnavailable, naming the redacted URL.

    Mistakes in our own statements (a bad bind value, say) are left alone: they are bugs,
    and dressing them up as an outage would send someone to check the network.
    """
    try:
        yield
    except SQLAlchemyError as error:
        if isinstance(error, StatementError) and not isinstance(error, DBAPIError):
            raise
        # Name the server and database only: the query holds our timeouts, which are noise.
        where = redact(engine.url.set(query={}))
        raise CentralUnavailable(
            f"Cannot {doing} the central database at {where}: {why(error)}"
        ) from error


# --- Writing ------------------------------------------------------------------------------


def add_inspector(engine: Engine, id: str, name: str, role: str | Role, pin_hash: str) -> None:
    """Add an inspector, or update the name, role and PIN of an existing one (re-activating
    them): `bench inspectors add` is how a PIN is reset."""
    row = rows.inspector_row(Inspector(id=id, name=name, role=Role(role)), pin_hash)
    row["updated_at"] = utcnow()
    with central_errors(engine, "add the inspector to"), engine.begin() as connection:
        upsert(connection, inspector_table, [row])


def write_demo_data(
    engine: Engine,
    programs: Sequence[ProgramPolicy],
    models: Sequence[CatalogModel],
    requests: Sequence[Request],
    inspectors_with_hash: Sequence[tuple[Inspector, str]],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write demo (or seed) data in one transaction, in batches, reporting rows written.

    Rows already there are updated, so seeding twice gives the same database. Each batch is
    one executemany: thousands of rows take a fraction of a second, where ORM objects added
    one by one would take seconds.
    """
    now = utcnow()
    tables: list[tuple[Table, list[rows.Row]]] = [
        (program_table, [rows.program_row(p) for p in programs]),
        (catalog_table, [rows.model_row(m) for m in models]),
        (request_table, [rows.request_row(r) for r in requests]),
        (item_table, [rows.item_row(i) for r in requests for i in r.items]),
        (inspector_table, [rows.inspector_row(i, h) for i, h in inspectors_with_hash]),
    ]
    total = sum(len(table_rows) for _, table_rows in tables)
    done = 0
    if progress is not None:
        progress(done, total)
    with central_errors(engine, "write demo data to"), engine.begin() as connection:
        for table, table_rows in tables:
            for start in range(0, len(table_rows), DEMO_BATCH):
                batch = table_rows[start : start + DEMO_BATCH]
                for row in batch:
                    row["updated_at"] = now
                upsert(connection, table, batch)
                done += len(batch)
                if progress is not None:
                    progress(done, total)
