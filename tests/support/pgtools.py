"""A throwaway PostgreSQL database: for a test (via the `pg_url` fixture) or a benchmark."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(server_url: str, prefix: str = "bench_test") -> Iterator[str]:
    """Create an empty database on the server of `server_url`; yield its URL (psycopg 3
    driver pinned); drop it afterwards, whatever is still connected to it."""
    admin = make_url(server_url).set(drivername="postgresql")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        database = admin.set(drivername="postgresql+psycopg", database=name)
        yield database.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
