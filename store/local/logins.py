"""Failed PIN attempts, kept so a lock-out survives a restart of the bench. Functions take
the caller's `Connection`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select

from store.local.schema import login_failure_table


def record_failure(conn: Connection, inspector_id: str, at: datetime) -> None:
    conn.execute(login_failure_table.insert(), [{"inspector_id": inspector_id, "at": at}])


def failure_times(conn: Connection, inspector_id: str, since: datetime) -> list[datetime]:
    """When this inspector's failed PIN attempts at or after `since` happened, in order."""
    return list(
        conn.execute(
            select(login_failure_table.c.at)
            .where(
                login_failure_table.c.inspector_id == inspector_id,
                login_failure_table.c.at >= since,
            )
            .order_by(login_failure_table.c.at)
        ).scalars()
    )


def clear(conn: Connection, inspector_id: str) -> None:
    conn.execute(
        delete(login_failure_table).where(login_failure_table.c.inspector_id == inspector_id)
    )
