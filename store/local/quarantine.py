"""The pull quarantine: central rows the replica refused, with why. Functions take the
caller's `Connection`.

A refused row must not block the rows after it, so the pull skips it and records it here;
the bench lists these so someone fixes them centrally. A corrected version pulled later
replaces the entry's row in the replica and removes the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, exists, func, select

from bench.station import QuarantinedRow
from store.dbutil import upsert
from store.local.schema import quarantine_table


@dataclass(frozen=True)
class SkippedRow:
    """A pulled row that breaks the contract: its key, why, and central's stamp of it."""

    key: str
    reason: str
    updated_at: datetime | None


def put(conn: Connection, table: str, skipped: Sequence[SkippedRow], at: datetime) -> list[str]:
    """Quarantine `skipped` rows of `table`; returns the keys that were not there yet."""
    if not skipped:
        return []
    keys = [row.key for row in skipped]
    known = set(
        conn.execute(
            select(quarantine_table.c.row_key).where(
                quarantine_table.c.table_name == table, quarantine_table.c.row_key.in_(keys)
            )
        ).scalars()
    )
    entries = {
        row.key: {
            "table_name": table,
            "row_key": row.key,
            "reason": row.reason,
            "updated_at_central": row.updated_at,
            "seen_at": at,
        }
        for row in skipped
    }
    upsert(conn, quarantine_table, list(entries.values()))
    return [key for key in entries if key not in known]


def holds(conn: Connection, table: str) -> bool:
    """Whether any row of `table` is quarantined: one indexed probe, so a pull with nothing
    quarantined (the common case) need not list its keys."""
    found: bool = conn.execute(
        select(exists().where(quarantine_table.c.table_name == table))
    ).scalar_one()
    return found


def release(conn: Connection, table: str, keys: Sequence[str]) -> None:
    """These rows of `table` arrived sound: they leave the quarantine, if they were in it."""
    conn.execute(
        delete(quarantine_table).where(
            quarantine_table.c.table_name == table, quarantine_table.c.row_key.in_(keys)
        )
    )


def rows(conn: Connection) -> list[QuarantinedRow]:
    """Every quarantined row, by table and key."""
    found = conn.execute(
        select(quarantine_table).order_by(quarantine_table.c.table_name, quarantine_table.c.row_key)
    ).mappings()
    return [
        QuarantinedRow(row["table_name"], row["row_key"], row["reason"], row["seen_at"])
        for row in found
    ]


def count(conn: Connection) -> int:
    found: int = conn.execute(select(func.count()).select_from(quarantine_table)).scalar_one()
    return found
