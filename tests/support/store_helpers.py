"""Reads of the station database that only tests need, over the store's repository modules.

They were `LocalStore` methods; the bench itself never calls them, so they live here and
take the store as their first argument. Each reads in one short connection of its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bench.domain import FinishedInspection
from bench.evidence import chained
from store.central import central_engine
from store.central import inspection_table as central_inspections
from store.local import LocalStore, evidence, inspections, logins, outbox
from store.local.audit import AuditEvent, latest
from store.local.outbox import OutboxRow
from store.local.schema import evidence_table, outbox_table


def finished_item_ids(store: LocalStore, request_id: str) -> set[str]:
    """Items of the request that already have a finished inspection (at this bench)."""
    with store.engine.connect() as conn:
        return inspections.finished_item_ids(conn, request_id)


def finished_inspection(store: LocalStore, inspection_id: str) -> FinishedInspection | None:
    with store.engine.connect() as conn:
        return inspections.finished_inspection(conn, inspection_id)


def outbox_rows(
    store: LocalStore, *, pending_only: bool = False, after: int = 0, limit: int | None = None
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
        query = query.where(*outbox.PENDING)
    with store.engine.connect() as conn:
        return outbox.read(conn, query)


def login_failures_since(store: LocalStore, inspector_id: str, since: datetime) -> int:
    """Failed PIN attempts for this inspector at or after `since`."""
    with store.engine.connect() as conn:
        return len(logins.failure_times(conn, inspector_id, since))


def audit_events(store: LocalStore, limit: int = 100) -> list[AuditEvent]:
    """The latest audit events, newest first."""
    with store.engine.connect() as conn:
        return latest(conn, limit)


def central_count(url: str, *where: object) -> int:
    engine = central_engine(url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).select_from(central_inspections).where(*where)  # type: ignore[arg-type]
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def rechain(store: LocalStore, inspection_id: str) -> None:
    """Chain an inspection's outbox payload as it now is, and rehash the station's later
    entries: the chain a bench would have if the payload had been written so (an older
    release's payload, chained by the migration). For tests that shape payloads by hand."""
    with store.engine.begin() as conn:
        payload = conn.exec_driver_sql(
            "SELECT CAST(payload AS TEXT) FROM outbox WHERE inspection_id = ?", (inspection_id,)
        ).scalar_one()
        station_id, seq = conn.execute(
            select(evidence_table.c.station_id, evidence_table.c.seq).where(
                evidence_table.c.kind == "inspection", evidence_table.c.ref == inspection_id
            )
        ).one()
        before = evidence.entries(conn, station_id)[: seq - 1]
        previous = before[-1] if before else None
        for entry in evidence.entries(conn, station_id, after=seq - 1):
            body = payload.encode() if entry.seq == seq else entry.body
            previous = chained(previous, station_id, entry.kind, entry.ref, body)
            conn.execute(
                evidence_table.update()
                .where(evidence_table.c.station_id == station_id, evidence_table.c.seq == entry.seq)
                .values(evidence.row_of(previous))
            )


def chain_hash_of(store: LocalStore, inspection_id: str) -> str:
    """The hash of the inspection's evidence chain entry."""
    with store.engine.connect() as conn:
        found: str = conn.execute(
            select(evidence_table.c.hash).where(
                evidence_table.c.kind == "inspection", evidence_table.c.ref == inspection_id
            )
        ).scalar_one()
    return found
