"""Reads of the station database that only tests need, over the store's repository modules.

They were `LocalStore` methods; the bench itself never calls them, so they live here and
take the store as their first argument. Each reads in one short connection of its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bench.domain import FinishedInspection
from store.central import central_engine
from store.central import inspection_table as central_inspections
from store.local import LocalStore, inspections, logins, outbox
from store.local.audit import AuditEvent, latest
from store.local.outbox import OutboxRow
from store.local.schema import outbox_table


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
