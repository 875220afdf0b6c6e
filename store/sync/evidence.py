"""The evidence chain at central: pushed after the inspections, and verified there.

A station's chain goes to central in seq order, never ahead of the inspections it records:
the push stops at the first inspection still in the outbox, so an entry at central either
has its inspection there or says why it never came (`refused`: a dead letter's reason).
Inserts skip what central has, so a retried push never duplicates.

`verify` walks each station's chain at central and holds every inspection entry against
central's `inspections` row: the row the portal pays from must be the payload the bench
chained, carry that entry's hash, and no row may claim the station without an entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine, func, select, union
from sqlalchemy.exc import DBAPIError

from bench.evidence import (
    INSPECTION,
    Entry,
    Problem,
    Progress,
    Tamper,
    canonical,
    differences,
    first_break,
)
from store.central import evidence_table, inspection_table
from store.dbutil import dialect_insert
from store.local import LocalStore
from store.local.evidence import ChainReport, moment
from store.rows import RowIn
from store.sync.pgcopy import OPTIONAL, PAYLOAD_COLUMNS, JsonTextDumper

BATCH = 5000
_COLUMNS = ("station_id", "seq", "kind", "ref", "prev_hash", "hash", "body", "refused")
_LISTED = ", ".join(_COLUMNS)
_TYPES = ["text", "int8", "text", "text", "text", "text", "jsonb", "text"]


class ChainPush:
    """One push's sending of the evidence chain: where each station's chain stands at
    central is asked once, then kept here, so the bench writes nothing to say what it sent
    (a retry after a lost reply re-sends entries central skips)."""

    def __init__(self, local: LocalStore, stations: Sequence[str]) -> None:
        self._local = local
        self._stations = stations
        self._at_central: dict[str, int] | None = None
        self._marked = 0

    def marked(self, count: int) -> bool:
        """Counts inspections marked sent since it last said yes: whether a whole batch of
        entries may now follow them. The count starts again as it says yes, so only the
        marking thread touches it, while the sends run on a thread of their own. Sending
        after every batch of inspections put a transaction and a read of the chain there
        each time, which then held the whole push back."""
        self._marked += count
        if self._marked < BATCH:
            return False
        self._marked = 0
        return True

    def send(self, conn: Connection, progressed: Callable[[int], None] | None = None) -> int:
        """Send what central lacks, up to each station's first inspection still queued;
        a batch per transaction. Returns the entries sent. Not thread-safe: one caller."""
        if self._at_central is None:
            self._at_central = {s: last_seq(conn, s) for s in self._stations}
        sent = 0
        for station_id in self._stations:
            while batch := self._local.unpushed_chain(
                station_id, self._at_central[station_id], BATCH
            ):
                store(conn, batch)
                self._at_central[station_id] = batch[-1][0].seq
                sent += len(batch)
                if progressed is not None:
                    progressed(sent)
                if len(batch) < BATCH:
                    break
        return sent


def last_seq(conn: Connection, station_id: str) -> int:
    """The station's last seq at central (0: none yet)."""
    with conn.begin():
        found = conn.execute(
            select(func.max(evidence_table.c.seq)).where(evidence_table.c.station_id == station_id)
        ).scalar_one()
    return int(found or 0)


def store(conn: Connection, batch: Sequence[tuple[Entry, str | None]]) -> None:
    """Insert entries (each with why its inspection never came, or None), skipping those
    central has, in a transaction of its own."""
    if conn.dialect.name == "postgresql":
        _copy(conn, batch)
        return
    statement = dialect_insert(conn, evidence_table).on_conflict_do_nothing(
        index_elements=["station_id", "seq"]
    )
    with conn.begin():
        conn.execute(statement, [_central_row(e, refused) for e, refused in batch])


def _copy(conn: Connection, batch: Sequence[tuple[Entry, str | None]]) -> None:
    """A batch by COPY straight into the table; one central already has part of, into a
    staging table, moved skipping what central has (an insert per row took 5 times as long
    as the inspections' own push)."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        try:
            # Straight into the table: a retry (central has part of the batch) is rare.
            with conn.begin(), raw.cursor() as cursor:
                copy_entries(cursor, "evidence_chain", batch)
        except psycopg.errors.UniqueViolation:
            with conn.begin(), raw.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS evidence_incoming "
                    "(LIKE evidence_chain INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                copy_entries(cursor, "evidence_incoming", batch)
                cursor.execute(
                    f"INSERT INTO evidence_chain ({_LISTED}) SELECT {_LISTED} "
                    "FROM evidence_incoming ON CONFLICT (station_id, seq) DO NOTHING"
                )
    except psycopg.Error as error:
        # As SQLAlchemy's, so outages are told apart from refusals as on every path.
        raise DBAPIError.instance("COPY evidence_chain", None, error, psycopg.Error) from error


def copy_entries(
    cursor: psycopg.Cursor[Any], table: str, batch: Sequence[tuple[Entry, str | None]]
) -> None:
    """Binary COPY of entries (each with why its inspection never came, or None) into
    `table` (evidence_chain, or its staging twin): the bodies go to jsonb as the JSON
    bytes they are, never decoded nor escaped for text COPY."""
    cursor.adapters.register_dumper(None, JsonTextDumper)  # for this cursor's COPY only
    with cursor.copy(f"COPY {table} ({_LISTED}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_TYPES)
        for e, refused in batch:
            body = e.body if refused is None else _json_body(e.body)
            copy.write_row((e.station_id, e.seq, e.kind, e.ref, e.prev_hash, e.hash, body, refused))


def _json_body(body: bytes) -> bytes:
    """An entry's body as JSON: a payload damaged before it was chained, as JSON text."""
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        return orjson.dumps(body.decode())
    return body


def _central_row(entry: Entry, refused: str | None) -> dict[str, Any]:
    try:
        body = orjson.loads(entry.body)
    except orjson.JSONDecodeError:
        body = entry.body.decode()  # a payload damaged before it was chained: kept as text
    return {
        "station_id": entry.station_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "ref": entry.ref,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "body": body,
        "refused": refused,
    }


def stations(engine: Engine) -> list[str]:
    """Every station with a chain at central, or an inspection that claims a chain."""
    chained = select(evidence_table.c.station_id)
    claimed = select(inspection_table.c.station_id).where(inspection_table.c.chain_hash != "")
    with engine.connect() as conn:
        return sorted(conn.execute(union(chained, claimed)).scalars())


def verify(engine: Engine, station_id: str, progress: Progress | None = None) -> ChainReport:
    """The station's chain at central walked, and held against central's inspections."""
    with engine.connect() as conn:
        found = conn.execute(
            select(evidence_table)
            .where(evidence_table.c.station_id == station_id)
            .order_by(evidence_table.c.seq)
        ).mappings()
        chain: list[Entry] = []
        refused: dict[str, str] = {}
        started: datetime | None = None
        for row in found:
            chain.append(_entry(row))
            if row["refused"] is not None:
                refused[row["ref"]] = row["refused"]
            started = row["received_at"] if started is None else min(started, row["received_at"])
        rows = {
            str(row["id"]): row
            for row in conn.execute(
                select(inspection_table).where(inspection_table.c.station_id == station_id)
            ).mappings()
        }
    problems = [p for p in [first_break(chain, progress)] if p is not None]
    problems.extend(_inspection_problems(chain, refused, rows, started))
    problem = min(problems, key=lambda p: p.order, default=None)
    return ChainReport(station_id, len(chain), moment(chain[-1]) if chain else None, problem)


def _entry(row: RowIn) -> Entry:
    body = row["body"]
    return Entry(
        station_id=row["station_id"],
        seq=int(row["seq"]),
        kind=row["kind"],
        ref=row["ref"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        body=body.encode() if isinstance(body, str) else canonical(body),
    )


def _inspection_problems(
    chain: Sequence[Entry],
    refused: Mapping[str, str],
    rows: Mapping[str, RowIn],
    started: datetime | None,
) -> list[Problem]:
    problems: list[Problem] = []
    recorded: set[str] = set()
    for entry in chain:
        if entry.kind != INSPECTION:
            continue
        recorded.add(entry.ref)
        row = rows.get(entry.ref)
        if row is None:
            if entry.ref not in refused:
                problems.append(
                    Problem.at(Tamper.DELETED, entry, "its row is gone from central's inspections")
                )
            continue
        try:
            chained = orjson.loads(entry.body)
        except orjson.JSONDecodeError:
            chained = {}  # damaged before it was chained: every column differs
        changed = differences(_as_pushed(chained), _as_pushed(_payload_of(row)))
        if changed:
            where = "central's inspections row: "
            problems.append(Problem.at(Tamper.EDITED, entry, where + "; ".join(changed)))
        elif row["chain_hash"] != entry.hash:
            problems.append(
                Problem.at(Tamper.EDITED, entry, "its row's chain_hash at central is another's")
            )
    for ref, row in rows.items():
        if ref in recorded:
            continue
        # A row from before the station's chain has no hash and came before its first entry.
        if row["chain_hash"] or (started is not None and row["received_at"] >= started):
            problems.append(
                Problem(
                    Tamper.INSERTED,
                    None,
                    INSPECTION,
                    ref,
                    f"no entry records this row of central's inspections (item "
                    f"{row['request_item_id']})",
                )
            )
    return problems


def _as_pushed(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A payload's pushed columns, a column an older payload lacks as its default."""
    return {c: payload.get(c, OPTIONAL.get(c)) for c in PAYLOAD_COLUMNS}


def _payload_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """Central's inspections row as the JSON values its payload carried."""
    return {c: _json_value(row[c]) for c in PAYLOAD_COLUMNS}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
