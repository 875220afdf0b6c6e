"""Sync between a station and central: push the outbox, pull the replica, beat the heart.

Benches write locally first; this module is how results reach central, exactly once:

* Push sends pending outbox rows in batches (one multi-row INSERT per batch), idempotent
  on the inspection's UUID (`ON CONFLICT DO NOTHING`), and marks them sent locally only
  after central committed. A crash between the two re-sends rows central already has,
  which changes nothing: at-least-once delivery plus idempotent inserts is exactly once.
* A batch central refuses for a constraint is split in halves until the refused row is
  alone; that row goes to the dead-letter list (kept locally, shown on the bench) and
  everything else flows on.
* Items inspected more than once (two benches, one item) are recorded in central's
  `item_conflicts` in the same transaction as the push that revealed them.
* Pull copies what changed centrally into the replica (see `store.replica`).
* The heartbeat upserts `station_heartbeats` with the queue depth and version.

A failure to reach central is never an error here: `run_once` reports OFFLINE and the
worker retries with capped exponential backoff and jitter. No Textual: the app listens to
`SyncWorker` through a callback.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from store.central import (
    central_engine,
    central_errors,
    conflict_table,
    heartbeat_table,
    inspection_table,
    redact,
)
from store.dbutil import upsert, why
from store.errors import CentralUnavailable
from store.local import LocalStore, OutboxRow
from store.replica import pull_all

log = logging.getLogger(__name__)

# Errors that mean "this row breaks a rule of central", not "central is unreachable".
REFUSALS = (IntegrityError, DataError)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SyncState:
    """What the header shows: ONLINE, or OFFLINE since when; queued and dead-lettered."""

    online: bool
    queued: int
    dead: int = 0
    offline_since: datetime | None = None
    problem: str | None = None
    pushed: int = 0
    pulled: int = 0


@dataclass(frozen=True)
class PushReport:
    sent: int
    dead: int


class Backoff:
    """Capped exponential backoff with full jitter: 1, 2, 4… seconds, at most `cap`."""

    def __init__(self, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None):
        self.base = base
        self.cap = cap
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2**self.failures)
        self.failures += 1
        # Jitter spreads out twenty benches that lost central at the same moment.
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


class SyncEngine:
    """Push, pull and heartbeat for one station. Blocking: run it off the UI thread."""

    def __init__(
        self,
        local: LocalStore,
        central_url: str,
        station_id: str,
        *,
        app_version: str,
        batch_size: int = 500,
        clock: Callable[[], datetime] = utcnow,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.local = local
        self.url = central_url
        self.station_id = station_id
        self.app_version = app_version
        self.batch_size = batch_size
        self.clock = clock
        self.progress = progress
        """Told (what, done, total) after each batch pushed or pulled: for a progress bar."""
        self._engine: Engine | None = None
        self._offline_since: datetime | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = central_engine(self.url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- one round ----------------------------------------------------------------------

    def run_once(self, pull: bool = True) -> SyncState:
        """Push everything queued, pull what changed, beat: ONLINE or OFFLINE after it."""
        pushed = pulled = 0
        try:
            pushed = self.push().sent
            if pull:
                pulled = sum(pull_all(self.engine, self.local, self.progress).values())
            self.heartbeat()
        except CentralUnavailable as error:
            if self._offline_since is None:
                self._offline_since = self.clock()
                log.warning("sync: central unreachable: %s", error)
            return SyncState(
                online=False,
                queued=self.local.queued_count(),
                dead=self.local.dead_count(),
                offline_since=self._offline_since,
                problem=str(error),
                pushed=pushed,
            )
        if self._offline_since is not None:
            log.info("sync: central reachable again at %s", redact(self.url))
        self._offline_since = None
        return SyncState(
            online=True,
            queued=self.local.queued_count(),
            dead=self.local.dead_count(),
            pushed=pushed,
            pulled=pulled,
        )

    # -- push ---------------------------------------------------------------------------

    def push(self) -> PushReport:
        """Send every pending outbox row; raises CentralUnavailable when central is down."""
        sent = dead = 0
        total = self.local.queued_count()
        while True:
            rows = self.local.outbox_rows(pending_only=True, limit=self.batch_size)
            if not rows:
                return PushReport(sent, dead)
            report = self._push_rows(rows)
            sent += report.sent
            dead += report.dead
            if self.progress is not None:
                self.progress("inspections sent", sent + dead, max(total, sent + dead))

    def _push_rows(self, rows: Sequence[OutboxRow]) -> PushReport:
        values: list[dict[str, Any]] = []
        unreadable: list[tuple[OutboxRow, str]] = []
        for row in rows:
            try:
                values.append(central_row(row.payload))
            except (KeyError, ValueError, TypeError) as error:
                unreadable.append((row, f"unreadable outbox payload: {error!r}"))
        for row, problem in unreadable:
            self._dead_letter(row, problem)
        bad_ids = {bad.id for bad, _ in unreadable}
        sendable = [row for row in rows if row.id not in bad_ids]
        if not sendable:
            return PushReport(0, len(unreadable))
        try:
            with central_errors(self.engine, "send inspections to"), self.engine.begin() as conn:
                try:
                    insert_inspections(conn, values)
                    flag_conflicts(
                        conn, sorted({v["request_item_id"] for v in values}), self.clock()
                    )
                except REFUSALS as refused:
                    raise _Refused(refused) from refused
        except _Refused as refused:
            if len(sendable) == 1:
                self._dead_letter(sendable[0], why(refused.error))
                return PushReport(0, 1 + len(unreadable))
            # Find the refused row by halves; the others still go through.
            middle = len(sendable) // 2
            first = self._push_rows(sendable[:middle])
            second = self._push_rows(sendable[middle:])
            return PushReport(first.sent + second.sent, first.dead + second.dead + len(unreadable))
        except CentralUnavailable as error:
            self.local.mark_failed([row.id for row in sendable], str(error))
            raise
        self.local.mark_sent([row.id for row in sendable], self.clock())
        log.info("sync: pushed %d inspections", len(sendable))
        return PushReport(len(sendable), len(unreadable))

    def _dead_letter(self, row: OutboxRow, problem: str) -> None:
        log.error("sync: central refused inspection %s: %s", row.inspection_id, problem)
        self.local.mark_dead(row.id, problem, self.clock())

    # -- heartbeat ----------------------------------------------------------------------

    def heartbeat(self) -> None:
        beat = {
            "station_id": self.station_id,
            "last_seen": self.clock(),
            "queue_depth": self.local.queued_count(),
            "app_version": self.app_version,
        }
        with central_errors(self.engine, "report to"), self.engine.begin() as conn:
            upsert(conn, heartbeat_table, [beat])


class _Refused(Exception):
    """Central refused a batch for a constraint (not an outage)."""

    def __init__(self, error: SQLAlchemyError) -> None:
        super().__init__(str(error))
        self.error = error


def central_row(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The outbox payload (JSON-safe) as typed values for central's `inspections`."""
    row = {column.name: payload[column.name] for column in inspection_table.columns
           if column.name != "received_at"}  # fmt: skip
    row["id"] = uuid.UUID(str(payload["id"]))
    for moment in ("started_at", "finished_at"):
        parsed = datetime.fromisoformat(str(payload[moment]))
        if parsed.tzinfo is None:
            raise ValueError(f"{moment} has no time zone")
        row[moment] = parsed
    return row


def _insert(conn: Connection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_inspections(conn: Connection, values: Sequence[Mapping[str, Any]]) -> None:
    """One multi-row INSERT; a UUID central already has is skipped (a retried push)."""
    statement = _insert(conn, inspection_table).on_conflict_do_nothing(index_elements=["id"])
    conn.execute(statement, list(values))


def flag_conflicts(conn: Connection, item_ids: Sequence[str], now: datetime) -> None:
    """Record the items among `item_ids` that now have more than one inspection."""
    if not item_ids:
        return
    counted = (
        select(
            inspection_table.c.request_item_id,
            literal(now, conflict_table.c.detected_at.type),
            func.count(),
        )
        .where(inspection_table.c.request_item_id.in_(item_ids))
        .group_by(inspection_table.c.request_item_id)
        .having(func.count() > 1)
        .order_by(inspection_table.c.request_item_id)
    )
    statement = _insert(conn, conflict_table).from_select(
        ["request_item_id", "detected_at", "inspections"], counted
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["request_item_id"],
            set_={"inspections": statement.excluded.inspections},
        )
    )


class SyncWorker:
    """Runs the engine in a background thread: often while online, backing off while not.

    `on_state` is called from the worker thread after every round; the app turns it into a
    message. `wake()` asks for a round now (an inspection was just saved).
    """

    def __init__(
        self,
        engine: SyncEngine,
        on_state: Callable[[SyncState], None],
        *,
        interval: float = 5.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.engine = engine
        self.on_state = on_state
        self.interval = interval
        self.backoff = backoff or Backoff(cap=30.0)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.engine.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                state = self.engine.run_once()
            except Exception:  # a bug must not kill sync for the rest of the shift
                log.exception("sync: round failed")
                state = SyncState(online=False, queued=-1, problem="sync failed: see the log")
            if state.queued < 0:
                state = replace(state, queued=self._queued())
            self.on_state(state)
            delay = self.interval if state.online else self.backoff.next_delay()
            if state.online:
                self.backoff.reset()
            self._wake.wait(delay)
            self._wake.clear()

    def _queued(self) -> int:
        try:
            return self.engine.local.queued_count()
        except Exception:  # the count is only for the header
            return 0


__all__ = [
    "Backoff",
    "PushReport",
    "SyncEngine",
    "SyncState",
    "SyncWorker",
    "central_row",
    "flag_conflicts",
    "insert_inspections",
]
