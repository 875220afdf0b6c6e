"""Inspections as central's `inspections` rows, and how a batch of them gets there.

The push is dominated by encoding and loading rows, so this is the tuned part of sync: an
outbox payload becomes a COPY row (`copy_row`, or `outbox_copy_row` from what SQLite
already read out of it), and a batch is loaded by binary COPY on PostgreSQL (`store_batch`,
`copy_rows`, with the dumpers below) or a multi-row insert on SQLite. Items the batch makes
conflicting are recorded in the same transaction (`flag_conflicts`). Apart from the
orchestration in `store.sync.engine` so the two can be read, and benchmarked, on their own.
"""

from __future__ import annotations

import operator
import struct
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import orjson
import psycopg
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Dumper
from psycopg.pq import Format
from sqlalchemy import Connection, exists, func, literal, select
from sqlalchemy.exc import DBAPIError

from store.central import conflict_table, inspection_table
from store.dbutil import dialect_insert
from store.local import QueuedRow

# Every column a bench sends, the payload's then the hash of its evidence chain entry
# (not in the payload, which the hash covers); central stamps received_at itself.
PAYLOAD_COLUMNS = tuple(
    c.name for c in inspection_table.columns if c.name not in ("received_at", "chain_hash")
)
PUSHED_COLUMNS = (*PAYLOAD_COLUMNS, "chain_hash")
_PUSHED_LIST = ", ".join(PUSHED_COLUMNS)
# Binary COPY needs each column's PostgreSQL type; binary dumps cost far less than text.
_PUSHED_TYPES = [
    {
        "id": "uuid",
        "started_at": "timestamptz",
        "finished_at": "timestamptz",
        "answers": "jsonb",
        "reason_codes": "text[]",
        "final_cents": "int8",
        "wiped": "bool",
        "response_due_on": "date",
        "supersedes": "uuid",
        "second_of": "uuid",
    }.get(column, "text")
    for column in PUSHED_COLUMNS
]


_ID, _ITEM, _ANSWERS = (PUSHED_COLUMNS.index(c) for c in ("id", "request_item_id", "answers"))
_MOMENTS = tuple(PUSHED_COLUMNS.index(c) for c in ("started_at", "finished_at"))
_DUE = PUSHED_COLUMNS.index("response_due_on")
# The columns naming another inspection by its UUID.
_LINKS = tuple(PUSHED_COLUMNS.index(c) for c in ("supersedes", "second_of"))
# Columns added after benches had queued payloads, with what a payload without one means,
# so an outbox row written by an older release still pushes.
OPTIONAL: dict[str, Any] = {
    "response_due_on": None,
    "supersedes": None,
    "identified_by": "scan",
    "second_of": None,
}
_DEFAULTS = tuple(
    (PUSHED_COLUMNS.index(c), default) for c, default in OPTIONAL.items() if default is not None
)
# The reader asks SQLite for every column but the answers, which come as JSON text.
READ_KEYS = tuple(c for c in PAYLOAD_COLUMNS if c != "answers")
# The nullable keys a payload must have: their null is a real value, not a missing key.
NULLABLE = tuple(c.name for c in inspection_table.columns if c.nullable and c.name not in OPTIONAL)
# Null in any other column read is a missing key, or a value central will refuse; the whole
# payload decoded tells which.
_REQUIRED = operator.itemgetter(
    *(i for i, c in enumerate(READ_KEYS) if c not in NULLABLE and c not in OPTIONAL)
)


def outbox_copy_row(row: QueuedRow) -> list[Any]:
    """The COPY row of an outbox row, from what SQLite read out of its payload when that
    serves, else from the whole payload decoded (which raises if it is unreadable)."""
    if row.values is not None and row.text is not None:
        # try/except, not contextlib.suppress: this runs for every row of a push.
        try:
            values = orjson.loads(row.values)
            if None not in _REQUIRED(values):
                values.insert(_ANSWERS, row.text.encode())
                values.append(row.chain_hash)
                return _ready(values)
        except (ValueError, TypeError):
            pass  # decoded whole, the payload tells what is wrong with it
    return copy_row(orjson.loads(row.payload), row.chain_hash or "")


def copy_row(payload: Mapping[str, Any], chain_hash: str = "") -> list[Any]:
    """An outbox payload (decoded) and its chain entry's hash as its row for `copy_rows`.

    Raises KeyError, ValueError or TypeError for a payload that cannot be one.
    """
    values = [payload.get(c) if c in OPTIONAL else payload[c] for c in PAYLOAD_COLUMNS]
    values.append(chain_hash)
    values[_ANSWERS] = orjson.dumps(values[_ANSWERS])
    return _ready(values)


def _ready(values: list[Any]) -> list[Any]:
    """A payload's values in `PUSHED_COLUMNS` order, the answers as JSON text (UTF-8), made
    a COPY row in place: the UUIDs as their 16 bytes, the moments as aware datetimes, the due
    date (ISO text or null) as a date, a column an older payload lacks as its default."""
    values[_ID] = _uuid_bytes(str(values[_ID]))
    for index in _LINKS:
        if values[index] is not None:
            values[index] = _uuid_bytes(str(values[index]))
    for index, default in _DEFAULTS:
        if values[index] is None:
            values[index] = default
    for index in _MOMENTS:
        parsed = datetime.fromisoformat(str(values[index]))
        if parsed.tzinfo is None:
            raise ValueError(f"{PUSHED_COLUMNS[index]} has no time zone")
        values[index] = parsed
    if values[_DUE] is not None:
        values[_DUE] = date.fromisoformat(str(values[_DUE]))
    return values


def _uuid_bytes(text: str) -> bytes:
    """The 16 bytes `uuid.UUID(text)` has, found cheaply for the usual 8-4-4-4-12 form."""
    digits = text.replace("-", "")
    if len(digits) == 32:
        try:
            raw = bytes.fromhex(digits)
        except ValueError:
            pass
        else:
            if len(raw) == 16:  # so 32 hex digits: fromhex skips only whitespace
                return raw
    return uuid.UUID(text).bytes


def central_row(payload: Mapping[str, Any], chain_hash: str = "") -> dict[str, Any]:
    """The outbox payload (JSON-safe) as typed values for central's `inspections`."""
    return _typed(copy_row(payload, chain_hash))


def _typed(row: Sequence[Any]) -> dict[str, Any]:
    """A COPY row as the values SQLAlchemy takes for `inspections`."""
    typed = dict(zip(PUSHED_COLUMNS, row, strict=True))
    typed["id"] = uuid.UUID(bytes=row[_ID])
    for index in _LINKS:
        if row[index] is not None:
            typed[PUSHED_COLUMNS[index]] = uuid.UUID(bytes=row[index])
    typed["answers"] = orjson.loads(row[_ANSWERS])
    return typed


def store_batch(conn: Connection, rows: Sequence[Sequence[Any]], now: datetime) -> None:
    """Insert a batch of inspections (`copy_row`s) and record the items it makes
    conflicting, in a transaction of its own on `conn`, committed when this returns.

    A UUID central already has is skipped (a retried push). On PostgreSQL the batch is
    COPYed straight into the table; a batch central already has part of is COPYed into a
    session-local staging table instead and moved with INSERT ... SELECT ... ON CONFLICT
    DO NOTHING. Either way a handful of round trips per batch instead of one per row.
    SQLite (a one-machine site) takes a plain multi-row insert.
    """
    if conn.dialect.name == "postgresql":
        _store_batch_postgresql(conn, rows)
        return
    statement = dialect_insert(conn, inspection_table).on_conflict_do_nothing(index_elements=["id"])
    with conn.begin():
        conn.execute(statement, [_typed(row) for row in rows])
        flag_conflicts(conn, sorted({row[_ITEM] for row in rows}), now)


def _store_batch_postgresql(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    items = sorted({row[_ITEM] for row in rows})
    try:
        try:
            # First try: COPY straight into the table, the fastest load PostgreSQL has.
            with conn.begin(), raw.cursor() as cursor:
                copy_rows(cursor, "inspections", rows)
                _flag_conflicts_postgresql(cursor, items)
        except psycopg.errors.UniqueViolation:
            # A retried batch (its reply was lost, or the bench died before marking it
            # sent): the first try is rolled back whole (a savepoint would cost two round
            # trips on every batch); stage it and insert only what central does not have.
            with conn.begin(), raw.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS inspections_incoming "
                    "(LIKE inspections INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                copy_rows(cursor, "inspections_incoming", rows)
                cursor.execute(
                    f"INSERT INTO inspections ({_PUSHED_LIST}) SELECT {_PUSHED_LIST} "
                    "FROM inspections_incoming ON CONFLICT (id) DO NOTHING"
                )
                _flag_conflicts_postgresql(cursor, items)
    except psycopg.Error as error:
        # The raw driver's errors, as SQLAlchemy's: refusals and outages are told apart
        # the same way on every path.
        raise DBAPIError.instance("COPY inspections", None, error, psycopg.Error) from error


def _flag_conflicts_postgresql(cursor: psycopg.Cursor[Any], items: list[str]) -> None:
    """`flag_conflicts` with the raw driver, in two passes.

    A conflict needs two inspections of the item, whatever they are, so the first pass
    finds the items of the batch with a second inspection, from the index of 0014 alone and
    an item at a time (a plan no table statistics can change); only those (usually none)
    take the anti-join on supersedes and the filter on second_of. One statement over the
    whole batch was planned on the statistics: on a table not analyzed since it grew (the
    push benchmark's, autovacuum off) a scan of every inspection, 35-98 ms per batch of
    2,000 into 100,000 (EXPLAIN ANALYZE); the first pass, 8 ms there, 9 ms analyzed.
    """
    found = cursor.execute(
        "SELECT item FROM unnest(%s::text[]) AS item WHERE EXISTS "
        "(SELECT FROM inspections WHERE request_item_id = item OFFSET 1)",
        [items],
    )
    candidates = [item for (item,) in found]
    if not candidates:
        return
    # Sorted, so two benches flagging the same items take their locks in one order.
    cursor.execute(
        "INSERT INTO item_conflicts (request_item_id, detected_at, inspections) "
        "SELECT request_item_id, now(), count(*) FROM inspections AS i "
        "WHERE request_item_id = ANY(%s) AND second_of IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM inspections AS later WHERE later.supersedes = i.id) "
        "GROUP BY request_item_id HAVING count(*) > 1 ORDER BY request_item_id "
        "ON CONFLICT (request_item_id) DO UPDATE SET inspections = EXCLUDED.inspections",
        [candidates],
    )


def copy_rows(cursor: psycopg.Cursor[Any], table: str, rows: Iterable[Sequence[Any]]) -> None:
    """Binary COPY of `copy_row`s into `table` (inspections, or its staging twin)."""
    for dumper in (_UuidBytesDumper, JsonTextDumper, _TextsDumper):
        cursor.adapters.register_dumper(None, dumper)  # for this cursor's COPY only
    with cursor.copy(f"COPY {table} ({_PUSHED_LIST}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_PUSHED_TYPES)
        for row in rows:
            copy.write_row(row)


class _UuidBytesDumper(Dumper):
    """A UUID given as its 16 bytes, which is also its binary form."""

    format = Format.BINARY
    oid = psycopg.adapters.types["uuid"].oid

    def dump(self, obj: bytes) -> bytes:
        return obj


_TEXT_OID = psycopg.adapters.types["text"].oid
# A one-dimensional text array's header: dimensions, has nulls, element type, length, and
# the lower bound, 1 (PostgreSQL's binary array format); an empty one has no dimension.
_TEXTS_HEAD = struct.Struct("!IIIII")
_NO_TEXTS = struct.pack("!III", 0, 0, _TEXT_OID)


class _TextsDumper(Dumper):
    """A flat list of strings (the reason codes) as a binary text[], without psycopg's
    general array dumper, which is Python and walks the list three times: the client's
    COPY of 100,000 inspections took 0.39 s of CPU with it, 0.32 s with this. Anything else
    in the list goes through that dumper."""

    format = Format.BINARY
    oid = psycopg.adapters.types["text"].array_oid

    def __init__(self, cls: type, context: AdaptContext | None = None) -> None:
        super().__init__(cls, context)
        # The dumper COPY took for text[] before this one.
        general = psycopg.adapters.get_dumper_by_oid(self.oid, Format.BINARY)
        self._general = general(list, context)

    def dump(self, obj: list[Any]) -> Buffer | None:
        if not obj:
            return _NO_TEXTS
        try:
            encoded = [item.encode() for item in obj]
        except AttributeError:  # a null or a nested list: psycopg knows every case
            return self._general.dump(obj)
        parts = [_TEXTS_HEAD.pack(1, 0, _TEXT_OID, len(obj), 1)]
        for item in encoded:
            parts.append(len(item).to_bytes(4, "big"))
            parts.append(item)
        return b"".join(parts)


class JsonTextDumper(Dumper):
    """JSON text (UTF-8) to jsonb as it is: binary jsonb is a version byte, 1, then the text."""

    format = Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: bytes) -> bytes:
        return b"\x01" + obj


def flag_conflicts(conn: Connection, item_ids: Sequence[str], now: datetime) -> None:
    """Record the items among `item_ids` that now have more than one latest inspection
    (one no other supersedes): two benches, one item. A reopened item's chain of
    inspections, each superseding the one before, is no conflict; nor is a second
    grading, which never counts."""
    if not item_ids:
        return
    later = inspection_table.alias("later")
    counted = (
        select(
            inspection_table.c.request_item_id,
            literal(now, conflict_table.c.detected_at.type),
            func.count(),
        )
        .where(
            inspection_table.c.request_item_id.in_(item_ids),
            inspection_table.c.second_of.is_(None),
            ~exists().where(later.c.supersedes == inspection_table.c.id),
        )
        .group_by(inspection_table.c.request_item_id)
        .having(func.count() > 1)
        .order_by(inspection_table.c.request_item_id)
    )
    statement = dialect_insert(conn, conflict_table).from_select(
        ["request_item_id", "detected_at", "inspections"], counted
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["request_item_id"],
            set_={"inspections": statement.excluded.inspections},
        )
    )
