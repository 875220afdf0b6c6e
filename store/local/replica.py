"""The replica's reads and writes: lookups at the bench, and rows from central or the demo.

Lookups (a request by its label, a model by its barcode, an inspector by badge) must work
with the network down, so they read only the replica. Functions take the caller's
`Connection`: the transaction is the caller's (see `store.local.store.LocalStore`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, Table, bindparam, delete, func, or_, select

from bench.domain import CatalogModel, Inspector, ProgramPolicy, Request, RequestItem
from store import rows
from store.dbutil import upsert
from store.local.schema import (
    REPLICA_TABLES,
    catalog_table,
    cursor_table,
    gtin_table,
    inspector_table,
    item_table,
    program_table,
    request_table,
)


def program(conn: Connection, code: str) -> ProgramPolicy | None:
    found = conn.execute(select(program_table).where(program_table.c.code == code))
    row = found.mappings().first()
    return None if row is None else rows.program_from_row(row)


# Built once, with the code as a parameter: building them at each scan cost more than
# SQLite took to run them (see store.local.inspections).
_CODE: BindParameter[str] = bindparam("code")
_REQUEST = (
    select(request_table)
    .where(or_(request_table.c.id == _CODE, request_table.c.tracking_number == _CODE))
    # An id match wins over a tracking number that happens to look the same.
    .order_by((request_table.c.id == _CODE).desc(), request_table.c.id)
    .limit(1)
)
_ITEMS = (
    select(item_table)
    .where(item_table.c.request_id == bindparam("request_id"))
    .order_by(item_table.c.id)
)


def find_request(conn: Connection, code: str) -> Request | None:
    """The request whose id or tracking number is `code`, with its items by id."""
    found = conn.execute(_REQUEST, {"code": code.strip()}).mappings().first()
    if found is None:
        return None
    items = conn.execute(_ITEMS, {"request_id": found["id"]}).mappings()
    return rows.request_from_row(found, [rows.item_from_row(i) for i in items])


def catalog_model(conn: Connection, sku: str) -> CatalogModel | None:
    found = conn.execute(select(catalog_table).where(catalog_table.c.sku == sku)).mappings().first()
    return None if found is None else rows.model_from_row(found)


def model_by_gtin(conn: Connection, gtin: str, program_code: str | None) -> CatalogModel | None:
    """The model with this GTIN, given as 8, 12, 13 or 14 digits; None if unknown.

    When the product is listed in several programs, the row of `program_code` wins.
    """
    normal = rows.normalise_gtin(gtin)
    if normal is None:
        return None
    found = (
        conn.execute(
            select(catalog_table)
            .join(gtin_table, gtin_table.c.sku == catalog_table.c.sku)
            .where(gtin_table.c.gtin == normal)
            .order_by(
                (catalog_table.c.program_code == (program_code or "")).desc(),
                catalog_table.c.sku,
            )
        )
        .mappings()
        .first()
    )
    return None if found is None else rows.model_from_row(found)


def inspector(conn: Connection, id: str) -> tuple[Inspector, str] | None:
    """The inspector and their PIN hash, or None."""
    found = (
        conn.execute(select(inspector_table).where(inspector_table.c.id == id)).mappings().first()
    )
    return None if found is None else rows.inspector_from_row(found)


def inspectors(conn: Connection) -> list[Inspector]:
    """Every inspector the replica holds, active or not, by badge id."""
    found = conn.execute(select(inspector_table).order_by(inspector_table.c.id)).mappings()
    return [rows.inspector_from_row(row)[0] for row in found]


def request_item(conn: Connection, id: str) -> RequestItem | None:
    found = conn.execute(select(item_table).where(item_table.c.id == id)).mappings().first()
    return None if found is None else rows.item_from_row(found)


def has_inspectors(conn: Connection) -> bool:
    """Whether any inspector was ever pulled: a new station that never reached central
    knows no badge at all, which is not the same as an unknown badge."""
    return conn.execute(select(inspector_table.c.id).limit(1)).first() is not None


def counts(conn: Connection) -> dict[str, int]:
    """Rows per replicated table."""
    return {
        name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in REPLICA_TABLES.items()
    }


def sync_cursor(conn: Connection, name: str) -> str | None:
    value: str | None = conn.execute(
        select(cursor_table.c.value).where(cursor_table.c.name == name)
    ).scalar_one_or_none()
    return value


def set_sync_cursor(conn: Connection, name: str, value: str) -> None:
    upsert(conn, cursor_table, [{"name": name, "value": value}])


def write_domain(
    conn: Connection,
    now: datetime,
    *,
    programs: Sequence[ProgramPolicy],
    models: Sequence[CatalogModel],
    requests: Sequence[Request],
    inspectors: Sequence[tuple[Inspector, str]],
) -> None:
    """Insert or update replica rows from domain objects, stamped `now`; requests bring
    their items."""
    batches: list[tuple[str, list[rows.Row]]] = [
        ("programs", [rows.program_row(p) for p in programs]),
        ("catalog_models", [rows.model_row(m) for m in models]),
        ("requests", [rows.request_row(r) for r in requests]),
        ("request_items", [rows.item_row(i) for r in requests for i in r.items]),
        ("inspectors", [rows.inspector_row(i, pin) for i, pin in inspectors]),
    ]
    for name, values in batches:
        for value in values:
            value["updated_at"] = now
        upsert_rows(conn, name, values)


def replica_table(table_name: str) -> Table:
    """The replica's table of the central table `table_name`."""
    table = REPLICA_TABLES.get(table_name)
    if table is None:
        raise ValueError(f"{table_name!r} is not a replicated table")
    return table


def key_name(table_name: str) -> str:
    (key,) = replica_table(table_name).primary_key.columns
    return key.name


def delete_rows(conn: Connection, table_name: str, keys: Sequence[str]) -> None:
    """Remove rows by key (central's version of them was refused), with their GTINs."""
    table = replica_table(table_name)
    (key,) = table.primary_key.columns
    conn.execute(delete(table).where(key.in_(keys)))
    if table is catalog_table:
        conn.execute(delete(gtin_table).where(gtin_table.c.sku.in_(keys)))


def upsert_rows(conn: Connection, table_name: str, values: Sequence[Mapping[str, Any]]) -> int:
    """Upsert rows shaped like the central table `table_name` (columns the replica does not
    have are ignored), keeping the GTIN lookup in step with the models. Returns rows written.
    """
    table = replica_table(table_name)
    if not values:
        return 0
    columns = set(table.columns.keys())
    cleaned = [{k: v for k, v in value.items() if k in columns} for value in values]
    upsert(conn, table, cleaned)
    if table is catalog_table:
        skus = [value["sku"] for value in cleaned]
        conn.execute(delete(gtin_table).where(gtin_table.c.sku.in_(skus)))
        # Unusable GTINs (wrong length, letters) are kept in the model's own list but
        # left out of the lookup: no scan could ever match them.
        # One product listed in two programs has one GTIN and two skus: keep both.
        lookup = {
            (normal, value["sku"])
            for value in cleaned
            for gtin in value.get("gtins") or ()
            if (normal := rows.normalise_gtin(gtin)) is not None
        }
        upsert(conn, gtin_table, [{"gtin": g, "sku": s} for g, s in sorted(lookup)])
    return len(cleaned)
