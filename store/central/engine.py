"""Reaching the central database: its URL, engines that fail fast, errors in plain words,
and creating or upgrading its schema.

Apart from the tables (`store.central.schema`) because the CLI needs these (`redact`,
`init_central`) for commands that never touch a table, and the sync worker wraps every
round in `central_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError, StatementError

from bench.masking import MASK, mask_url
from store.dbutil import why
from store.errors import NO_BENCH_SCHEMA, CentralHasNoSchema, CentralUnavailable, StoreError
from store.migrate import UnknownSchemaVersion, upgrade_to_head

# Statements and connections to central must fail fast: a bench waiting on a dead network
# should fall back to OFFLINE within seconds, not hang the sync worker for minutes.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000
TCP_USER_TIMEOUT_MS = 20_000
# A bench that dies or hangs mid-transaction must not hold central's locks for long.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000


def normalise_url(url: str | URL) -> URL:
    """Parse a database URL, pinning psycopg 3 for PostgreSQL (`postgresql://` alone would
    make SQLAlchemy look for psycopg2, which is not installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def redact(url: str | URL) -> str:
    """The URL as safe to print or log: the password (in userinfo or query) is masked.

    Text is masked as written (`bench.masking`), not parsed: a parser reads an unencoded
    `@` in a password as the end of it, and would show the rest.
    """
    if not isinstance(url, URL):
        return mask_url(url)
    query = {
        key: (MASK if key.lower() == "password" else value) for key, value in url.query.items()
    }
    shown = url.set(query=query).render_as_string(hide_password=True)
    shown = shown.replace("=%2A%2A%2A", f"={MASK}")  # the mask itself needs no URL-quoting
    # Parsed from `u:p@ss@host`, the URL's host is `ss@host`: mask what it renders as well.
    return mask_url(shown)


def central_engine(url: str | URL) -> Engine:
    """An engine for the central database, failing fast when it is unreachable.

    libpq settings given in the URL's query (`?connect_timeout=2&sslmode=require`) win over
    our defaults; statement and idle-in-transaction timeouts are added to any `options`
    already given.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "postgresql":
        query = dict(parsed.query)
        query.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
        # A network that dies mid-statement leaves sent data unacknowledged: give up on it
        # after this long instead of waiting for the kernel's default of many minutes.
        query.setdefault("tcp_user_timeout", str(TCP_USER_TIMEOUT_MS))
        query.setdefault("keepalives_idle", "10")
        query.setdefault("keepalives_interval", "5")
        query.setdefault("keepalives_count", "3")
        options = query.get("options", "")
        assert isinstance(options, str)
        for setting, value in (
            ("statement_timeout", STATEMENT_TIMEOUT_MS),
            ("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT_MS),
        ):
            if setting not in options:
                options = f"{options} -c {setting}={value}".strip()
        query["options"] = options
        # Connections die when the network does; pre-ping turns a dead pooled connection
        # into a fresh attempt instead of an error on the first statement after an outage.
        return create_engine(parsed.set(query=query), pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": CONNECT_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_central_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_central_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # A SQLite central is shared by the bench's UI and sync threads: WAL lets readers work
    # while a push writes, and foreign keys hold as they would on PostgreSQL.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def init_central(url: str, progress: Callable[[str], None] | None = None) -> None:
    """Create the central schema, or upgrade it to the newest migration, and grant the
    group roles their privileges on it (`store.central.roles`). Safe to re-run."""
    # Here, not at the top: the roles name the tables, and this module stays without them.
    from store.central.roles import grant_roles

    say = progress or (lambda _message: None)
    parsed = normalise_url(url)
    say(f"Connecting to {redact(parsed)}")
    engine = central_engine(parsed)
    try:
        with central_errors(engine, "set up"), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # The administrator's migrations over a big table (an index over millions
                # of inspections) take longer than a bench's statements may.
                connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            upgrade_to_head("central", connection, say)
            grant_roles(connection, say)
    except UnknownSchemaVersion as error:
        raise StoreError(
            f"Cannot set up the central database at {redact(parsed)}: {error}"
        ) from error
    finally:
        engine.dispose()
    say("Central schema is up to date")


def configured_engine(url: str) -> Engine:
    """`central_engine` for the URL a station is configured with: one that cannot even be
    parsed is an outage a technician must fix, not a crash, so it is CentralUnavailable and
    the bench goes on from its own records, saying what is wrong."""
    try:
        return central_engine(url)
    except (ArgumentError, ValueError) as error:
        raise CentralUnavailable(
            f"The central database URL {redact(url)} is not valid: {error}"
        ) from error


@contextmanager
def central_errors(engine: Engine, doing: str) -> Iterator[None]:
    """Turn database and network failures into CentralUnavailable, naming the redacted URL.

    Mistakes in our own statements (a bad bind value, say) are left alone: they are bugs,
    and dressing them up as an outage would send someone to check the network.
    """
    try:
        yield
    except SQLAlchemyError as error:
        if isinstance(error, StatementError) and not isinstance(error, DBAPIError):
            raise
        # Name the server and database only: the query holds our timeouts, which are noise.
        where = redact(engine.url.set(query={}))
        if _no_such_table(error):
            raise CentralHasNoSchema(
                f"Cannot {doing} the central database at {where}: {NO_BENCH_SCHEMA} ({why(error)})"
            ) from error
        raise CentralUnavailable(
            f"Cannot {doing} the central database at {where}: {why(error)}"
        ) from error


# PostgreSQL's "undefined table"; SQLite has no codes, only its message.
_UNDEFINED_TABLE = "42P01"


def _no_such_table(error: SQLAlchemyError) -> bool:
    """Central answered that a table of the bench is not there: its schema is missing."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == _UNDEFINED_TABLE:
        return True
    return str(original).startswith("no such table:")
