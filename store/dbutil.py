"""Small SQL helpers both schemas use: a batched upsert, the dialect's INSERT, plain-words
error causes, the clock, and the few declaration helpers the two sets of models share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import SQLAlchemyError


def utcnow() -> datetime:
    """Now, timezone-aware UTC: the only kind of moment the store takes."""
    return datetime.now(UTC)


def dialect_insert(connection: Connection, table: Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # Only here: a station with no central never imports the PostgreSQL dialect.
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"bench stores data in PostgreSQL or SQLite, not {dialect}")


def upsert(connection: Connection, table: Table, values: Sequence[Mapping[str, Any]]) -> int:
    """Insert rows, or update every non-key column of rows whose primary key exists.

    One executemany per call with `ON CONFLICT DO UPDATE`, on PostgreSQL and SQLite alike:
    thousands of rows take milliseconds, where ORM objects added one by one take seconds.
    Returns the number of rows given.
    """
    if not values:
        return 0
    stmt = dialect_insert(connection, table)
    keys = [column.name for column in table.primary_key.columns]
    update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)  # the key is the whole row
    connection.execute(stmt, values)
    return len(values)


def why(error: SQLAlchemyError) -> str:
    """The driver's own first line ("unable to open database file", "connection refused"),
    without SQLAlchemy's statement dump, which can be long and means nothing to an operator."""
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def table_of(model: type[Any]) -> Table:
    """A declarative model's `Table` (typed as one: `__table__` is a FromClause to mypy)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def one_of(column: str, values: Iterable[str], nullable: bool = False) -> str:
    """The text of a CHECK that `column` holds one of `values` (or NULL, if `nullable`)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    check = f"{column} IN ({quoted})"
    return f"{column} IS NULL OR {check}" if nullable else check
