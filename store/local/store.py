"""`LocalStore`: the station's SQLite file behind one object, which owns the transactions.

The bench must keep working when the network is down and must never lose a confirmed
inspection, so a finished inspection, its answers, its outbox row and its audit row are
written in one transaction (`finish_inspection`), and the audit log is append-only.

The SQL is in the repository modules beside this one (`replica`, `inspections`, `outbox`,
`audit`, `logins`), functions that take a `Connection`; this facade chooses the unit of
work: every public method opens its own short transaction (`_read`, or `_write` with BEGIN
IMMEDIATE) and returns `bench.domain` types or small dataclasses, never ORM rows, so
callers cannot hold a session open by accident. It satisfies `bench.station.StationRecords`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from time import monotonic
from typing import Any, Self, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from bench.domain import (
    AnswerRecord,
    CatalogModel,
    FinishedInspection,
    InspectionStarted,
    Inspector,
    ProgramPolicy,
    Request,
    RequestItem,
    UnfinishedInspection,
)
from bench.evidence import INSPECTION, Entry, Progress
from bench.grading import SecondGradingWaiting
from bench.printing import PrintJob, QueuedPrint
from bench.station import (
    SECOND_GRADING_DUE,
    QuarantinedRow,
    Refused,
    RequestInspections,
    SecondGradingDue,
)
from store.dbutil import utcnow, why
from store.errors import StoreError
from store.local import (
    audit,
    evidence,
    inspections,
    logins,
    outbox,
    print_jobs,
    quarantine,
    replica,
)
from store.local.engine import open_file, writer
from store.local.outbox import OutboxRow, QueuedRow
from store.local.quarantine import SkippedRow

T = TypeVar("T")

REPLICA_CACHE_SECONDS = 60.0
"""How long what the replica says of programs, models and skipped rows is kept at most: a
pull by another process (`bench sync` beside a running bench) shows within this."""


class _ReplicaCache:
    """Programs, catalog models and the skipped rows, as the replica last said: asked on
    every step of an inspection (a query each, on the UI thread), changed only by a pull.
    Dropped when this store writes the replica, and after `REPLICA_CACHE_SECONDS`.

    Thread-safe: the sync thread's pull drops it while the UI thread fills it; a value read
    before a drop is not kept after it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple[str, str], Any] = {}
        self._version = 0
        self._since = monotonic()

    def get(self, key: tuple[str, str], read: Callable[[], T]) -> T:
        with self._lock:
            if monotonic() - self._since > REPLICA_CACHE_SECONDS:
                self._drop()
            if key in self._values:
                value: T = self._values[key]
                return value
            version = self._version
        value = read()
        with self._lock:
            if version == self._version:
                self._values[key] = value
        return value

    def drop(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        self._values.clear()
        self._version += 1
        self._since = monotonic()


class LocalStore:
    """The station database. Open with `LocalStore.open(path)`; thread-safe (one engine,
    a connection pool, a short transaction per call)."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self.path = path
        self._replica = _ReplicaCache()

    @classmethod
    def open(cls, path: Path | str) -> LocalStore:
        """Open (creating or migrating) the station database at `path`.

        Raises StoreError, naming the path and the cause, when it cannot be written or was
        written by a newer release of bench.
        """
        path = Path(path)
        return cls(open_file(path), path)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The engine itself: for the tests and benchmarks that set up or inspect the file
        with their own SQL. The bench goes through the methods below."""
        return self._engine

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as connection:
                yield connection
        except DBAPIError as error:
            raise StoreError(
                f"Cannot read the station database at {self.path}: {why(error)}"
            ) from error

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._writer.begin() as connection:
                yield connection
        except DBAPIError as error:
            raise StoreError(
                f"Could not save to the station database at {self.path}: {why(error)}"
            ) from error

    @contextmanager
    def _write_replica(self) -> Iterator[Connection]:
        """A write of replica rows: what `_replica` keeps is dropped after it, written or
        not, so no lookup outlives the rows it was read from."""
        try:
            with self._write() as connection:
                yield connection
        finally:
            self._replica.drop()

    # --- Replica: lookups ---------------------------------------------------------------

    def program(self, code: str) -> ProgramPolicy | None:
        return self._replica.get(("program", code), lambda: self._program(code))

    def _program(self, code: str) -> ProgramPolicy | None:
        with self._read() as conn:
            return replica.program(conn, code)

    def find_request(self, code: str) -> Request | None:
        """The request whose id or tracking number is `code`, with its items by id."""
        with self._read() as conn:
            return replica.find_request(conn, code)

    def catalog_model(self, sku: str) -> CatalogModel | None:
        return self._replica.get(("model", sku), lambda: self._catalog_model(sku))

    def _catalog_model(self, sku: str) -> CatalogModel | None:
        with self._read() as conn:
            return replica.catalog_model(conn, sku)

    def model_by_gtin(self, gtin: str, program_code: str | None = None) -> CatalogModel | None:
        """The model with this GTIN, given as 8, 12, 13 or 14 digits; None if unknown.

        When the product is listed in several programs, the row of `program_code` wins.
        """
        with self._read() as conn:
            return replica.model_by_gtin(conn, gtin, program_code)

    def inspector(self, id: str) -> tuple[Inspector, str] | None:
        """The inspector and their PIN hash, or None."""
        with self._read() as conn:
            return replica.inspector(conn, id)

    def inspectors(self) -> list[Inspector]:
        """Every inspector in the replica, active or not, by badge id: for the badges."""
        with self._read() as conn:
            return replica.inspectors(conn)

    def request_item(self, id: str) -> RequestItem | None:
        with self._read() as conn:
            return replica.request_item(conn, id)

    def knows_inspectors(self) -> bool:
        with self._read() as conn:
            return replica.has_inspectors(conn)

    def replica_counts(self) -> dict[str, int]:
        with self._read() as conn:
            return replica.counts(conn)

    def sync_cursor(self, name: str) -> str | None:
        with self._read() as conn:
            return replica.sync_cursor(conn, name)

    # --- Replica: writes ----------------------------------------------------------------

    def write_replica(
        self,
        *,
        programs: Sequence[ProgramPolicy] = (),
        models: Sequence[CatalogModel] = (),
        requests: Sequence[Request] = (),
        inspectors: Sequence[tuple[Inspector, str]] = (),
    ) -> None:
        """Insert or update replica rows from domain objects, in one transaction.

        `requests` bring their items. Rows are never deleted: central retires things by
        status (a cancelled request, an inactive inspector), not by removing them.
        """
        now = utcnow()
        with self._write_replica() as conn:
            replica.write_domain(
                conn,
                now,
                programs=programs,
                models=models,
                requests=requests,
                inspectors=inspectors,
            )

    def write_replica_rows(
        self,
        table: str,
        values: Sequence[Mapping[str, Any]],
        cursor: tuple[str, str] | None = None,
    ) -> int:
        """Upsert rows shaped like the central table `table`; set a sync cursor with them.

        The cursor is written in the same transaction as the rows, so a cursor can never
        run ahead of what was stored (a crash between the two would otherwise skip rows
        forever). Columns the replica does not have are ignored. Returns rows written.
        """
        with self._write_replica() as conn:
            written = replica.upsert_rows(conn, table, values)
            if cursor is not None:
                replica.set_sync_cursor(conn, *cursor)
        return written

    def write_pulled(
        self,
        table: str,
        values: Sequence[Mapping[str, Any]],
        skipped: Sequence[SkippedRow],
        cursor: tuple[str, str] | None,
        at: datetime,
    ) -> list[str]:
        """One pulled batch, in one transaction: the sound rows (leaving the quarantine if
        they were in it), the refused ones quarantined and out of the replica, the cursor.

        Returns the keys quarantined now that were not before (to be logged once).
        """
        with self._write_replica() as conn:
            replica.upsert_rows(conn, table, values)
            if quarantine.holds(conn, table):
                key = replica.key_name(table)
                quarantine.release(conn, table, [str(value[key]) for value in values])
            if skipped:
                replica.delete_rows(conn, table, [row.key for row in skipped])
            new = quarantine.put(conn, table, skipped, at)
            if cursor is not None:
                replica.set_sync_cursor(conn, *cursor)
        return new

    def quarantined_rows(self) -> list[QuarantinedRow]:
        """Central rows the pull refused, by table and key, with why."""
        return list(self._replica.get(("quarantine", ""), self._quarantined_rows))

    def _quarantined_rows(self) -> tuple[QuarantinedRow, ...]:
        with self._read() as conn:
            return tuple(quarantine.rows(conn))

    def quarantined_count(self) -> int:
        with self._read() as conn:
            return quarantine.count(conn)

    # --- Inspections --------------------------------------------------------------------

    def begin_inspection(self, started: InspectionStarted) -> None:
        """Record an inspection as in progress, so it can be resumed after a crash.

        Beginning the same inspection again is a no-op (and is not audited twice).
        """
        inspections.check_uuid(started.id)
        with self._write() as conn:
            if inspections.begin(conn, started):
                audit.append(
                    conn,
                    "inspection_started",
                    started.station_id,
                    started.inspector_id,
                    {
                        "inspection_id": started.id,
                        "request_item_id": started.request_item_id,
                        "scanned_code": started.scanned_code,
                        "identified_by": started.identified_by.value,
                    },
                    started.started_at,
                )

    def record_answers(self, inspection_id: str, answers: Sequence[AnswerRecord]) -> None:
        """Append answers to an inspection in progress, in one transaction: all or none."""
        with self._write() as conn:
            inspections.record_answers(conn, inspection_id, answers)

    def unfinished_inspections(self, station_id: str) -> list[UnfinishedInspection]:
        """Inspections in progress at this station, oldest first, with answers in order."""
        with self._read() as conn:
            return inspections.unfinished(conn, station_id)

    def cancel_inspection(self, inspection_id: str, inspector_id: str, at: datetime) -> None:
        """Cancel an inspection in progress.

        Cancelling an unknown or already cancelled inspection is a no-op; cancelling a
        finished one raises StoreError, since its result may already be on its way.
        """
        with self._write() as conn:
            station_id = inspections.cancel(conn, inspection_id)
            if station_id is not None:
                audit.append(
                    conn,
                    "inspection_cancelled",
                    station_id,
                    inspector_id,
                    {"inspection_id": inspection_id},
                    at,
                )

    def finish_inspection(
        self,
        done: FinishedInspection,
        label: PrintJob | None = None,
        second_grading_due: bool = False,
    ) -> None:
        """Store a confirmed inspection and queue it for central, in ONE transaction; with
        its `label` queued for the printer in the same transaction.

        Writes the inspection row (inserting it if it was never begun), the answers of
        `done.answers` not already recorded (an answer counts as recorded when a stored row
        matches it in every field; rows recorded earlier all stay), the outbox row carrying
        the central payload (all stored answers, in recording order) and the audit row.

        Idempotent: if the inspection is already finished this is a no-op; the first
        confirmed result stands (a retry after a crash must not queue it twice). A cancelled
        inspection that is then confirmed becomes finished: what the inspector confirmed
        on screen is never dropped. `second_grading_due`: it was picked for a blind
        second grading, recorded as a `second_grading_due` audit entry in the same commit.
        """
        started = done.started
        inspections.check_uuid(started.id)
        with self._write() as conn:
            payload = inspections.finish(conn, done)
            if payload is None:
                return
            outbox.enqueue(conn, started.id, payload, utcnow())
            evidence.append(conn, started.station_id, INSPECTION, started.id, payload)
            if label is not None:
                print_jobs.enqueue(conn, label, utcnow())
            audit.append(
                conn,
                "inspection_finished",
                started.station_id,
                started.inspector_id,
                {
                    "inspection_id": started.id,
                    "request_item_id": started.request_item_id,
                    "outcome": done.decision.outcome.value,
                    "final_cents": done.decision.final_cents,
                    "disposition": done.decision.disposition.value,
                },
                done.finished_at,
            )
            if second_grading_due:
                audit.append(
                    conn,
                    SECOND_GRADING_DUE,
                    started.station_id,
                    started.inspector_id,
                    {"inspection_id": started.id, "request_item_id": started.request_item_id},
                    done.finished_at,
                )

    def second_gradings_waiting(self) -> list[SecondGradingWaiting]:
        """Every inspection picked here for a second grading that no finished inspection
        names as its `second_of` and no supervisor reopened, oldest pick first."""
        with self._read() as conn:
            picks = audit.of_event(conn, SECOND_GRADING_DUE)
            ids = [pick.detail["inspection_id"] for pick in picks]
            done = inspections.second_graded(conn, ids) | audit.reopened(conn, ids)
        return [
            SecondGradingWaiting(
                pick.detail["request_item_id"],
                pick.detail["inspection_id"],
                pick.inspector_id or "",
                pick.at,
            )
            for pick in picks
            if pick.detail["inspection_id"] not in done
        ]

    def latest_inspection(self, item_id: str) -> FinishedInspection | None:
        """The item's latest finished inspection here, with its answers: for its label."""
        with self._read() as conn:
            return inspections.latest_finished(conn, item_id)

    def request_inspections(self, request_id: str) -> RequestInspections:
        """Each item's latest finished inspection here, which of them a supervisor reopened
        since (an `item_reopened` audit entry names it), and which wait for a second grading
        (picked, and none finished yet): one query of the inspections, and none of the audit
        log while no item has one."""
        with self._read() as conn:
            latest = inspections.latest_finished_rows(conn, request_id)
            ids = [row["id"] for row in latest.values()]
            reopened = audit.reopened(conn, ids)
            due = audit.named(conn, SECOND_GRADING_DUE, ids) - inspections.second_graded(conn, ids)
        return RequestInspections(
            decisions={item: inspections.decision(row) for item, row in latest.items()},
            reopened={item: row["id"] for item, row in latest.items() if row["id"] in reopened},
            second_due={
                item: SecondGradingDue(item, row["id"], row["inspector_id"])
                for item, row in latest.items()
                if row["id"] in due
            },
        )

    # --- Outbox -------------------------------------------------------------------------

    def queued(
        self,
        keys: Sequence[str],
        *,
        text_key: str,
        nullable: Collection[str] = (),
        after: int = 0,
        limit: int = 500,
    ) -> list[QueuedRow]:
        """The next rows to send, from outbox id `after` on, their payloads read by SQLite
        (see `store.local.outbox.queued`)."""
        with self._read() as conn:
            return outbox.queued(
                conn, keys, text_key=text_key, nullable=nullable, after=after, limit=limit
            )

    def dead_letters(self) -> list[OutboxRow]:
        """Rows central refused for good, oldest first, with central's reason."""
        with self._read() as conn:
            return outbox.dead_letters(conn)

    def refused_inspections(self) -> list[Refused]:
        """The dead letters as the bench lists them, with central's reason."""
        return [
            Refused(
                row.inspection_id,
                str(row.payload.get("request_item_id", "?")),
                row.dead_at or row.created_at,
                row.last_error or "no reason given",
                tampered=row.tampered,
            )
            for row in self.dead_letters()
        ]

    def queued_count(self) -> int:
        """Outbox rows still to send: the "queued" number in the header."""
        with self._read() as conn:
            return outbox.count(conn, *outbox.PENDING)

    def dead_count(self) -> int:
        with self._read() as conn:
            return outbox.count(conn, *outbox.DEAD)

    def mark_sent(self, outbox_ids: Sequence[int], at: datetime) -> None:
        """Central has committed these rows: they leave the queue."""
        with self._write() as conn:
            outbox.mark_sent(conn, outbox_ids, at)

    def mark_failed(self, outbox_ids: Sequence[int], error: str) -> None:
        """A push of these rows failed for a passing reason: they stay queued."""
        with self._write() as conn:
            outbox.mark_failed(conn, outbox_ids, error)

    def mark_dead(
        self, outbox_id: int, error: str, at: datetime, *, tampered: bool = False
    ) -> None:
        """Central refused this row for good, or it was `tampered` with: out of the queue,
        kept for a supervisor."""
        with self._write() as conn:
            outbox.mark_dead(conn, outbox_id, error, at, tampered=tampered)

    # --- Evidence chain -----------------------------------------------------------------

    def chain_stations(self) -> list[str]:
        """Every station with a chain or an audit entry here: what `verify_chain` takes."""
        with self._read() as conn:
            return evidence.stations(conn)

    def chained_stations(self) -> list[str]:
        """Every station with a chain here: what the push sends."""
        with self._read() as conn:
            return evidence.chained_stations(conn)

    def verify_chain(
        self, station_id: str, progress: Progress | None = None
    ) -> evidence.ChainReport:
        """The station's evidence chain walked and held against what it records."""
        with self._read() as conn:
            return evidence.verify(conn, station_id, progress)

    def unpushed_chain(
        self, station_id: str, after: int, limit: int
    ) -> list[tuple[Entry, str | None]]:
        """The chain entries after seq `after` that may go to central now (see
        `store.local.evidence.unpushed`)."""
        with self._read() as conn:
            return evidence.unpushed(conn, station_id, after, limit)

    # --- Print queue --------------------------------------------------------------------

    def queue_print(self, job: PrintJob) -> int:
        """Queue a reprint or the command sheet; returns its id in the queue."""
        with self._write() as conn:
            return print_jobs.enqueue(conn, job, utcnow())

    def queued_prints(self, limit: int = 20) -> list[QueuedPrint]:
        """The oldest jobs not printed yet, in the order they were queued."""
        with self._read() as conn:
            return print_jobs.queued(conn, limit)

    def print_queue_count(self) -> int:
        with self._read() as conn:
            return print_jobs.count(conn)

    def mark_printed(self, job_id: int, at: datetime) -> None:
        with self._write() as conn:
            print_jobs.mark_printed(conn, job_id, at)

    def mark_print_failed(self, job_id: int, error: str) -> None:
        with self._write() as conn:
            print_jobs.mark_failed(conn, job_id, error)

    def abandon_print(self, job_id: int, error: str, at: datetime) -> None:
        with self._write() as conn:
            print_jobs.abandon(conn, job_id, error, at)

    def last_label(self) -> PrintJob | None:
        """The label queued last, printed or not."""
        with self._read() as conn:
            return print_jobs.last_label(conn)

    # --- Login failures -----------------------------------------------------------------

    def record_login_failure(self, inspector_id: str, at: datetime) -> None:
        with self._write() as conn:
            logins.record_failure(conn, inspector_id, at)

    def login_failure_times(self, inspector_id: str, since: datetime) -> list[datetime]:
        """When this inspector's failed PIN attempts at or after `since` happened, in order."""
        with self._read() as conn:
            return logins.failure_times(conn, inspector_id, since)

    def clear_login_failures(self, inspector_id: str) -> None:
        with self._write() as conn:
            logins.clear(conn, inspector_id)

    # --- Audit log ----------------------------------------------------------------------

    def audit(
        self,
        event: str,
        station_id: str,
        inspector_id: str | None,
        detail: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """Append an audit event; `detail` must hold JSON values (str, int, bool, lists...)."""
        with self._write() as conn:
            audit.append(conn, event, station_id, inspector_id, detail, at)
