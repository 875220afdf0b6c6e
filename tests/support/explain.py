"""Which indexes PostgreSQL uses for the statements a block of code runs: each statement
is explained (EXPLAIN, not run again) on the same connection right after it ran."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

_INDEX = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")


@contextmanager
def indexes_used(engine: Engine) -> Iterator[list[set[str]]]:
    """Yield a list that gets, per SELECT run inside the block, the names of the indexes
    in its plan. PostgreSQL only."""
    found: list[set[str]] = []

    def explain(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        # A cursor of its own: the statement's rows are still to be fetched from `cursor`,
        # and the raw cursor does not come back through this event.
        with cursor.connection.cursor() as other:
            other.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in other.fetchall())
        found.append(set(_INDEX.findall(plan)))

    event.listen(engine, "after_cursor_execute", explain)
    try:
        yield found
    finally:
        event.remove(engine, "after_cursor_execute", explain)
