"""Inspections and their answers at this station: begun, answered, cancelled, finished.

Functions take the caller's `Connection`; `LocalStore` chooses the transaction, so that
finishing an inspection, queueing it in the outbox and auditing it are one commit.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import sqlite

from bench.domain import (
    AnswerRecord,
    Decision,
    Disposition,
    FinishedInspection,
    Grade,
    IdentifiedBy,
    InspectionRecord,
    InspectionStarted,
    Outcome,
    Reason,
    UnfinishedInspection,
)
from store import rows
from store.errors import StoreError
from store.local.schema import (
    CANCELLED,
    FINISHED,
    IN_PROGRESS,
    answer_table,
    inspection_table,
    item_table,
)


def check_uuid(inspection_id: str) -> None:
    # Central keys inspections by UUID; an id that is not one would be refused at every
    # push and sit in the outbox forever, so refuse it here where the bug is.
    try:
        uuid.UUID(inspection_id)
    except ValueError:
        raise ValueError(f"inspection id {inspection_id!r} is not a UUID") from None


# The statements a step runs are built once, with their values as parameters: building one
# for each call (and its cache key) cost SQLAlchemy more than SQLite took to run it.
_BEGIN = sqlite.insert(inspection_table).on_conflict_do_nothing(index_elements=["id"])
_ANSWER = answer_table.insert()
_STATUS = select(inspection_table.c.status).where(inspection_table.c.id == bindparam("of"))
_FINISH = update(inspection_table).where(
    inspection_table.c.id == bindparam("of"), inspection_table.c.status != FINISHED
)
_UNFINISHED = (
    select(inspection_table)
    .where(
        inspection_table.c.status == IN_PROGRESS,
        inspection_table.c.station_id == bindparam("station"),
    )
    .order_by(inspection_table.c.started_at, inspection_table.c.id)
)
_ANSWERS = (
    select(answer_table)
    .where(answer_table.c.inspection_id.in_(bindparam("of", expanding=True)))
    .order_by(answer_table.c.id)
)


def begin(conn: Connection, started: InspectionStarted) -> bool:
    """Record an inspection as in progress; False if it was already recorded."""
    result = conn.execute(_BEGIN, _started_values(started, IN_PROGRESS))
    return bool(result.rowcount)


def record_answers(conn: Connection, inspection_id: str, answers: Sequence[AnswerRecord]) -> None:
    """Append answers to an inspection in progress; StoreError if it is not one."""
    found = status(conn, inspection_id)
    if found is None:
        raise StoreError(f"No inspection {inspection_id} to record an answer for.")
    if found != IN_PROGRESS:
        raise StoreError(f"Inspection {inspection_id} is {found}; it takes no more answers.")
    conn.execute(_ANSWER, [rows.answer_row(inspection_id, a) for a in answers])


def unfinished(conn: Connection, station_id: str) -> list[UnfinishedInspection]:
    """Inspections in progress at this station, oldest first, with answers in order."""
    found = conn.execute(_UNFINISHED, {"station": station_id}).mappings().all()
    by_id = answers(conn, [row["id"] for row in found])
    return [
        UnfinishedInspection(started=started_from_row(row), answers=tuple(by_id.get(row["id"], ())))
        for row in found
    ]


def cancel(conn: Connection, inspection_id: str) -> str | None:
    """Cancel an inspection in progress; its station's id, or None when there was nothing
    to cancel (unknown, or cancelled already). StoreError if it is finished."""
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
        return None
    if row["status"] == FINISHED:
        raise StoreError(f"Inspection {inspection_id} is finished; it cannot be cancelled.")
    conn.execute(
        update(inspection_table)
        .where(inspection_table.c.id == inspection_id)
        .values(status=CANCELLED)
    )
    station_id: str = row["station_id"]
    return station_id


def finish(conn: Connection, done: FinishedInspection) -> rows.Row | None:
    """Write a confirmed inspection and the answers not yet recorded; the central payload
    for its outbox row, or None when it was finished already (the first result stands).

    An answer counts as recorded when a stored row matches it in every field; rows recorded
    earlier all stay, and the payload carries every stored answer in recording order.
    """
    started = done.started
    finished = {"finished_at": done.finished_at, "status": FINISHED, **rows.outcome_columns(done)}
    # Begun, as it nearly always is: one statement. Else finished already, or never begun.
    if not conn.execute(_FINISH, {"of": started.id, **finished}).rowcount:
        if status(conn, started.id) == FINISHED:
            return None
        conn.execute(inspection_table.insert(), [_started_values(started, FINISHED) | finished])

    stored = answers(conn, [started.id]).get(started.id, [])
    unmatched = Counter(_answer_key(a) for a in stored)
    new = []
    for answer in done.answers:
        key = _answer_key(answer)
        if unmatched[key]:
            unmatched[key] -= 1
        else:
            new.append(answer)
    if new:
        conn.execute(_ANSWER, [rows.answer_row(started.id, a) for a in new])
    return rows.inspection_payload(done, [*stored, *new])


def _latest() -> ColumnElement[bool]:
    """An inspection no finished one supersedes, and no second grading: after a reopen,
    only the new one counts, and a second grading never does."""
    later = inspection_table.alias("later")
    return and_(
        inspection_table.c.second_of.is_(None),
        ~exists().where(later.c.supersedes == inspection_table.c.id, later.c.status == FINISHED),
    )


# Built once: an alias made per query leaves a few hundred objects in cycles per scan.
LATEST = _latest()


def finished_decisions(conn: Connection, request_id: str) -> dict[str, Decision]:
    """Item id -> the decision of its latest finished inspection, for one request."""
    return {item: decision(row) for item, row in latest_finished_rows(conn, request_id).items()}


def second_graded(conn: Connection, inspection_ids: Collection[str]) -> set[str]:
    """Which of these inspections have a finished second grading."""
    if not inspection_ids:
        return set()
    return set(
        conn.execute(
            select(inspection_table.c.second_of).where(
                inspection_table.c.second_of.in_(list(inspection_ids)),
                inspection_table.c.status == FINISHED,
            )
        ).scalars()
    )


_REQUEST_ITEMS = select(item_table.c.id).where(item_table.c.request_id == bindparam("request"))
_LATEST_FINISHED_ROWS = (
    select(inspection_table)
    .where(
        inspection_table.c.status == FINISHED,
        inspection_table.c.request_item_id.in_(_REQUEST_ITEMS),
        LATEST,
    )
    # Later rows overwrite earlier ones below, so the latest inspection wins.
    .order_by(inspection_table.c.finished_at, inspection_table.c.id)
)
_FINISHED_ITEM_IDS = (
    select(inspection_table.c.request_item_id)
    .where(
        inspection_table.c.status == FINISHED,
        inspection_table.c.request_item_id.in_(_REQUEST_ITEMS),
    )
    .distinct()
)


def latest_finished_rows(conn: Connection, request_id: str) -> dict[str, rows.RowIn]:
    """Item id -> the row of its latest finished inspection, for one request."""
    found = conn.execute(_LATEST_FINISHED_ROWS, {"request": request_id}).mappings()
    return {row["request_item_id"]: row for row in found}


def finished_item_ids(conn: Connection, request_id: str) -> set[str]:
    """Items of the request that already have a finished inspection (at this bench)."""
    return set(conn.execute(_FINISHED_ITEM_IDS, {"request": request_id}).scalars())


def latest_finished(conn: Connection, item_id: str) -> FinishedInspection | None:
    """The item's latest finished inspection at this station, as it was confirmed."""
    latest: str | None = conn.execute(
        select(inspection_table.c.id)
        .where(
            inspection_table.c.status == FINISHED,
            inspection_table.c.request_item_id == item_id,
            LATEST,
        )
        .order_by(inspection_table.c.finished_at.desc(), inspection_table.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if latest is None else finished_inspection(conn, latest)


def finished_inspection(conn: Connection, inspection_id: str) -> FinishedInspection | None:
    """A finished inspection as it was confirmed, with every answer recorded for it."""
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
    return _finished_from_row(row, answers(conn, [inspection_id]).get(inspection_id, []))


def records(
    conn: Connection, item_ids: Collection[str], serial: str | None, limit: int
) -> list[InspectionRecord]:
    """Finished inspections of these items, or of a device with this serial (in its scanned
    code, or declared for its item), newest first, each with the one that superseded it."""
    wanted: list[ColumnElement[bool]] = []
    if item_ids:
        wanted.append(inspection_table.c.request_item_id.in_(list(item_ids)))
    if serial:
        declared = select(item_table.c.id).where(
            func.upper(item_table.c.declared_serial) == serial.upper()
        )
        wanted.append(inspection_table.c.request_item_id.in_(declared))
        # A GS1 code carries the serial inside it (AI 21).
        wanted.append(func.instr(func.upper(inspection_table.c.scanned_code), serial.upper()) > 0)
    if not wanted:
        return []
    found = (
        conn.execute(
            select(inspection_table)
            .where(inspection_table.c.status == FINISHED, or_(*wanted))
            # Of two finished in the same second, the one recorded last (SQLite's rowid).
            .order_by(inspection_table.c.finished_at.desc(), literal_column("rowid").desc())
            .limit(limit)
        )
        .mappings()
        .all()
    )
    ids = [row["id"] for row in found]
    by_id = answers(conn, ids)
    superseding: dict[str, str] = {
        old: new
        for old, new in conn.execute(
            select(inspection_table.c.supersedes, inspection_table.c.id).where(
                inspection_table.c.supersedes.in_(ids), inspection_table.c.status == FINISHED
            )
        )
    }
    return [
        InspectionRecord(
            _finished_from_row(row, by_id.get(row["id"], [])), superseding.get(row["id"])
        )
        for row in found
    ]


def first_started(conn: Connection, item_id: str) -> datetime | None:
    """When the item's first inspection here began: nothing is audited of it before."""
    first: datetime | None = conn.execute(
        select(func.min(inspection_table.c.started_at)).where(
            inspection_table.c.request_item_id == item_id
        )
    ).scalar_one()
    return first


def _finished_from_row(row: rows.RowIn, recorded: Sequence[AnswerRecord]) -> FinishedInspection:
    return FinishedInspection(
        started=started_from_row(row),
        finished_at=row["finished_at"],
        answers=tuple(recorded),
        grade=None if row["grade"] is None else Grade(row["grade"]),
        wiped=bool(row["wiped"]),
        decision=decision(row),
    )


def status(conn: Connection, inspection_id: str) -> str | None:
    found: str | None = conn.execute(_STATUS, {"of": inspection_id}).scalar_one_or_none()
    return found


def answers(conn: Connection, ids: Sequence[str]) -> dict[str, list[AnswerRecord]]:
    """Inspection id -> its answers in recording order, for the inspections `ids`."""
    by_inspection: dict[str, list[AnswerRecord]] = {}
    if not ids:
        return by_inspection
    for row in conn.execute(_ANSWERS, {"of": list(ids)}).mappings():
        by_inspection.setdefault(row["inspection_id"], []).append(rows.answer_from_row(row))
    return by_inspection


def started_from_row(row: rows.RowIn) -> InspectionStarted:
    return InspectionStarted(
        id=row["id"],
        request_item_id=row["request_item_id"],
        station_id=row["station_id"],
        inspector_id=row["inspector_id"],
        started_at=row["started_at"],
        scanned_code=row["scanned_code"],
        identified_sku=row["identified_sku"],
        identified_by=IdentifiedBy(row["identified_by"]),
        supersedes=row["supersedes"],
        second_of=row["second_of"],
    )


def decision(row: rows.RowIn) -> Decision:
    return Decision(
        outcome=Outcome(row["outcome"]),
        final_cents=row["final_cents"],
        disposition=Disposition(row["disposition"]),
        reasons=tuple(Reason(code) for code in row["reason_codes"]),
        response_due_on=row["response_due_on"],
    )


def _started_values(started: InspectionStarted, status: str) -> rows.Row:
    return {
        "id": started.id,
        "request_item_id": started.request_item_id,
        "station_id": started.station_id,
        "inspector_id": started.inspector_id,
        "started_at": started.started_at,
        "status": status,
        "scanned_code": started.scanned_code,
        "identified_by": started.identified_by.value,
        "identified_sku": started.identified_sku,
        "supersedes": started.supersedes,
        "second_of": started.second_of,
        "reason_codes": [],
        "wiped": False,
    }


def _answer_key(answer: AnswerRecord) -> tuple[object, ...]:
    return (
        answer.question,
        answer.value,
        answer.source.value,
        answer.reason,
        answer.inspector_id,
        answer.answered_at,
    )
