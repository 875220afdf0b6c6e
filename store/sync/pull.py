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

The push side (outbox -> central `inspections`) is in `store.sync.engine`, which runs this.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, literal, select, true, tuple_
from sqlalchemy.sql.elements import ColumnElement

from store.central import REPLICATED, central_errors
from store.local import LocalStore

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
) -> dict[str, int]:
    """Copy rows changed since the last pull from central into the replica.

    Tables go in foreign-key order, each in batches ordered by (updated_at, key);
    `progress(table, done, total)` is called once per table before its first batch and
    after each batch. Returns the number of rows copied per table (0 when nothing changed).
    Raises CentralUnavailable when central cannot be read; what was copied before that is
    kept, with its cursor, so the next pull resumes there.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    return {table.name: _pull_table(central, local, table, progress, batch) for table in REPLICATED}


def _pull_table(
    central: Engine,
    local: LocalStore,
    table: Table,
    progress: PullProgress | None,
    batch: int,
) -> int:
    (key_column,) = table.primary_key.columns
    updated_at = table.c.updated_at
    name = cursor_name(table.name)
    cursor = PullCursor.decode(local.sync_cursor(name))
    done = 0
    with _reading(central, table) as conn:
        total = conn.execute(
            select(func.count()).select_from(table).where(_after(table, cursor))
        ).scalar_one()
    if progress is not None:
        progress(table.name, 0, total)
    while True:
        with _reading(central, table) as conn:
            found = [
                dict(row)
                for row in conn.execute(
                    select(table)
                    .where(_after(table, cursor))
                    .order_by(updated_at, key_column)
                    .limit(batch)
                ).mappings()
            ]
        if not found:
            break
        last = found[-1]
        cursor = PullCursor(last["updated_at"], str(last[key_column.name]))
        local.write_replica_rows(table.name, found, (name, cursor.encode()))
        done += len(found)
        if progress is not None:
            # Rows changed while we pulled can push done past the first count.
            progress(table.name, done, max(total, done))
        if len(found) < batch:
            break
    return done


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
