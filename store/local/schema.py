"""The station's SQLite tables: the replica of central's, and what the station records.

One module for every table so the Alembic migrations in `store/migrations/local` have one
target to be compared against, and the repository modules beside this one share the same
`Table` objects.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.domain import Disposition, Grade, IdentifiedBy, Outcome
from store.contract import (
    CatalogModelColumns,
    InspectorColumns,
    ProgramColumns,
    RequestColumns,
    RequestItemColumns,
)
from store.dbutil import one_of, table_of
from store.sqltypes import NAMING_CONVENTION, TextList, UTCDateTime

IN_PROGRESS = "in_progress"
FINISHED = "finished"
CANCELLED = "cancelled"


class LocalBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- Replica of the central tables ------------------------------------------------------
# The central contract's columns (`store.contract`), so pulled rows copy across as they are.
# No foreign keys or CHECKs: central enforces those, and a replica that refused a row central
# accepted (a status added later, an item pulled before its request) would stall the pull.


class _Replica:
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LocalProgram(ProgramColumns, _Replica, LocalBase):
    __tablename__ = "programs"


class LocalCatalogModel(CatalogModelColumns, _Replica, LocalBase):
    __tablename__ = "catalog_models"


class LocalCatalogGtin(LocalBase):
    """GTIN (14-digit form) -> models, so a scanned barcode is one indexed lookup instead
    of a scan through every model's JSON list. Rebuilt whenever models are written. A
    product listed in two programs is one GTIN with a sku in each program."""

    __tablename__ = "catalog_gtins"

    gtin: Mapped[str] = mapped_column(Text, primary_key=True)
    sku: Mapped[str] = mapped_column(Text, primary_key=True, index=True)


class LocalRequest(RequestColumns, _Replica, LocalBase):
    __tablename__ = "requests"
    # Indexed, not unique: central guarantees uniqueness; a swap of two tracking numbers
    # pulled in two batches must not trip the replica.
    __table_args__ = (Index("ix_requests_tracking_number", "tracking_number"),)


class LocalRequestItem(RequestItemColumns, _Replica, LocalBase):
    __tablename__ = "request_items"


class LocalInspector(InspectorColumns, _Replica, LocalBase):
    __tablename__ = "inspectors"


# --- What the station records ---------------------------------------------------------


class LocalInspection(LocalBase):
    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(one_of("status", (IN_PROGRESS, FINISHED, CANCELLED)), name="status"),
        CheckConstraint(one_of("outcome", [o.value for o in Outcome], True), name="outcome"),
        CheckConstraint(
            one_of("disposition", [d.value for d in Disposition], True), name="disposition"
        ),
        CheckConstraint(one_of("grade", [g.value for g in Grade], True), name="grade"),
        CheckConstraint(one_of("identified_by", list(IdentifiedBy)), name="identified_by"),
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
    # How the device was matched to its item: "scan", or "hand" when picked from the list.
    identified_by: Mapped[str] = mapped_column(Text, server_default="scan")
    identified_sku: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    reason_codes: Mapped[list[str]] = mapped_column(TextList())
    final_cents: Mapped[int | None] = mapped_column(BigInteger)
    disposition: Mapped[str | None] = mapped_column(Text)
    wiped: Mapped[bool] = mapped_column(Boolean)
    # A revision's last day for the customer to reject it; None for any other outcome.
    response_due_on: Mapped[date | None] = mapped_column(Date)
    # The inspection this one replaces after a supervisor reopened the item; indexed, since
    # an item's latest inspection is the one nothing supersedes.
    supersedes: Mapped[str | None] = mapped_column(Text, index=True)
    # The inspection this one is a blind second grading of; indexed, since whether an
    # item's inspection still waits for its second grading is asked at every scan.
    second_of: Mapped[str | None] = mapped_column(Text, index=True)


class LocalAnswer(LocalBase):
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


class LocalAuditEntry(LocalBase):
    """Who did what, when. Triggers (first migration) refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    station_id: Mapped[str] = mapped_column(Text)
    inspector_id: Mapped[str | None] = mapped_column(Text)
    # Indexed: a request's reopened items are found by their `item_reopened` events.
    event: Mapped[str] = mapped_column(Text, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class LocalOutboxEntry(LocalBase):
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
    # Dead-lettered because the payload no longer matches its evidence chain entry.
    tampered: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class LocalEvidenceEntry(LocalBase):
    """The station's evidence chain (`bench.evidence`): an entry per audit entry and per
    finished inspection, written in the transaction of what it records."""

    __tablename__ = "evidence_chain"
    __table_args__ = (Index("ix_evidence_chain_kind_ref", "kind", "ref"),)

    station_id: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(Text)
    # The canonical encoding the hash covers, kept as its text so it is hashed as written.
    body: Mapped[str] = mapped_column(Text)


class LocalPrintJob(LocalBase):
    """A label (or the command sheet) to print. Queued with the inspection it labels, in
    the same transaction; left in the table once printed, so the last label can be
    reprinted after a restart."""

    __tablename__ = "print_jobs"
    # The queue is "not printed, not abandoned, by id": read after every job printed.
    __table_args__ = (Index("ix_print_jobs_printed_at_abandoned_at", "printed_at", "abandoned_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set for a job that can never print (its label cannot be laid out): the jobs
    # behind it must not wait for ever.
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LocalSyncCursor(LocalBase):
    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LocalPullQuarantine(LocalBase):
    """A central row the pull refused (it breaks the contract): kept out of the replica,
    listed on the bench, and dropped from here when central sends a corrected version."""

    __tablename__ = "pull_quarantine"

    table_name: Mapped[str] = mapped_column(Text, primary_key=True)
    row_key: Mapped[str] = mapped_column(Text, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    # Central's stamp of the refused version; None when even that could not be read.
    updated_at_central: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LocalLoginFailure(LocalBase):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_inspector_id_at", "inspector_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspector_id: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


program_table = table_of(LocalProgram)
catalog_table = table_of(LocalCatalogModel)
gtin_table = table_of(LocalCatalogGtin)
request_table = table_of(LocalRequest)
item_table = table_of(LocalRequestItem)
inspector_table = table_of(LocalInspector)
inspection_table = table_of(LocalInspection)
answer_table = table_of(LocalAnswer)
audit_table = table_of(LocalAuditEntry)
outbox_table = table_of(LocalOutboxEntry)
evidence_table = table_of(LocalEvidenceEntry)
cursor_table = table_of(LocalSyncCursor)
login_failure_table = table_of(LocalLoginFailure)
quarantine_table = table_of(LocalPullQuarantine)
print_job_table = table_of(LocalPrintJob)

# The replicated tables by their central name (the same name here).
REPLICA_TABLES: dict[str, Table] = {
    t.name: t for t in (program_table, catalog_table, request_table, item_table, inspector_table)
}
