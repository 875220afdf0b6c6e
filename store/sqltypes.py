"""Column types and naming shared by the local and the central schema.

Both schemas must behave the same on SQLite and PostgreSQL: timestamps come back as
timezone-aware UTC whichever database stored them, and lists of codes are a native `text[]`
on PostgreSQL but JSON on SQLite, which has no arrays.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

# Stable constraint and index names: Alembic diffs stay clean, and the same name exists on
# SQLite and PostgreSQL, so a migration can drop a constraint by name on either.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored as UTC, always read back as an aware UTC datetime.

    SQLite has no timestamp type: SQLAlchemy stores text and silently drops the offset, so a
    value written in another zone would read back shifted and naive. Converting to UTC before
    storing keeps the text sortable (pull cursors compare it) and correct. Naive datetimes are
    refused rather than guessed at: the domain promises aware timestamps everywhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the store only takes aware timestamps")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TextList(TypeDecorator[list[str]]):
    """A list of strings: `text[]` on PostgreSQL, a JSON array elsewhere.

    A decorator rather than a bare variant so that reads always give a list (never None for
    an empty SQL array) and tuples from the frozen domain types bind without conversion.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import ARRAY

            return dialect.type_descriptor(ARRAY(Text()))
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[str] | None:
        if value is None:
            return None
        return [str(v) for v in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        if value is None:
            return []
        # As stored: a NULL or a number inside the list is for the reader to refuse (the
        # pull's contract check does), not to be read as the text "None" or "12".
        return list(value)


class JSONDocument(TypeDecorator[Any]):
    """JSON that PostgreSQL stores as `jsonb` (indexable, compact), plain JSON on SQLite.

    A decorator rather than `JSON().with_variant(JSONB())`, which would import the
    PostgreSQL dialect with the models: a station with no central never loads it.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def json_document() -> TypeEngine[Any]:
    """A JSON document column's type: `jsonb` on PostgreSQL, JSON elsewhere."""
    return JSONDocument()
