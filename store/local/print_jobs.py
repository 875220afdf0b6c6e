"""The print queue: labels and sheets waiting for the printer, in the order they were queued.

A label is queued in the same transaction as the inspection it labels (see
`LocalStore.finish_inspection`), so a confirmed result never lacks its label, whatever
happens to the printer or the process. The print worker reads the queue and marks each
job printed; a job that fails stays queued for the next try. Functions take the caller's
`Connection`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from bench.printing import PrintJob, PrintKind, QueuedPrint
from store.local.schema import print_job_table

log = logging.getLogger(__name__)

_jobs = print_job_table
_WAITING = (_jobs.c.printed_at.is_(None), _jobs.c.abandoned_at.is_(None))
_ENQUEUE = _jobs.insert()  # built once: see store.local.inspections


def enqueue(conn: Connection, job: PrintJob, at: datetime) -> int:
    result = conn.execute(
        _ENQUEUE,
        {"kind": job.kind.value, "payload": job.payload(), "created_at": at, "attempts": 0},
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def queued(conn: Connection, limit: int) -> list[QueuedPrint]:
    rows = conn.execute(
        select(_jobs.c.id, _jobs.c.kind, _jobs.c.payload, _jobs.c.attempts, _jobs.c.last_error)
        .where(*_WAITING)
        .order_by(_jobs.c.id)
        .limit(limit)
    ).all()
    return [
        QueuedPrint(row.id, _job(row.kind, row.payload), row.attempts, row.last_error)
        for row in rows
    ]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_jobs).where(*_WAITING)).scalar_one())


def mark_printed(conn: Connection, job_id: int, at: datetime) -> None:
    conn.execute(update(_jobs).where(_jobs.c.id == job_id).values(printed_at=at, last_error=None))


def mark_failed(conn: Connection, job_id: int, error: str) -> None:
    conn.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id)
        .values(attempts=_jobs.c.attempts + 1, last_error=error)
    )


def abandon(conn: Connection, job_id: int, error: str, at: datetime) -> None:
    conn.execute(
        update(_jobs).where(_jobs.c.id == job_id).values(abandoned_at=at, last_error=error)
    )


def last_label(conn: Connection) -> PrintJob | None:
    """The label queued last, printed or not: what "reprint the last label" prints."""
    row = conn.execute(
        select(_jobs.c.kind, _jobs.c.payload)
        .where(_jobs.c.kind == PrintKind.LABEL.value)
        .order_by(_jobs.c.id.desc())
        .limit(1)
    ).first()
    return _job(row.kind, row.payload) if row else None


def _job(kind: str, payload: dict[str, object]) -> PrintJob:
    return PrintJob.from_payload(kind, dict(payload))
