"""The outbox: finished inspections waiting for their push to central, and its dead letters.

A row is queued in the same transaction as the inspection it carries (see
`LocalStore.finish_inspection`), so the outbox can never miss a confirmed result. The sync
worker reads the queue (`queued`) and marks what central committed or refused. Functions
take the caller's `Connection`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import ColumnElement, Connection, Select, Text, func, select, type_coerce, update
from sqlalchemy.exc import DBAPIError

from store.local.engine import driver_rows, json_text
from store.local.schema import outbox_table


@dataclass(frozen=True)
class OutboxRow:
    id: int
    inspection_id: str
    payload: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None = None
    dead_at: datetime | None = None
    tampered: bool = False


class QueuedRow(NamedTuple):
    """An outbox row waiting to be sent, with what SQLite read out of its payload.

    A tuple, not a dataclass: a long sync makes 100,000 of these.
    """

    id: int
    inspection_id: str
    payload: str
    """The payload as stored (JSON text): for a reader that cannot use `values`."""
    values: str | None
    """The payload's values at the keys asked for, as one JSON array (see `queued`)."""
    text: str | None
    """The payload's value at `text_key`, as JSON text."""
    chain_station: str | None
    """The row's evidence chain entry (None when it has none): whose, which, its link..."""
    chain_seq: int | None
    chain_prev: str | None
    chain_hash: str | None
    chain_body: str | None
    """...and the payload as the entry recorded it, which the push compares with `payload`."""


_ENQUEUE = outbox_table.insert()  # built once: see store.local.inspections


def enqueue(conn: Connection, inspection_id: str, payload: dict[str, Any], at: datetime) -> None:
    conn.execute(
        _ENQUEUE,
        [{"inspection_id": inspection_id, "payload": payload, "created_at": at, "attempts": 0}],
    )


# Still to send: neither sent nor dead-lettered.
PENDING: tuple[ColumnElement[bool], ...] = (
    outbox_table.c.sent_at.is_(None),
    outbox_table.c.dead_at.is_(None),
)
DEAD: tuple[ColumnElement[bool], ...] = (outbox_table.c.dead_at.is_not(None),)


def read(conn: Connection, query: Select[Any]) -> list[OutboxRow]:
    """The outbox rows `query` (a select of the outbox) finds."""
    # The payload as stored text, decoded here: one damaged beyond reading must not
    # hide the others (the push dead-letters it, and a supervisor lists dead letters).
    columns = [
        type_coerce(c, Text).label(c.name) if c is outbox_table.c.payload else c
        for c in outbox_table.columns
    ]
    return [
        OutboxRow(
            id=row["id"],
            inspection_id=row["inspection_id"],
            payload=_payload(row["payload"]),
            created_at=row["created_at"],
            sent_at=row["sent_at"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            dead_at=row["dead_at"],
            tampered=bool(row["tampered"]),
        )
        for row in conn.execute(query.with_only_columns(*columns)).mappings()
    ]


def dead_letters(conn: Connection) -> list[OutboxRow]:
    """Rows central refused for good, oldest first, with central's reason."""
    return read(conn, select(outbox_table).where(*DEAD).order_by("id"))


def queued(
    conn: Connection,
    keys: Sequence[str],
    *,
    text_key: str,
    nullable: Collection[str],
    after: int,
    limit: int,
) -> list[QueuedRow]:
    """The next rows to send, from outbox id `after` on, their payloads read by SQLite.

    A long sync reads 100,000 of these. SQLite picks the values at `keys` out of each
    payload into one short JSON array, and the value at `text_key` (the answers) as the
    JSON text it already is, so Python decodes neither the whole payload nor what it
    would only encode again. In `values` a missing key reads as null, like a null value;
    the `nullable` keys, whose null is a real value, must be there or `values` is None.
    A payload that is not JSON at all makes SQLite give up on the whole batch: then
    `values` and `text` are None on every row, and the caller decodes `payload` itself.
    """
    # json_extract gives an array for two paths or more, a lone value for one.
    assert len(keys) > 1, "ask for two keys or more"
    # Each JSON function in the statement parses the payload once for itself.
    present = " AND ".join(["json_type(payload, ?) IS NOT NULL"] * len(nullable)) or "1"
    picked = ", ".join(["?"] * len(keys))
    extracted = f"iif({present}, json_extract(payload, {picked}), NULL), payload -> ?"
    paths = [f"$.{key}" for key in (*nullable, *keys, text_key)]
    query = (
        "SELECT id, inspection_id, CAST(payload AS TEXT), {}, c.station_id, c.seq, c.prev_hash, "
        "c.hash, c.body FROM outbox LEFT JOIN evidence_chain AS c "
        "ON c.kind = 'inspection' AND c.ref = inspection_id WHERE id > ? "
        "AND sent_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT ?"
    )
    try:
        found = driver_rows(conn, query.format(extracted), (*paths, after, limit))
    except DBAPIError as error:
        if "malformed JSON" not in str(error.orig):
            raise
        found = driver_rows(conn, query.format("NULL, NULL"), (after, limit))
    return list(map(QueuedRow._make, found))


def count(conn: Connection, *where: ColumnElement[bool]) -> int:
    found: int = conn.execute(
        select(func.count()).select_from(outbox_table).where(*where)
    ).scalar_one()
    return found


def mark_sent(conn: Connection, outbox_ids: Sequence[int], at: datetime) -> None:
    """Central has committed these rows: they leave the queue."""
    # The ids go as one JSON array: a push marks 500 at a time, and as many bound
    # parameters would cost more than the update itself.
    ids = func.json_each(json_text(list(outbox_ids))).table_valued("value")
    conn.execute(
        update(outbox_table)
        .where(outbox_table.c.id.in_(select(ids.c.value)))
        .values(sent_at=at, last_error=None)
    )


def mark_failed(conn: Connection, outbox_ids: Sequence[int], error: str) -> None:
    """A push of these rows failed for a passing reason: they stay queued."""
    conn.execute(
        update(outbox_table)
        .where(outbox_table.c.id.in_(outbox_ids))
        .values(attempts=outbox_table.c.attempts + 1, last_error=error)
    )


def mark_dead(
    conn: Connection, outbox_id: int, error: str, at: datetime, *, tampered: bool = False
) -> None:
    """Central refused this row for good, or it was `tampered` with: out of the queue,
    kept for a supervisor."""
    conn.execute(
        update(outbox_table)
        .where(outbox_table.c.id == outbox_id)
        .values(
            dead_at=at, attempts=outbox_table.c.attempts + 1, last_error=error, tampered=tampered
        )
    )


def _payload(stored: str) -> dict[str, Any]:
    """An outbox payload decoded; one that is no JSON object reads as empty."""
    try:
        payload = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return {}
    return payload if isinstance(payload, dict) else {}
