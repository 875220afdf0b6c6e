"""The one exception the store raises for things an operator can fix.

It lives in its own tiny module so the CLI and the app can catch it without paying for the
SQLAlchemy import that the rest of store/ needs.
"""

from __future__ import annotations


class StoreError(Exception):
    """A database could not be opened, written or reached; the message says what to check."""


class CentralUnavailable(StoreError):
    """The central database could not be reached or answered with an error.

    Its own type because the sync worker treats it as "offline, try again later", not as a
    bug: benches keep working on their replica and outbox until central is back.
    """
