"""Sync between a station and central: push the outbox, pull the replica, beat the heart.

Benches write locally first; `SyncEngine` is how results reach central, exactly once:

* Push sends pending outbox rows in batches (one binary COPY per batch, see
  `store.sync.pgcopy`), idempotent on the inspection's UUID (a retried batch is staged and
  moved with `ON CONFLICT DO NOTHING`), and marks them sent locally only after central
  committed. A crash between the two re-sends rows central already has, which changes
  nothing: at-least-once delivery plus idempotent inserts is exactly once.
* A batch central refuses for a constraint is split in halves until the refused row is
  alone; that row goes to the dead-letter list (kept locally, shown on the bench) and
  everything else flows on.
* Items inspected more than once (two benches, one item) are recorded in central's
  `item_conflicts` in the same transaction as the push that revealed them.
* Pull copies what changed centrally into the replica (see `store.sync.pull`).
* The heartbeat upserts `station_heartbeats` with the queue depth and version, keeping
  the depth it replaces as `previous_queue_depth` (a growing queue, in one row).

A failure to reach central is never an error here: `run_once` reports OFFLINE and the
worker (`store.sync.worker`) retries with capped exponential backoff and jitter.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from sqlalchemy import Connection, Engine, func
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from bench.station import SyncState
from store.central import central_errors, configured_engine, heartbeat_table, redact
from store.dbutil import dialect_insert, utcnow, why
from store.errors import CentralNeedsAction, CentralUnavailable
from store.local import LocalStore, QueuedRow
from store.local.evidence import tampering
from store.sync import evidence, pgcopy
from store.sync.deadline import RoundWatch
from store.sync.pull import pull_all

log = logging.getLogger(__name__)

# Batches on their way to central at once: one fills its COPY while another commits.
SENDERS = 2

# A round in which central answers nothing for this long is cut off: OFFLINE (see
# `store.sync.deadline`). Above the statement timeout, which fires first when it can.
ROUND_DEADLINE_S = 20.0

# Errors that mean "this row breaks a rule of central", not "central is unreachable".
REFUSALS = (IntegrityError, DataError)


@dataclass(frozen=True)
class PushReport:
    sent: int
    dead: int


class SyncEngine:
    """Push, pull and heartbeat for one station. Blocking: run it off the UI thread."""

    def __init__(
        self,
        local: LocalStore,
        central_url: str,
        station_id: str,
        *,
        app_version: str,
        batch_size: int = 2000,
        clock: Callable[[], datetime] = utcnow,
        progress: Callable[[str, int, int], None] | None = None,
        round_deadline: float = ROUND_DEADLINE_S,
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
        self.watch = RoundWatch(round_deadline)
        self._engine: Engine | None = None
        self._offline_since: datetime | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = configured_engine(self.url)
            self.watch.attach(self._engine)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- one round ----------------------------------------------------------------------

    def run_once(self, pull: bool = True) -> SyncState:
        """Push everything queued, pull what changed, beat: ONLINE or OFFLINE after it.

        OFFLINE too when central has answered nothing for the round deadline (see
        `store.sync.deadline`): that round is cut off, and the next one starts afresh.
        """
        if self.watch.stuck:
            return self._offline("a round central stopped answering has not ended yet")
        ran = self.watch.run(lambda: self._round(pull))
        if isinstance(ran, SyncState):
            return ran
        problem = f"central has not answered for {ran.seconds:.0f} s"
        log.warning(
            "sync: %s at %s; round abandoned and its connections cut%s",
            problem,
            redact(self.url),
            " (it has not ended yet)" if ran.still_running else "",
        )
        return self._offline(problem)

    def _round(self, pull: bool) -> SyncState:
        pushed = pulled = 0
        try:
            pushed = self.push().sent
            if pull:
                pulled = sum(
                    pull_all(self.engine, self.local, self._progressed, now=self.clock()).values()
                )
            self.heartbeat()
        except CentralUnavailable as error:
            if self._offline_since is None:
                log.warning("sync: central unreachable: %s", error)
            needs = error.action if isinstance(error, CentralNeedsAction) else None
            return self._offline(str(error), pushed, needs)
        if self._offline_since is not None:
            log.info("sync: central reachable again at %s", redact(self.url))
        self._offline_since = None
        return SyncState(
            online=True,
            queued=self.local.queued_count(),
            dead=self.local.dead_count(),
            pushed=pushed,
            pulled=pulled,
            quarantined=self.local.quarantined_count(),
        )

    def _offline(self, problem: str, pushed: int = 0, needs_action: str | None = None) -> SyncState:
        if self._offline_since is None:
            self._offline_since = self.clock()
        return SyncState(
            online=False,
            queued=self.local.queued_count(),
            dead=self.local.dead_count(),
            offline_since=self._offline_since,
            problem=problem,
            pushed=pushed,
            quarantined=self.local.quarantined_count(),
            needs_action=needs_action,
        )

    def _progressed(self, what: str, done: int, total: int) -> None:
        self.watch.progressed()
        if self.progress is not None:
            self.progress(what, done, total)

    # -- push ---------------------------------------------------------------------------

    def push(self) -> PushReport:
        """Send every pending outbox row; raises CentralUnavailable when central is down.

        The work is pipelined: a reader thread reads and decodes the next batches, two
        senders each have a batch on its way to central over a connection of their own (one
        fills its COPY while the other waits for central's commit), a marker thread marks
        committed batches sent locally, and a chain thread, a batch of them at a time, sends
        the evidence chain entries that may now follow them (`store.sync.evidence`). A crash
        before a mark only means a harmless re-send.
        """
        sent = dead = 0
        total = self.local.queued_count()
        chain = evidence.ChainPush(self.local, self.local.chained_stations())
        reader = _BatchReader(self.local, self.batch_size)
        connections = _Connections(self)
        follow_ups: list[Future[None]] = []  # marks, and the chain's sends after them
        in_flight: deque[Future[PushReport]] = deque()
        with (
            connections,
            ThreadPoolExecutor(SENDERS, thread_name_prefix="bench-push") as senders,
            ThreadPoolExecutor(1, thread_name_prefix="bench-outbox-marker") as marker,
            ThreadPoolExecutor(1, thread_name_prefix="bench-chain") as chainer,
        ):

            def mark_sent(ids: list[int]) -> None:
                follow_ups.append(marker.submit(self._mark_sent, ids, chain, chain_sent))

            def chain_sent() -> None:
                # Its own thread: the marker, which also read and sent the chain, held the
                # whole push back (py-spy: busy 8 of the push's 9 s, two fifths of it
                # waiting on central).
                follow_ups.append(chainer.submit(self._push_chain, chain, connections))

            def settle(done: Future[PushReport]) -> None:
                nonlocal sent, dead
                report = done.result()
                sent += report.sent
                dead += report.dead
                self._progressed("inspections sent", sent + dead, max(total, sent + dead))

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
                marker.shutdown()  # every mark is written before the chain's last send
                for follow_up in follow_ups:
                    follow_up.result()  # every one is done, or its error is raised
            self._push_chain(chain, connections)  # what follows the last inspection
        return PushReport(sent, dead)

    def _mark_sent(
        self, ids: list[int], chain: evidence.ChainPush, chain_sent: Callable[[], None]
    ) -> None:
        self.local.mark_sent(ids, self.clock())
        if chain.marked(len(ids)):
            chain_sent()

    def _push_chain(self, chain: evidence.ChainPush, connections: _Connections) -> None:
        # Never ahead of the inspections: an entry goes once what it records is at central.
        with central_errors(self.engine, "send the evidence chain to"):
            chain.send(connections.mine(), lambda _: self.watch.progressed())

    def _send(
        self,
        batch: _Batch,
        mark_sent: Callable[[list[int]], None],
        connections: _Connections,
    ) -> PushReport:
        for row, problem in batch.unreadable:
            self._dead_letter(row, problem)
        for row, problem in batch.tampered:
            self._dead_letter_tampered(row, problem)
        dead = len(batch.unreadable) + len(batch.tampered)
        if not batch.rows:
            return PushReport(0, dead)
        try:
            with central_errors(self.engine, "send inspections to"):
                try:
                    pgcopy.store_batch(connections.mine(), batch.values, self.clock())
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

    def _dead_letter_tampered(self, row: QueuedRow, problem: str) -> None:
        log.error("sync: not sending inspection %s, tampered with: %s", row.inspection_id, problem)
        reason = (
            f"TAMPERED, not sent: {problem}. Do not pay from it: call a supervisor, who runs "
            "`bench audit verify` to see what else changed"
        )
        self.local.mark_dead(row.id, reason, self.clock(), tampered=True)

    # -- heartbeat ----------------------------------------------------------------------

    def heartbeat(self) -> None:
        beat = {
            "station_id": self.station_id,
            "last_seen": self.clock(),
            "queue_depth": self.local.queued_count(),
            "app_version": self.app_version,
        }
        beats = heartbeat_table
        try:
            with central_errors(self.engine, "report to"), self.engine.begin() as conn:
                stmt = dialect_insert(conn, beats)
                if conn.dialect.name == "postgresql":  # SQLite has no logins: '' stays
                    stmt = stmt.values(login=func.current_user())
                # The depth being replaced becomes the previous one: growth in one row.
                stmt = stmt.on_conflict_do_update(
                    index_elements=[beats.c.station_id],
                    set_={**{name: stmt.excluded[name] for name in beat if name != "station_id"},
                          "login": stmt.excluded.login,
                          "previous_queue_depth": beats.c.queue_depth},
                )  # fmt: skip
                conn.execute(stmt, beat)
        except CentralUnavailable as error:
            if not _another_logins_row(error):
                raise
            action = (
                f"central refuses this bench's heartbeat: another bench's login already reports "
                f"as station {self.station_id}. Give each bench its own [station] id in "
                "config.toml (or ask the administrator which login is which)"
            )
            raise CentralNeedsAction(str(error), action) from error


def _another_logins_row(error: CentralUnavailable) -> bool:
    """Central's row-level security (migration 0013) refused a heartbeat: its row is
    another login's. PostgreSQL says so with "insufficient privilege" and the policy."""
    original = getattr(error.__cause__, "orig", None)
    return getattr(original, "sqlstate", None) == "42501" and "row-level security" in str(original)


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
    """Outbox rows ready to send, with their COPY rows; those that cannot be read, and
    those that no longer match their evidence chain entry."""

    rows: list[QueuedRow]
    values: list[list[Any]]
    unreadable: list[tuple[QueuedRow, str]]
    tampered: list[tuple[QueuedRow, str]]

    @classmethod
    def of(cls, rows: Sequence[QueuedRow]) -> _Batch:
        batch = cls([], [], [], [])
        for row in rows:
            if (problem := tampering(row)) is not None:
                batch.tampered.append((row, problem))
                continue
            try:
                batch.values.append(pgcopy.outbox_copy_row(row))
            except (KeyError, ValueError, TypeError) as error:
                batch.unreadable.append((row, f"unreadable outbox payload: {error!r}"))
            else:
                batch.rows.append(row)
        return batch

    def halves(self) -> tuple[_Batch, _Batch]:
        middle = len(self.rows) // 2
        return (
            _Batch(self.rows[:middle], self.values[:middle], [], []),
            _Batch(self.rows[middle:], self.values[middle:], [], []),
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
                    pgcopy.READ_KEYS,
                    text_key="answers",
                    nullable=pgcopy.NULLABLE,
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
