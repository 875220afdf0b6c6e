"""The central database's tables: the contract between the portal and the benches.

The portal writes programs, catalog, requests, items and inspectors; benches pull those and
push inspections. The replicated tables' columns come from `store.contract` (shared with
the replica); what central alone enforces is added here. Everything works on PostgreSQL
(production) and SQLite (`bench demo`, a one-machine site), so types are chosen to mean the
same on both (see `store.sqltypes`).

The schema is only ever created through the Alembic migrations in
`store/migrations/central`, via `init_central`; the models here are their target and what
autogenerate compares against. The view `request_settlements` (what the portal pays from)
is the migrations' alone: autogenerate does not compare views.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

from bench.domain import IdentifiedBy, ProgramPolicy
from store.contract import (
    CatalogModelColumns,
    InspectorColumns,
    ProgramColumns,
    RequestColumns,
    RequestItemColumns,
)
from store.dbutil import one_of, table_of, utcnow
from store.figures import OPEN_STATUSES
from store.sqltypes import NAMING_CONVENTION, TextList, UTCDateTime, json_document

REQUEST_STATUSES = ("submitted", "in_transit", "received", "inspected", "credited", "cancelled")
# The requests the portal has not closed, as SQL (the predicate of migration 0011).
_OPEN = "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
CONDITIONS = ("like_new", "good", "fair", "poor", "broken")
OUTCOMES = ("accept", "revise", "reject", "hold")
DISPOSITIONS = ("refurbish", "recycle", "return", "hold")
GRADES = ("A", "B", "C", "D")


class CentralBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Replicated:
    """`updated_at` on every table benches pull: their pull cursor is (updated_at, key)."""

    # Set by Python on our own writes; the server default and, on PostgreSQL, a trigger
    # (see the first migration) cover writers that forget it, such as the portal's SQL.
    # Last in the table, after a contract column a model redeclares (`sort_order`).
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now(), sort_order=2
    )


def _policy_default(name: str) -> Any:
    """`ProgramPolicy`'s default for one of its fields, as the domain declares it."""
    field = next(f for f in fields(ProgramPolicy) if f.name == name)
    factory = field.default_factory
    return factory() if callable(factory) else field.default


def _percents_default() -> str:
    percents = {grade.value: pct for grade, pct in _policy_default("grade_percents").items()}
    return json.dumps(percents)


def _percent_column(name: str) -> MappedColumn[int]:
    return mapped_column(Integer, server_default=str(_policy_default(name)), sort_order=1)


class CentralProgram(ProgramColumns, _Replicated, CentralBase):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(one_of("kind", ("trade_up", "trade_in_credit", "graded")), name="kind"),
        CheckConstraint(
            one_of("ineligible_disposition", ("recycle", "return")),
            name="ineligible_disposition",
        ),
    )

    # The policy columns the bench adds to the contract, with the domain's defaults on the
    # server: a portal that inserts only the contract's columns gets a usable program.
    grade_percents: Mapped[dict[str, int]] = mapped_column(
        json_document(), server_default=text(f"'{_percents_default()}'"), sort_order=1
    )
    broken_percent: Mapped[int] = _percent_column("broken_percent")
    dirty_percent: Mapped[int] = _percent_column("dirty_percent")
    age_step_percent: Mapped[int] = _percent_column("age_step_percent")


class CentralCatalogModel(CatalogModelColumns, _Replicated, CentralBase):
    __tablename__ = "catalog_models"
    __table_args__ = (
        ForeignKeyConstraint(["program_code"], ["programs.code"]),
        Index("ix_catalog_models_program_code", "program_code"),
        # GIN answers "which model has this GTIN" (gtins @> ARRAY[...]) without a scan; on
        # SQLite it is a plain index on the JSON text, harmless and unused.
        Index("ix_catalog_models_gtins", "gtins", postgresql_using="gin"),
    )


class CentralRequest(RequestColumns, _Replicated, CentralBase):
    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        ForeignKeyConstraint(["program_code"], ["programs.code"]),
        Index("ix_requests_program_code", "program_code"),
        UniqueConstraint("tracking_number"),
        # What is stuck, with no window (migration 0011): the requests received, oldest
        # first; the requests still open, whose items may wait for a bench.
        Index(
            "ix_requests_received_updated_at",
            "updated_at",
            "id",
            postgresql_where=text("status = 'received'"),
            sqlite_where=text("status = 'received'"),
        ),
        Index(
            "ix_requests_open",
            "id",
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
    )


class CentralRequestItem(RequestItemColumns, _Replicated, CentralBase):
    __tablename__ = "request_items"
    __table_args__ = (
        CheckConstraint(one_of("declared_condition", CONDITIONS), name="declared_condition"),
        ForeignKeyConstraint(["request_id"], ["requests.id"]),
        # A request's items from the index alone (migration 0014): the Stuck list reads
        # every open request's.
        Index("ix_request_items_request_id_id", "request_id", "id"),
    )

    # Indexed with the item id (above), not alone as the contract's column is; `id` is
    # declared again only to stay the first column.
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    request_id: Mapped[str] = mapped_column(Text)


class CentralInspector(InspectorColumns, _Replicated, CentralBase):
    __tablename__ = "inspectors"
    __table_args__ = (CheckConstraint(one_of("role", ("inspector", "supervisor")), name="role"),)

    # The contract's column with central's default: the portal may leave it out.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), sort_order=1)


class CentralInspection(CentralBase):
    """Written by benches, one row per finished inspection, keyed by the bench's UUID.

    No foreign keys to items or inspectors on purpose: a confirmed inspection must always be
    accepted, even if the portal has since changed or removed what it refers to; reconciling
    that is a supervisor's job, refusing the push would strand it in a bench's outbox.
    """

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(one_of("disposition", DISPOSITIONS), name="disposition"),
        CheckConstraint(one_of("grade", GRADES, nullable=True), name="grade"),
        CheckConstraint("final_cents >= 0", name="final_cents"),
        CheckConstraint(one_of("identified_by", list(IdentifiedBy)), name="identified_by"),
        Index("ix_inspections_station_id_finished_at", "station_id", "finished_at"),
        Index("ix_inspections_inspector_id_finished_at", "inspector_id", "finished_at"),
        # An item's inspections and when they finished, from the index alone (migration
        # 0014): the Stuck list's items left uninspected of every open request.
        Index("ix_inspections_request_item_id_finished_at", "request_item_id", "finished_at"),
        # The supervisor's figures (migration 0007): every station over a window, the
        # quotes by due date, the holds oldest first.
        Index("ix_inspections_finished_at", "finished_at"),
        Index(
            "ix_inspections_revise_due_on",
            "response_due_on",
            postgresql_where=text("outcome = 'revise'"),
            sqlite_where=text("outcome = 'revise'"),
        ),
        Index(
            "ix_inspections_hold_finished_at",
            "finished_at",
            postgresql_where=text("outcome = 'hold'"),
            sqlite_where=text("outcome = 'hold'"),
        ),
        # A serial anywhere in a scanned code, by trigrams (migration 0010, PostgreSQL).
        Index(
            "ix_inspections_scanned_code_trgm",
            text("upper(scanned_code) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    request_item_id: Mapped[str] = mapped_column(Text)
    station_id: Mapped[str] = mapped_column(Text)
    inspector_id: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scanned_code: Mapped[str] = mapped_column(Text)
    # "scan", or "hand" when the inspector picked the item from the list (nothing scanned).
    identified_by: Mapped[str] = mapped_column(Text, server_default="scan")
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
    # For `revise` only: the customer's last day to reject (the settlement waits on it).
    response_due_on: Mapped[date | None] = mapped_column(Date)
    # The inspection this one replaces, when a supervisor reopened the item. Indexed: the
    # settlement view asks of every inspection whether another supersedes it.
    supersedes: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    # The hash of the bench's evidence chain entry for this inspection; empty for a row
    # pushed before the chain or written by the portal.
    chain_hash: Mapped[str] = mapped_column(Text, server_default="")

    # The inspection this one is a blind second grading of (migration 0009): compared
    # with it, never counted for the customer nor as a conflict.
    second_of: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)


class CentralEvidenceEntry(CentralBase):
    """Each station's evidence chain (`bench.evidence`), pushed in seq order with the
    inspections; `bench audit verify --central` walks it and holds it against them."""

    __tablename__ = "evidence_chain"
    # An audit entry by the item or the inspection it names (migration 0010), written as
    # PostgreSQL gives them back, so autogenerate finds them the same.
    __table_args__ = (
        Index(
            "ix_evidence_chain_audit_item",
            text("((body -> 'detail'::text) ->> 'request_item_id'::text)"),
            postgresql_where=text("kind = 'audit'"),
        ),
        Index(
            "ix_evidence_chain_audit_inspection",
            text(
                "COALESCE((body -> 'detail'::text) ->> 'inspection_id'::text, "
                "(body -> 'detail'::text) ->> 'inspection'::text)"
            ),
            postgresql_where=text("kind = 'audit'"),
        ),
    )

    station_id: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(Text)
    body: Mapped[Any] = mapped_column(json_document())
    # Why the bench never delivered this inspection (its dead letter), else NULL: an
    # inspection entry without its row at central is then no deletion.
    refused: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )


class CentralHeartbeat(CentralBase):
    __tablename__ = "station_heartbeats"

    station_id: Mapped[str] = mapped_column(Text, primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    queue_depth: Mapped[int] = mapped_column(Integer)
    app_version: Mapped[str] = mapped_column(Text)
    # The bench's addition (migration 0012): the queue depth of the heartbeat before, set
    # by the heartbeat's upsert, so a growing queue shows in one reading. NULL: no earlier
    # heartbeat, or a row written with the contract's columns only.
    previous_queue_depth: Mapped[int | None] = mapped_column(Integer)
    # The login that beats for this station (migration 0013: row-level security keeps each
    # station's login to its own row); '' on SQLite and for rows from before.
    login: Mapped[str] = mapped_column(Text, server_default="")


class CentralItemConflict(CentralBase):
    """An item with more than one inspection (two benches, one item): both are kept, and
    a supervisor decides. Written by the benches' push, in the same transaction."""

    __tablename__ = "item_conflicts"

    request_item_id: Mapped[str] = mapped_column(Text, primary_key=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    inspections: Mapped[int] = mapped_column(Integer)


program_table = table_of(CentralProgram)
catalog_table = table_of(CentralCatalogModel)
request_table = table_of(CentralRequest)
item_table = table_of(CentralRequestItem)
inspector_table = table_of(CentralInspector)
inspection_table = table_of(CentralInspection)
heartbeat_table = table_of(CentralHeartbeat)
conflict_table = table_of(CentralItemConflict)
evidence_table = table_of(CentralEvidenceEntry)

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

# Migration 0010's index of a declared serial or IMEI (store.central.disputes).
Index("ix_request_items_declared_serial_upper", func.upper(item_table.c.declared_serial))
