"""Runs the Alembic migrations shipped inside the package, without an alembic.ini.

Both schemas (the station's SQLite and the central database) are created and upgraded only
through migrations, so a station file or a central database made by an older release is
brought forward the same way a new one is created. The migration folders live under
`store/migrations/{local,central}` and travel as package data.

To write a new revision, autogenerate against a database at head, then read and clean it::

    from alembic import command
    from store.migrate import alembic_config
    cfg = alembic_config("central")
    cfg.set_main_option("sqlalchemy.url", "sqlite:///scratch.db")
    command.upgrade(cfg, "head")
    command.revision(cfg, message="what changed", autogenerate=True)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, MetaData, create_engine, inspect

from store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext, MigrationInfo

Schema = Literal["local", "central"]
Progress = Callable[[str], None]

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLES: dict[Schema, str] = {"local": "alembic_version", "central": "bench_alembic_version"}


def alembic_config(
    schema: Schema, connection: Connection | None = None, progress: Progress | None = None
) -> Config:
    """An Alembic config for one schema; `connection` is used as is when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS / schema))
    config.attributes["connection"] = connection
    config.attributes["progress"] = progress
    return config


def upgrade_to_head(
    schema: Schema, connection: Connection, progress: Progress | None = None
) -> None:
    """Apply every migration not yet applied, inside the caller's connection/transaction.

    Raises UnknownSchemaVersion when the database is at a revision this release does not
    know, which is what a database written by a newer bench looks like.

    A database already at head (every start of a station but its first) is told by one
    query, without importing Alembic (with Mako and its scripts, longer than the bench's
    first screen takes to draw).
    """
    if at_head(schema, connection):
        return
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        command.upgrade(alembic_config(schema, connection, progress), "head")
    except CommandError as error:
        raise UnknownSchemaVersion(
            f"its schema is at a version this bench does not know ({error}); "
            "it was probably written by a newer release of bench"
        ) from error


def head_revision(schema: Schema) -> str:
    """The newest revision shipped. Revisions are numbered in one line, each file named
    after its revision id (0001_initial.py: "0001"), so the newest is the highest number
    (a test holds this to what Alembic itself says)."""
    versions = MIGRATIONS / schema / "versions"
    return max(path.name.split("_", 1)[0] for path in versions.glob("[0-9]*_*.py"))


def at_head(schema: Schema, connection: Connection) -> bool:
    """Whether the database's version table names the newest revision shipped."""
    table = VERSION_TABLES[schema]
    if not inspect(connection).has_table(table):
        return False
    versions = connection.exec_driver_sql(f"SELECT version_num FROM {table}").scalars().all()
    return versions == [head_revision(schema)]


class UnknownSchemaVersion(StoreError):
    """The database was migrated past anything this release knows."""


def run_env(metadata: MetaData, version_table: str) -> None:
    """The body of both env.py files: they differ only in their metadata and version table
    (`VERSION_TABLES`)."""
    from alembic import context

    config = context.config
    progress: Progress | None = config.attributes.get("progress")

    def report(
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        if progress is None:
            return
        doc = getattr(step.up_revision, "doc", "") or ""
        progress(f"Applied migration {step.up_revision_id}: {doc}".rstrip(": "))

    if context.is_offline_mode():
        # `alembic upgrade --sql`: a script a DBA can read before running it.
        url = config.get_main_option("sqlalchemy.url")
        context.configure(
            url=url,
            target_metadata=metadata,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            version_table=version_table,
            render_as_batch=bool(url and url.startswith("sqlite")),
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            compare_type=True,
            # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            version_table=version_table,
            on_version_apply=report,
        )
        with context.begin_transaction():
            context.run_migrations()

    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()
