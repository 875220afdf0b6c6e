"""Opening the station's SQLite file: engines, pragmas, BEGIN, and migrating it to head.

Every connection runs in WAL mode with `synchronous=FULL`: a commit is on disk before the
screen says "saved", whatever happens next (kill -9, power loss).

SQLite's Python driver, left to itself, starts transactions late (not before a SELECT) and
never for DDL; we take over BEGIN (the recipe in SQLAlchemy's SQLite docs) so every
transaction here is a real one, and writers start with BEGIN IMMEDIATE (`writer`) so two
threads (the UI and the sync worker) queue on `busy_timeout` instead of failing
mid-transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bench.private_files import private_file, private_folder
from store.dbutil import why
from store.errors import StoreError
from store.migrate import UnknownSchemaVersion, upgrade_to_head

# How long a writer waits for another connection's write lock before giving up. The sync
# worker's transactions are short; five seconds is far beyond any of them.
BUSY_TIMEOUT_MS = 5000

# Connection execution option read by the "begin" listener to choose BEGIN's mode.
_BEGIN_MODE = "bench_begin_mode"
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE"})


def json_text(value: Any) -> str:
    # Keys sorted: a payload is then stored as the canonical text its evidence chain entry
    # hashed (`bench.evidence.canonical`), so the push compares the two as text.
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def driver_rows(conn: Connection, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of one statement as the driver's plain tuples, for reads of 100,000s of
    rows (a long push): a push's 100,000 chain entries took 0.8 s to read as SQLAlchemy's
    rows, 0.5 s as these. Errors are SQLAlchemy's, as on every other path."""
    driver = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    try:
        return driver.execute(sql, parameters).fetchall()
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, parameters, error, sqlite3.Error) from error


def sqlite_engine(path: Path, *, foreign_keys: bool, pooled: bool = True) -> Engine:
    """An engine on the file at `path` whose every connection has the station's pragmas
    and whose transactions BEGIN as the connection's execution options say."""
    url = URL.create("sqlite", database=str(path))
    # orjson: the outbox is JSON, and a long sync spends much of its time decoding it.
    engine = create_engine(
        url,
        poolclass=None if pooled else NullPool,
        json_serializer=json_text,
        json_deserializer=orjson.loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (see `_on_begin`); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown BEGIN mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, its transactions starting with BEGIN IMMEDIATE (the write lock)."""
    return engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})


def open_file(path: Path) -> Engine:
    """Create or migrate the station database at `path`; an engine on it, proven writable.

    Raises StoreError, naming the path and the cause, when it cannot be written or was
    written by a newer release of bench.
    """
    if path.is_dir():
        raise cannot_write(path, "that is a folder, not a file")
    try:
        private_folder(path.parent)
        # Before SQLite opens it: its -wal and -shm then get the same 0600.
        private_file(path)
    except OSError as error:
        raise cannot_write(path, error.strerror or str(error)) from error

    # Migrations run on their own connection with foreign keys off: SQLite's way to
    # alter a table is to rebuild it, which foreign key checks would refuse.
    migrator = sqlite_engine(path, foreign_keys=False, pooled=False)
    try:
        with migrator.begin() as connection:
            upgrade_to_head("local", connection)
    except DBAPIError as error:
        raise cannot_write(path, why(error)) from error
    except UnknownSchemaVersion as error:
        raise StoreError(
            f"Cannot use the station database at {path}: {error}. Run the bench "
            "release that wrote it, or move the file away to start a new one."
        ) from error
    finally:
        migrator.dispose()

    engine = sqlite_engine(path, foreign_keys=True)
    try:
        # At head the migration wrote nothing, so a read-only file would go unnoticed
        # until the first inspection. Taking the write lock proves we can write now.
        with writer(engine).begin():
            pass
    except DBAPIError as error:
        engine.dispose()
        raise cannot_write(path, why(error)) from error
    return engine


def cannot_write(path: Path, reason: str) -> StoreError:
    return StoreError(
        f"Cannot write the station database at {path}: {reason}. "
        "Check the [store] local_path in config.toml and the folder's permissions."
    )
