"""Alembic environment for the central database.

The version table has its own name so the portal's own Alembic history, if it keeps one in
the same database, is never confused with the bench's.
"""

from store.central import CentralBase
from store.migrate import VERSION_TABLES, run_env

run_env(CentralBase.metadata, version_table=VERSION_TABLES["central"])
