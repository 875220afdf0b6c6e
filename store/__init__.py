"""Persistence: the station's local SQLite, the central schema, migrations and sync. No Textual.

Kept import-light on purpose: importing SQLAlchemy's ORM costs ~0.3 s, so callers import
`store.local`, `store.central` or `store.sync` only once the first screen is up.
"""

from store.errors import CentralUnavailable, StoreError

__all__ = ["CentralUnavailable", "StoreError"]
