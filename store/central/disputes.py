"""A dispute read from central: every bench's inspections of what a code names, with each
answer as the bench pushed it, and the item's audit trail from the benches' evidence chains.

Central holds of an inspection everything the bench recorded of it (the `answers` document
keeps who, when, from the data or overridden and why, for each answer), and of the audit
log the entries each bench chained (`evidence_chain`, kind `audit`, pushed after the
inspections they follow). What it never holds: an inspection in progress, and a result a
bench has not sent yet; `store.supervision.StationFigures` adds this bench's own.

Each lookup is an index lookup (central migration 0010): an item's inspections by
`request_item_id`, a request's items by `request_id`, a tracking number by its unique key,
a declared serial by `upper(declared_serial)`, a scanned code by a trigram index on
`upper(scanned_code)` (PostgreSQL; a GS1 code carries its serial inside it), and the
trail by the item and the inspection its entries name.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Text, literal_column, or_, select, union

from bench.disputes import Disputed, KeyKind, SearchKey
from bench.domain import (
    AnswerRecord,
    AnswerSource,
    AuditLine,
    Decision,
    Disposition,
    FinishedInspection,
    Grade,
    IdentifiedBy,
    InspectionRecord,
    InspectionStarted,
    Outcome,
    Reason,
)
from bench.evidence import AUDIT
from store.central.schema import evidence_table, inspection_table, item_table, request_table
from store.rows import RowIn

log = logging.getLogger(__name__)

ITEM_KEY = "request_item_id"
INSPECTION_KEYS = ("inspection_id", "inspection")  # inspection_resumed names it `inspection`


def detail_text(conn: Connection, key: str) -> ColumnElement[str]:
    """An audit entry's `detail.<key>` as text, written exactly as migration 0010's
    expression indexes are (a bound JSON path would not match them)."""
    if conn.dialect.name == "postgresql":
        return literal_column(f"(body -> 'detail' ->> '{key}')", Text)
    return literal_column(f"json_extract(body, '$.detail.{key}')", Text)


def inspection_named(conn: Connection) -> ColumnElement[str]:
    """The inspection an audit entry names, under either of its keys."""
    if conn.dialect.name == "postgresql":
        return literal_column(
            "(COALESCE(body -> 'detail' ->> 'inspection_id', body -> 'detail' ->> 'inspection'))",
            Text,
        )
    return literal_column(
        "COALESCE(json_extract(body, '$.detail.inspection_id'), "
        "json_extract(body, '$.detail.inspection'))",
        Text,
    )


def like_text(code: str) -> str:
    """`code` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = code.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def disputed(conn: Connection, key: SearchKey, limit: int) -> list[Disputed]:
    """Central's inspections `key` names, newest first, at most `limit`."""
    inspections = inspection_table
    if key.kind is KeyKind.ITEM:
        wanted: ColumnElement[bool] = inspections.c.request_item_id == key.value
    elif key.kind in (KeyKind.REQUEST, KeyKind.TRACKING):
        by = request_table.c.id if key.kind is KeyKind.REQUEST else request_table.c.tracking_number
        items = (
            select(item_table.c.id)
            .join(request_table, request_table.c.id == item_table.c.request_id)
            .where(by == key.value)
        )
        wanted = inspections.c.request_item_id.in_(items)
    else:
        declared = select(item_table.c.id).where(
            literal_column("upper(declared_serial)", Text) == key.value.upper()
        )
        scanned = literal_column("upper(scanned_code)", Text).like(like_text(key.value), "\\")
        # Each half on its own index: an OR of the two would walk every inspection.
        wanted = inspections.c.id.in_(
            union(
                select(inspections.c.id).where(inspections.c.request_item_id.in_(declared)),
                select(inspections.c.id).where(scanned),
            )
        )
    found = list(
        conn.execute(
            select(inspections)
            .where(wanted)
            .order_by(inspections.c.finished_at.desc(), inspections.c.id.desc())
            .limit(limit)
        ).mappings()
    )
    ids = [row["id"] for row in found]
    superseding = {
        str(old): str(new)
        for old, new in conn.execute(
            select(inspections.c.supersedes, inspections.c.id).where(
                inspections.c.supersedes.in_(ids)
            )
        )
    }
    trails = {item: trail(conn, item) for item in {row["request_item_id"] for row in found}}
    return [
        Disputed(
            InspectionRecord(finished(row), superseding.get(str(row["id"]))),
            trails[row["request_item_id"]],
        )
        for row in found
    ]


def trail(conn: Connection, item_id: str) -> tuple[AuditLine, ...]:
    """Every bench's audit entries about the item or an inspection of it, in time order:
    those naming the item, and those naming only an inspection of it (a cancel, a resume),
    which its start names with the item."""
    entries = evidence_table
    # A literal, so PostgreSQL sees the partial indexes' condition in any plan.
    audit = entries.c.kind == literal_column(f"'{AUDIT}'", Text)
    named = inspection_named(conn)
    started = select(named).where(audit, detail_text(conn, ITEM_KEY) == item_id)
    found = conn.execute(
        select(entries.c.station_id, entries.c.body)
        .where(
            audit,
            or_(
                detail_text(conn, ITEM_KEY) == item_id,
                named.in_(started),
            ),
        )
        .order_by(entries.c.station_id, entries.c.seq)
    )
    lines = [audit_line(station_id, body) for station_id, body in found]
    return tuple(sorted(lines, key=lambda line: line.at))


def audit_line(station_id: str, body: Mapping[str, Any]) -> AuditLine:
    """An audit entry from its chained body (`store.local.evidence.audit_body`)."""
    return AuditLine(
        at=datetime.fromisoformat(body["at"]),
        station_id=body.get("station_id", station_id),
        inspector_id=body.get("inspector_id"),
        event=body["event"],
        detail=body.get("detail") or {},
    )


def finished(row: RowIn) -> FinishedInspection:
    """A central `inspections` row as the bench confirmed it."""
    supersedes, second_of = row["supersedes"], row["second_of"]
    started = InspectionStarted(
        id=str(row["id"]),
        request_item_id=row["request_item_id"],
        station_id=row["station_id"],
        inspector_id=row["inspector_id"],
        started_at=row["started_at"],
        scanned_code=row["scanned_code"],
        identified_sku=row["identified_sku"],
        identified_by=IdentifiedBy(row["identified_by"]),
        supersedes=None if supersedes is None else str(supersedes),
        second_of=None if second_of is None else str(second_of),
    )
    due: date | None = row["response_due_on"]
    return FinishedInspection(
        started=started,
        finished_at=row["finished_at"],
        answers=tuple(answer(given, started.inspector_id) for given in row["answers"]),
        grade=None if row["grade"] is None else Grade(row["grade"]),
        wiped=bool(row["wiped"]),
        decision=Decision(
            outcome=Outcome(row["outcome"]),
            final_cents=int(row["final_cents"]),
            disposition=Disposition(row["disposition"]),
            reasons=reasons(row["reason_codes"], str(row["id"])),
            response_due_on=date.fromisoformat(due) if isinstance(due, str) else due,
        ),
    )


def answer(given: Mapping[str, Any], inspector_id: str) -> AnswerRecord:
    """One answer of an `answers` document as the push wrote it (`store.rows`)."""
    return AnswerRecord(
        question=given["question"],
        value=given["value"],
        source=AnswerSource(given.get("source", AnswerSource.INSPECTOR.value)),
        inspector_id=given.get("inspector_id") or inspector_id,
        answered_at=datetime.fromisoformat(given["answered_at"]),
        reason=given.get("reason"),
    )


def reasons(codes: Sequence[str], inspection_id: str) -> tuple[Reason, ...]:
    """The reasons this bench knows; a newer bench's code is logged, not fatal."""
    known = {reason.value: reason for reason in Reason}
    unknown = [code for code in codes if code not in known]
    if unknown:
        log.warning("inspection %s: reason codes unknown here: %s", inspection_id, unknown)
    return tuple(known[code] for code in codes if code in known)
