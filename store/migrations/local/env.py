"""Alembic environment for the station's SQLite file (see store/migrate.py for how it runs)."""

from store.local import LocalBase
from store.migrate import VERSION_TABLES, run_env

run_env(LocalBase.metadata, version_table=VERSION_TABLES["local"])
