"""Writing the portal's side of central from bench itself: `bench inspectors add` and the
demo/seed data. Benches otherwise only write inspections (see `store.sync`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Engine, Table

from bench.domain import CatalogModel, Inspector, ProgramPolicy, Request, Role
from store import rows
from store.central.engine import central_errors
from store.central.schema import (
    catalog_table,
    inspector_table,
    item_table,
    program_table,
    request_table,
)
from store.dbutil import upsert, utcnow

DEMO_BATCH = 1000


def add_inspector(engine: Engine, id: str, name: str, role: str | Role, pin_hash: str) -> None:
    """Add an inspector, or update the name, role and PIN of an existing one (re-activating
    them): `bench inspectors add` is how a PIN is reset."""
    row = rows.inspector_row(Inspector(id=id, name=name, role=Role(role)), pin_hash)
    row["updated_at"] = utcnow()
    with central_errors(engine, "add the inspector to"), engine.begin() as connection:
        upsert(connection, inspector_table, [row])


def write_demo_data(
    engine: Engine,
    programs: Sequence[ProgramPolicy],
    models: Sequence[CatalogModel],
    requests: Sequence[Request],
    inspectors_with_hash: Sequence[tuple[Inspector, str]],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write demo (or seed) data in one transaction, in batches, reporting rows written.

    Rows already there are updated, so seeding twice gives the same database. Each batch is
    one executemany: thousands of rows take a fraction of a second, where ORM objects added
    one by one would take seconds.
    """
    now = utcnow()
    tables: list[tuple[Table, list[rows.Row]]] = [
        (program_table, [rows.program_row(p) for p in programs]),
        (catalog_table, [rows.model_row(m) for m in models]),
        (request_table, [rows.request_row(r) for r in requests]),
        (item_table, [rows.item_row(i) for r in requests for i in r.items]),
        (inspector_table, [rows.inspector_row(i, h) for i, h in inspectors_with_hash]),
    ]
    total = sum(len(table_rows) for _, table_rows in tables)
    done = 0
    if progress is not None:
        progress(done, total)
    with central_errors(engine, "write demo data to"), engine.begin() as connection:
        for table, table_rows in tables:
            for start in range(0, len(table_rows), DEMO_BATCH):
                batch = table_rows[start : start + DEMO_BATCH]
                for row in batch:
                    row["updated_at"] = now
                upsert(connection, table, batch)
                done += len(batch)
                if progress is not None:
                    progress(done, total)
