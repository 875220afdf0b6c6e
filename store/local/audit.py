"""The audit log: who did what, when, at this station. Append-only (triggers in the file
refuse UPDATE and DELETE, and each event is chained in `store.local.evidence`, so one
edited once the triggers are dropped is still found); functions take the caller's
`Connection`, so an event is committed with what it records."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Text, func, or_, select

from bench.domain import ITEM_REOPENED, AuditLine
from bench.evidence import AUDIT
from store.local import evidence
from store.local.schema import audit_table, inspection_table


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    station_id: str
    inspector_id: str | None
    event: str
    detail: dict[str, Any]


_APPEND = audit_table.insert()  # built once: see store.local.inspections


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
        _APPEND,
        {
            "at": at,
            "station_id": station_id,
            "inspector_id": inspector_id,
            "event": event,
            "detail": dict(detail),
        },
    )
    body = evidence.audit_body(at, station_id, inspector_id, event, detail)
    evidence.append(conn, station_id, AUDIT, str(added.lastrowid), body)


def latest(conn: Connection, limit: int) -> list[AuditEvent]:
    """The latest events, newest first."""
    found = conn.execute(
        select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
    ).mappings()
    return [_event(row) for row in found]


def of_event(conn: Connection, event: str) -> list[AuditEvent]:
    """Every entry of `event`, oldest first."""
    found = conn.execute(
        select(audit_table).where(audit_table.c.event == event).order_by(audit_table.c.id)
    ).mappings()
    return [_event(row) for row in found]


def _event(row: RowMapping) -> AuditEvent:
    return AuditEvent(
        id=row["id"],
        at=row["at"],
        station_id=row["station_id"],
        inspector_id=row["inspector_id"],
        event=row["event"],
        detail=row["detail"],
    )


def _detail(key: str) -> Any:
    return func.json_extract(audit_table.c.detail, f"$.{key}", type_=Text)


def reopened(conn: Connection, inspection_ids: Collection[str]) -> set[str]:
    """Which of these inspections a supervisor reopened (an `item_reopened` entry names it)."""
    return named(conn, ITEM_REOPENED, inspection_ids)


def named(conn: Connection, event: str, inspection_ids: Collection[str]) -> set[str]:
    """Which of these inspections an entry of `event` names."""
    if not inspection_ids:
        return set()
    found = conn.execute(
        select(_detail("inspection_id")).where(
            audit_table.c.event == event,
            _detail("inspection_id").in_(list(inspection_ids)),
        )
    ).scalars()
    return set(found)


def about_item(conn: Connection, item_id: str, since: datetime) -> list[AuditLine]:
    """Entries at or after `since` that name the item or one of its inspections, in order."""
    inspections = select(inspection_table.c.id).where(inspection_table.c.request_item_id == item_id)
    found = conn.execute(
        select(audit_table)
        .where(
            audit_table.c.at >= since,
            or_(
                _detail("request_item_id") == item_id,
                _detail("inspection_id").in_(inspections),
                _detail("inspection").in_(inspections),  # inspection_resumed names it so
            ),
        )
        .order_by(audit_table.c.id)
    ).mappings()
    return [
        AuditLine(
            at=row["at"],
            station_id=row["station_id"],
            inspector_id=row["inspector_id"],
            event=row["event"],
            detail=row["detail"],
        )
        for row in found
    ]
