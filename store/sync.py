"""Sync between a station and central: push the outbox, pull the replica, beat the heart.

Benches write locally first; this module is how results reach central, exactly once:

* Push sends pending outbox rows in batches (one binary COPY per batch), idempotent on
  the inspection's UUID (a retried batch is staged and moved with `ON CONFLICT DO
  NOTHING`), and marks them sent locally only after central committed. A crash between
  the two re-sends rows central already has, which changes nothing: at-least-once
  delivery plus idempotent inserts is exactly once.
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
import operator
import queue
import random
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

import orjson
import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format
from sqlalchemy import Connection, Engine, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    SQLAlchemyError,
)

from bench.station import SyncState
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
from store.local import LocalStore, QueuedRow
from store.replica import pull_all

log = logging.getLogger(__name__)

# Batches on their way to central at once: one fills its COPY while another commits.
SENDERS = 2

# Errors that mean "this row breaks a rule of central", not "central is unreachable".
REFUSALS = (IntegrityError, DataError)


def utcnow() -> datetime:
    return datetime.now(UTC)


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
            try:
                self._engine = central_engine(self.url)
            except (ArgumentError, ValueError) as error:
                # A URL that cannot even be parsed is an outage a technician must fix,
                # not a crash: the bench goes on offline and says what is wrong.
                raise CentralUnavailable(
                    f"The central database URL {redact(self.url)} is not valid: {error}"
                ) from error
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
        """Send every pending outbox row; raises CentralUnavailable when central is down.

        The work is pipelined: a reader thread reads and decodes the next batches, two
        senders each have a batch on its way to central over a connection of their own (one
        fills its COPY while the other waits for central's commit), and a marker thread
        marks committed batches sent locally. A crash before a mark only means a harmless
        re-send.
        """
        sent = dead = 0
        total = self.local.queued_count()
        reader = _BatchReader(self.local, self.batch_size)
        connections = _Connections(self)
        marks: list[Future[None]] = []
        in_flight: deque[Future[PushReport]] = deque()
        with (
            connections,
            ThreadPoolExecutor(SENDERS, thread_name_prefix="bench-push") as senders,
            ThreadPoolExecutor(1, thread_name_prefix="bench-outbox-marker") as marker,
        ):

            def mark_sent(ids: list[int]) -> None:
                marks.append(marker.submit(self.local.mark_sent, ids, self.clock()))

            def settle(done: Future[PushReport]) -> None:
                nonlocal sent, dead
                report = done.result()
                sent += report.sent
                dead += report.dead
                if self.progress is not None:
                    self.progress("inspections sent", sent + dead, max(total, sent + dead))

            try:
                for batch in reader:
                    in_flight.append(senders.submit(self._send, batch, mark_sent, connections))
                    if len(in_flight) >= SENDERS:
                        settle(in_flight.popleft())
                while in_flight:
                    settle(in_flight.popleft())
            finally:
                reader.stop()
                for pending in in_flight:
                    with suppress(Exception):  # the first error is already on its way up
                        pending.result()
                for mark in marks:
                    mark.result()  # every mark is written, or its error is raised
        return PushReport(sent, dead)

    def _send(
        self,
        batch: _Batch,
        mark_sent: Callable[[list[int]], None],
        connections: _Connections,
    ) -> PushReport:
        for row, problem in batch.unreadable:
            self._dead_letter(row, problem)
        dead = len(batch.unreadable)
        if not batch.rows:
            return PushReport(0, dead)
        try:
            with central_errors(self.engine, "send inspections to"):
                try:
                    store_batch(connections.mine(), batch.values, self.clock())
                except REFUSALS as refused:
                    raise _Refused(refused) from refused
        except _Refused as refused:
            if len(batch.rows) == 1:
                self._dead_letter(batch.rows[0], why(refused.error))
                return PushReport(0, dead + 1)
            # Find the refused row by halves; the others still go through.
            first, second = (self._send(half, mark_sent, connections) for half in batch.halves())
            return PushReport(first.sent + second.sent, dead + first.dead + second.dead)
        except CentralUnavailable as error:
            self.local.mark_failed([row.id for row in batch.rows], str(error))
            raise
        mark_sent([row.id for row in batch.rows])
        log.info("sync: pushed %d inspections", len(batch.rows))
        return PushReport(len(batch.rows), dead)

    def _dead_letter(self, row: QueuedRow, problem: str) -> None:
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


class _Connections:
    """A central connection for each sender thread, kept for the whole push: checking one
    out of the pool for every batch would also ping central every time."""

    def __init__(self, sync: SyncEngine) -> None:
        self._sync = sync
        self._held = threading.local()
        self._opened: list[Connection] = []
        self._lock = threading.Lock()

    def mine(self) -> Connection:
        """The calling thread's connection (a new one if it has none, or lost it)."""
        conn: Connection | None = getattr(self._held, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._held.conn = self._sync.engine.connect()
            with self._lock:
                self._opened.append(conn)
        return conn

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()


@dataclass(frozen=True)
class _Batch:
    """Outbox rows ready to send, with their COPY rows; those that cannot be read."""

    rows: list[QueuedRow]
    values: list[list[Any]]
    unreadable: list[tuple[QueuedRow, str]]

    @classmethod
    def of(cls, rows: Sequence[QueuedRow]) -> _Batch:
        batch = cls([], [], [])
        for row in rows:
            try:
                batch.values.append(_outbox_copy_row(row))
            except (KeyError, ValueError, TypeError) as error:
                batch.unreadable.append((row, f"unreadable outbox payload: {error!r}"))
            else:
                batch.rows.append(row)
        return batch

    def halves(self) -> tuple[_Batch, _Batch]:
        middle = len(self.rows) // 2
        return (
            _Batch(self.rows[:middle], self.values[:middle], []),
            _Batch(self.rows[middle:], self.values[middle:], []),
        )


class _BatchReader:
    """Reads and decodes pending outbox batches in a thread, one or two ahead of the push.

    Batches follow each other by outbox id, so reading ahead never re-reads rows that
    are still on their way. An error in the thread is raised again in the caller.
    """

    def __init__(self, local: LocalStore, size: int) -> None:
        self._local = local
        self._size = size
        self._ready: queue.Queue[_Batch | BaseException | None] = queue.Queue(maxsize=2)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._read, name="bench-outbox-reader", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[_Batch]:
        while True:
            item = self._ready.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        self._stopped.set()
        while self._thread.is_alive():
            with suppress(queue.Empty):
                self._ready.get(timeout=0.05)  # unblock a reader waiting to hand over

    def _read(self) -> None:
        after = 0
        try:
            while not self._stopped.is_set():
                rows = self._local.queued(
                    _READ_KEYS,
                    text_key="answers",
                    nullable=_NULLABLE,
                    after=after,
                    limit=self._size,
                )
                if not rows:
                    break
                after = rows[-1].id
                self._hand_over(_Batch.of(rows))
        except BaseException as error:  # handed to the pushing thread, which raises it
            self._hand_over(error)
        self._hand_over(None)

    def _hand_over(self, item: _Batch | BaseException | None) -> None:
        while not self._stopped.is_set():
            with suppress(queue.Full):
                self._ready.put(item, timeout=0.05)
                return


class _Refused(Exception):
    """Central refused a batch for a constraint (not an outage)."""

    def __init__(self, error: SQLAlchemyError) -> None:
        super().__init__(str(error))
        self.error = error


def _outbox_copy_row(row: QueuedRow) -> list[Any]:
    """The COPY row of an outbox row, from what SQLite read out of its payload when that
    serves, else from the whole payload decoded (which raises if it is unreadable)."""
    if row.values is not None and row.text is not None:
        # try/except, not contextlib.suppress: this runs for every row of a push.
        try:
            values = orjson.loads(row.values)
            if None not in _REQUIRED(values):
                values.insert(_ANSWERS, row.text.encode())
                return _ready(values)
        except (ValueError, TypeError):
            pass  # decoded whole, the payload tells what is wrong with it
    return copy_row(orjson.loads(row.payload))


def copy_row(payload: Mapping[str, Any]) -> list[Any]:
    """An outbox payload (decoded) as its row for `copy_rows`.

    Raises KeyError, ValueError or TypeError for a payload that cannot be one.
    """
    values = [payload[column] for column in PUSHED_COLUMNS]
    values[_ANSWERS] = orjson.dumps(values[_ANSWERS])
    return _ready(values)


def _ready(values: list[Any]) -> list[Any]:
    """A payload's values in `PUSHED_COLUMNS` order, the answers as JSON text (UTF-8), made
    a COPY row in place: the UUID as its 16 bytes, the moments as aware datetimes."""
    values[_ID] = _uuid_bytes(str(values[_ID]))
    for index in _MOMENTS:
        parsed = datetime.fromisoformat(str(values[index]))
        if parsed.tzinfo is None:
            raise ValueError(f"{PUSHED_COLUMNS[index]} has no time zone")
        values[index] = parsed
    return values


def _uuid_bytes(text: str) -> bytes:
    """The 16 bytes `uuid.UUID(text)` has, found cheaply for the usual 8-4-4-4-12 form."""
    digits = text.replace("-", "")
    if len(digits) == 32:
        try:
            raw = bytes.fromhex(digits)
        except ValueError:
            pass
        else:
            if len(raw) == 16:  # so 32 hex digits: fromhex skips only whitespace
                return raw
    return uuid.UUID(text).bytes


def central_row(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The outbox payload (JSON-safe) as typed values for central's `inspections`."""
    return _typed(copy_row(payload))


def _typed(row: Sequence[Any]) -> dict[str, Any]:
    """A COPY row as the values SQLAlchemy takes for `inspections`."""
    typed = dict(zip(PUSHED_COLUMNS, row, strict=True))
    typed["id"] = uuid.UUID(bytes=row[_ID])
    typed["answers"] = orjson.loads(row[_ANSWERS])
    return typed


def _insert(conn: Connection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def store_batch(conn: Connection, rows: Sequence[Sequence[Any]], now: datetime) -> None:
    """Insert a batch of inspections (`copy_row`s) and record the items it makes
    conflicting, in a transaction of its own on `conn`, committed when this returns.

    A UUID central already has is skipped (a retried push). On PostgreSQL the batch is
    COPYed straight into the table; a batch central already has part of is COPYed into a
    session-local staging table instead and moved with INSERT ... SELECT ... ON CONFLICT
    DO NOTHING. Either way a handful of round trips per batch instead of one per row.
    SQLite (a one-machine site) takes a plain multi-row insert.
    """
    if conn.dialect.name == "postgresql":
        _store_batch_postgresql(conn, rows)
        return
    statement = _insert(conn, inspection_table).on_conflict_do_nothing(index_elements=["id"])
    with conn.begin():
        conn.execute(statement, [_typed(row) for row in rows])
        flag_conflicts(conn, sorted({row[_ITEM] for row in rows}), now)


def _store_batch_postgresql(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    items = sorted({row[_ITEM] for row in rows})
    try:
        try:
            # First try: COPY straight into the table, the fastest load PostgreSQL has.
            with conn.begin(), raw.cursor() as cursor:
                copy_rows(cursor, "inspections", rows)
                _flag_conflicts_postgresql(cursor, items)
        except psycopg.errors.UniqueViolation:
            # A retried batch (its reply was lost, or the bench died before marking it
            # sent): the first try is rolled back whole (a savepoint would cost two round
            # trips on every batch); stage it and insert only what central does not have.
            with conn.begin(), raw.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS inspections_incoming "
                    "(LIKE inspections INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                copy_rows(cursor, "inspections_incoming", rows)
                cursor.execute(
                    f"INSERT INTO inspections ({_PUSHED_LIST}) SELECT {_PUSHED_LIST} "
                    "FROM inspections_incoming ON CONFLICT (id) DO NOTHING"
                )
                _flag_conflicts_postgresql(cursor, items)
    except psycopg.Error as error:
        # The raw driver's errors, as SQLAlchemy's: refusals and outages are told apart
        # the same way on every path.
        raise DBAPIError.instance("COPY inspections", None, error, psycopg.Error) from error


def _flag_conflicts_postgresql(cursor: psycopg.Cursor[Any], items: list[str]) -> None:
    """`flag_conflicts` in one statement of the raw driver."""
    # Sorted, so two benches flagging the same items take their locks in one order.
    cursor.execute(
        "INSERT INTO item_conflicts (request_item_id, detected_at, inspections) "
        "SELECT request_item_id, now(), count(*) FROM inspections "
        "WHERE request_item_id = ANY(%s) "
        "GROUP BY request_item_id HAVING count(*) > 1 ORDER BY request_item_id "
        "ON CONFLICT (request_item_id) DO UPDATE SET inspections = EXCLUDED.inspections",
        [items],
    )


def copy_rows(cursor: psycopg.Cursor[Any], table: str, rows: Iterable[Sequence[Any]]) -> None:
    """Binary COPY of `copy_row`s into `table` (inspections, or its staging twin)."""
    for dumper in (_UuidBytesDumper, _JsonTextDumper):
        cursor.adapters.register_dumper(None, dumper)  # for this cursor's COPY only
    with cursor.copy(f"COPY {table} ({_PUSHED_LIST}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_PUSHED_TYPES)
        for row in rows:
            copy.write_row(row)


# Every column a bench sends; central stamps received_at itself.
PUSHED_COLUMNS = tuple(c.name for c in inspection_table.columns if c.name != "received_at")
_PUSHED_LIST = ", ".join(PUSHED_COLUMNS)
# Binary COPY needs each column's PostgreSQL type; binary dumps cost far less than text.
_PUSHED_TYPES = [
    {
        "id": "uuid",
        "started_at": "timestamptz",
        "finished_at": "timestamptz",
        "answers": "jsonb",
        "reason_codes": "text[]",
        "final_cents": "int8",
        "wiped": "bool",
    }.get(column, "text")
    for column in PUSHED_COLUMNS
]


_ID, _ITEM, _ANSWERS = (PUSHED_COLUMNS.index(c) for c in ("id", "request_item_id", "answers"))
_MOMENTS = tuple(PUSHED_COLUMNS.index(c) for c in ("started_at", "finished_at"))
# The reader asks SQLite for every column but the answers, which come as JSON text.
_READ_KEYS = tuple(c for c in PUSHED_COLUMNS if c != "answers")
_NULLABLE = tuple(c.name for c in inspection_table.columns if c.nullable)
# Null in any other column read is a missing key, or a value central will refuse; the whole
# payload decoded tells which.
_REQUIRED = operator.itemgetter(*(i for i, c in enumerate(_READ_KEYS) if c not in _NULLABLE))


class _UuidBytesDumper(Dumper):
    """A UUID given as its 16 bytes, which is also its binary form."""

    format = Format.BINARY
    oid = psycopg.adapters.types["uuid"].oid

    def dump(self, obj: bytes) -> bytes:
        return obj


class _JsonTextDumper(Dumper):
    """JSON text (UTF-8) to jsonb as it is: binary jsonb is a version byte, 1, then the text."""

    format = Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: bytes) -> bytes:
        return b"\x01" + obj


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

    def stop(self, timeout: float = 0.0) -> None:
        """Ask the worker to finish; wait at most `timeout` seconds (0: do not wait, the
        thread closes its connections itself when its round ends)."""
        self._stop.set()
        self._wake.set()
        if timeout:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    state = self.engine.run_once()
                except Exception:  # a bug must not kill sync for the rest of the shift
                    log.exception("sync: round failed")
                    state = SyncState(
                        online=False, queued=self._queued(), problem="sync failed: see the log"
                    )
                self.on_state(state)
                if state.online:
                    self.backoff.reset()
                delay = self.interval if state.online else self.backoff.next_delay()
                self._wake.wait(delay)
                self._wake.clear()
        finally:
            self.engine.close()

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
    "copy_row",
    "copy_rows",
    "flag_conflicts",
    "store_batch",
]
