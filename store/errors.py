"""The exceptions the store raises for things an operator can fix.

They live in their own tiny module so the CLI can catch them without paying for the
SQLAlchemy import that the rest of store/ needs; the app catches their core base,
`bench.station.StationError`.
"""

from __future__ import annotations

from bench.station import StationError


class StoreError(StationError):
    """A database could not be opened, written or reached; the message says what to check."""


class CentralUnavailable(StoreError):
    """The central database could not be reached or answered with an error.

    Its own type because the sync worker treats it as "offline, try again later", not as a
    bug: benches keep working on their replica and outbox until central is back.
    """
