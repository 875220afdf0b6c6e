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


NO_BENCH_SCHEMA = "central has no bench schema: run `bench central init`"


class CentralNeedsAction(CentralUnavailable):
    """Central answers but refuses this station until someone acts; `action` is what the
    bench shows under its header (and `bench sync` prints)."""

    def __init__(self, message: str, action: str) -> None:
        super().__init__(message)
        self.action = action


class CentralHasNoSchema(CentralNeedsAction):
    """Central answers, but without the bench's tables (an empty database, or one never
    set up). Not an outage that passes: nothing syncs until someone runs `bench central
    init`, so the bench says so on screen (`NO_BENCH_SCHEMA`), not only OFFLINE."""

    def __init__(self, message: str) -> None:
        super().__init__(message, NO_BENCH_SCHEMA)
