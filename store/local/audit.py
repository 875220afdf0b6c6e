"""The audit log: who did what, when, at this station. Append-only (triggers in the file
refuse UPDATE and DELETE, and each event is chained in `store.local.evidence`, so one
edited once the triggers are dropped is still found); functions take the caller's
`Connection`, so an event is committed with what it records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from bench.evidence import AUDIT
from store.local import evidence
from store.local.schema import audit_table


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    station_id: str
    inspector_id: str | None
    event: str
    detail: dict[str, Any]


def append(
    conn: Connection,
    event: str,
    station_id: str,
    inspector_id: str | None,
    detail: Mapping[str, Any],
    at: datetime,
) -> None:
    """Append an event and its evidence chain entry; `detail` must hold JSON values (str,
    int, bool, lists...)."""
    added = conn.execute(
        audit_table.insert().values(
            at=at,
            station_id=station_id,
            inspector_id=inspector_id,
            event=event,
            detail=dict(detail),
        )
    )
    body = evidence.audit_body(at, station_id, inspector_id, event, detail)
    evidence.append(conn, station_id, AUDIT, str(added.lastrowid), body)


def latest(conn: Connection, limit: int) -> list[AuditEvent]:
    """The latest events, newest first."""
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
