"""Pull: copy what the portal wrote centrally into the station's replica.

Lookups at the bench (a request by its label, a model by its barcode, an inspector by badge)
must work with the network down, so the bench keeps a copy of programs, catalog, requests,
items and inspectors, refreshed by pulling only what changed since the last pull.

"What changed" is keyed on `(updated_at, primary key)`, not `updated_at` alone: a portal
import stamps thousands of rows with the same timestamp, and a batch boundary falling
inside such a run would otherwise skip or repeat rows. The cursor is stored per table in
`sync_cursors`, written in the same local transaction as the rows it covers, so it never
runs ahead of what the replica holds.

Known limits, acceptable for a replica the portal mostly appends to: rows deleted centrally
are not removed here (central retires rows by status instead), and a central transaction
that commits long after stamping `updated_at` can be passed over by a concurrent pull.

Nothing central holds is trusted: every row is checked against the contract
(`store.sync.validate`) before it enters the replica. A row that breaks it is skipped and
quarantined (`pull_quarantine`, with why), the cursor moves past it and the rows after it
flow on; a corrected version, stamped anew, is pulled and leaves the quarantine. A batch
the driver cannot decode (invalid JSON, a date after year 9999) is read again with its
fragile columns as text, so one such row never fails the batch, let alone the sync.

The push side (outbox -> central `inspections`) is in `store.sync.engine`, which runs this.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Select,
    Table,
    Text,
    cast,
    func,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.exc import DataError
from sqlalchemy.sql.elements import ColumnElement

from store.central import REPLICATED, central_errors
from store.dbutil import utcnow
from store.local import LocalStore, SkippedRow
from store.sqltypes import TextList
from store.sync.validate import CONTRACTS, Window, fragile, from_text

log = logging.getLogger(__name__)

# What the driver raises on a value it cannot decode: psycopg's DataError ("date too large")
# wrapped by SQLAlchemy, or a result processor's own error (SQLite JSON that is not JSON).
UNDECODABLE = (DataError, ValueError, TypeError, OverflowError)
# A quarantine reason is shown on one line of the bench and of `bench sync --once`.
MAX_REASON_CHARS = 300

Row = dict[str, Any]

PullProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PullCursor:
    """The last (updated_at, key) pulled for one table; the next pull starts after it."""

    updated_at: datetime
    key: str

    def encode(self) -> str:
        return json.dumps({"updated_at": self.updated_at.isoformat(), "key": self.key})

    @classmethod
    def decode(cls, text: str | None) -> PullCursor | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(updated_at=datetime.fromisoformat(data["updated_at"]), key=str(data["key"]))


def cursor_name(table: str) -> str:
    return f"pull:{table}"


def pull_all(
    central: Engine,
    local: LocalStore,
    progress: PullProgress | None = None,
    batch: int = 2000,
    now: datetime | None = None,
) -> dict[str, int]:
    """Copy rows changed since the last pull from central into the replica.

    Tables go in foreign-key order, each in batches ordered by (updated_at, key);
    `progress(table, done, total)` is called once per table before its first batch and
    after each batch. Returns the number of rows copied per table (0 when nothing changed);
    rows that break the contract are quarantined instead, and not counted. `now` (the
    bench's clock) bounds the dates the contract accepts. Raises CentralUnavailable when
    central cannot be read; what was copied before that is kept, with its cursor, so the
    next pull resumes there.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    window = Window.around(now or utcnow())
    return {
        table.name: _pull_table(central, local, table, progress, batch, window)
        for table in REPLICATED
    }


def _pull_table(
    central: Engine,
    local: LocalStore,
    table: Table,
    progress: PullProgress | None,
    batch: int,
    window: Window,
) -> int:
    (key_column,) = table.primary_key.columns
    name = cursor_name(table.name)
    cursor = PullCursor.decode(local.sync_cursor(name))
    contract = CONTRACTS[table.name]
    done = copied = 0
    with _reading(central, table) as conn:
        total = conn.execute(
            select(func.count()).select_from(table).where(_after(table, cursor))
        ).scalar_one()
    if progress is not None:
        progress(table.name, 0, total)
    while True:
        found = _fetch(central, table, cursor, batch)
        if not found:
            break
        sound: list[Row] = []
        skipped: list[SkippedRow] = []
        for row in found:
            problems = contract.problems(row, window)
            if problems:
                skipped.append(_skipped(row, key_column.name, problems))
            else:
                sound.append(row)
        last = _last_cursor(found, key_column.name, window)
        new = local.write_pulled(
            table.name, sound, skipped, None if last is None else (name, last.encode()), window.now
        )
        _log_quarantined(table.name, skipped, new)
        done += len(found)
        copied += len(sound)
        if progress is not None:
            # Rows changed while we pulled can push done past the first count.
            progress(table.name, done, max(total, done))
        if len(found) < batch or last is None or last == cursor:
            break  # the end, or only rows no cursor can point at (stamped far ahead) are left
        cursor = last
    return copied


def _skipped(row: Row, key: str, problems: Sequence[str]) -> SkippedRow:
    reason = "; ".join(problems)
    if len(reason) > MAX_REASON_CHARS:
        reason = f"{reason[: MAX_REASON_CHARS - 1]}…"
    stamp = row["updated_at"]
    return SkippedRow(str(row[key]), reason, stamp if isinstance(stamp, datetime) else None)


def _last_cursor(found: Sequence[Row], key: str, window: Window) -> PullCursor | None:
    """Where the next batch starts: after the last row whose stamp is a sane moment. A row
    stamped in year 9000 must not carry the cursor past every row the portal writes next."""
    for row in reversed(found):
        stamp = row["updated_at"]
        if isinstance(stamp, datetime) and stamp.tzinfo is not None and window.holds(stamp):
            return PullCursor(stamp, str(row[key]))
    return None


def _log_quarantined(table: str, skipped: Sequence[SkippedRow], new: Sequence[str]) -> None:
    """Name each row once, when it is first quarantined: a bad row pulled every round
    would otherwise fill the log."""
    fresh = set(new)
    for row in skipped:
        if row.key in fresh:
            log.warning("sync: skipped central %s row %s: %s", table, row.key, row.reason)


@contextmanager
def _reading(central: Engine, table: Table) -> Iterator[Connection]:
    """A short read on central. One connection per batch, not per table: no central
    transaction stays open while the local write of the previous batch waits its turn."""
    with central_errors(central, f"read {table.name} from"), central.connect() as conn:
        yield conn


def _after(table: Table, cursor: PullCursor | None) -> ColumnElement[Any]:
    if cursor is None:
        return true()
    (key_column,) = table.primary_key.columns
    updated_at = table.c.updated_at
    # A row-value comparison, so the (updated_at, key) index answers it as one range.
    return tuple_(updated_at, key_column) > tuple_(
        literal(cursor.updated_at, updated_at.type), literal(cursor.key, key_column.type)
    )


def _ordered(
    query: Select[Any], table: Table, cursor: PullCursor | None, batch: int
) -> Select[Any]:
    (key_column,) = table.primary_key.columns
    return query.where(_after(table, cursor)).order_by(table.c.updated_at, key_column).limit(batch)


def _fetch(central: Engine, table: Table, cursor: PullCursor | None, batch: int) -> list[Row]:
    """The next batch after `cursor`; read again with its fragile columns as text when the
    driver cannot decode a value in it (the contract check then names that value)."""
    with _reading(central, table) as conn:
        try:
            return [
                dict(row)
                for row in conn.execute(_ordered(select(table), table, cursor, batch)).mappings()
            ]
        except UNDECODABLE as error:
            log.info(
                "sync: a %s batch central holds cannot be decoded (%s); reading it as text",
                table.name,
                error,
            )
    fragile_columns = [c for c in table.columns if fragile(c)]
    with _reading(central, table) as conn:
        as_text = [
            _as_text(c, conn.dialect.name) if c in fragile_columns else c for c in table.columns
        ]
        found = conn.execute(_ordered(select(*as_text), table, cursor, batch)).mappings()
        return [
            {
                column.name: from_text(column, row[column.name])
                if column in fragile_columns
                else row[column.name]
                for column in table.columns
            }
            for row in found
        ]


def _as_text(column: Column[Any], dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql" and isinstance(column.type, JSON | TextList):
        # An array's text form is PostgreSQL's own ({a,NULL}); JSON's is what Python reads.
        return cast(func.to_json(column), Text).label(column.name)
    return cast(column, Text).label(column.name)
