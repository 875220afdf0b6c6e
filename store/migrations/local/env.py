"""Alembic environment for the station's SQLite file (see store/migrate.py for how it runs)."""

from store.local import LocalBase
from store.migrate import run_env

run_env(LocalBase.metadata, version_table="alembic_version")
