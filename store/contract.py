"""The replicated tables' columns, declared once for the central schema and the replica.

The portal writes programs, catalog, requests, items and inspectors centrally; benches pull
them into a replica with the same column names, so a pulled row copies across as it is.
Each mixin below is one table's data columns; SQLAlchemy copies a mixin's `mapped_column`s
into every model that inherits it, so `store.central.schema` and `store.local.schema` get
the same names, types and nullability from here.

What only central has (foreign keys, CHECKs, unique and GIN indexes, the `updated_at`
defaults, `inspectors.active`'s default) the central models add in `__table_args__` or
their own mixin; the replica adds no constraint, because a replica must never refuse a row
central accepted. `updated_at` is not here: its declaration differs on the two sides.

The column names are the contract in DESIGN.md and may only grow.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Integer, Text
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from store.sqltypes import TextList, UTCDateTime, json_document


class ProgramColumns:
    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    max_items: Mapped[int] = mapped_column(Integer)
    max_age_years: Mapped[int] = mapped_column(Integer)
    ship_window_days: Mapped[int] = mapped_column(Integer)
    quote_valid_days: Mapped[int] = mapped_column(Integer)
    revise_response_working_days: Mapped[int] = mapped_column(Integer)
    ineligible_disposition: Mapped[str] = mapped_column(Text)
    value_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Graded-value table (bench.domain.ProgramPolicy); ignored by non-graded programs.
    brand: Mapped[str | None] = mapped_column(Text)
    grade_percents: Mapped[dict[str, int]] = mapped_column(json_document())
    broken_percent: Mapped[int] = mapped_column(Integer)
    dirty_percent: Mapped[int] = mapped_column(Integer)
    age_step_percent: Mapped[int] = mapped_column(Integer)


class CatalogModelColumns:
    sku: Mapped[str] = mapped_column(Text, primary_key=True)
    program_code: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    released_on: Mapped[date] = mapped_column(Date)
    base_value_cents: Mapped[int] = mapped_column(BigInteger)
    has_storage: Mapped[bool] = mapped_column(Boolean)
    gtins: Mapped[list[str]] = mapped_column(TextList())


class RequestColumns:
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    program_code: Mapped[str] = mapped_column(Text)
    customer_ref: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tracking_number: Mapped[str | None] = mapped_column(Text)
    shipping_cost_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text)


class RequestItemColumns:
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    # Indexed on both sides: every request lookup reads its items.
    request_id: Mapped[str] = mapped_column(Text, index=True)
    sku: Mapped[str] = mapped_column(Text)
    declared_serial: Mapped[str | None] = mapped_column(Text)
    declared_condition: Mapped[str] = mapped_column(Text)
    purchased_on: Mapped[date | None] = mapped_column(Date)
    offer_cents: Mapped[int] = mapped_column(BigInteger)
    quoted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectorColumns:
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    pin_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)


def column_names(columns: type) -> tuple[str, ...]:
    """The names of a mixin's columns, in declaration order (for `store.rows`)."""
    return tuple(name for name, value in vars(columns).items() if isinstance(value, MappedColumn))
