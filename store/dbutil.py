"""Small SQL helpers both schemas use: a batched upsert and plain-words error causes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError


def upsert(connection: Connection, table: Table, values: Sequence[Mapping[str, Any]]) -> int:
    """Insert rows, or update every non-key column of rows whose primary key exists.

    One executemany per call with `ON CONFLICT DO UPDATE`, on PostgreSQL and SQLite alike:
    thousands of rows take milliseconds, where ORM objects added one by one take seconds.
    Returns the number of rows given.
    """
    if not values:
        return 0
    dialect = connection.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise ValueError(f"bench stores data in PostgreSQL or SQLite, not {dialect}")
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
