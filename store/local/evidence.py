"""The station's evidence chain in its SQLite file (`bench.evidence` says why it exists).

`append` writes an entry on the caller's connection, so it commits with the audit entry or
the finished inspection it records. `verify` walks a station's chain and compares every
entry with what it records (the audit log's row, the outbox's payload): a row edited,
deleted or forged there is named as surely as an edited entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Text, bindparam, select, type_coerce

from bench.evidence import (
    AUDIT,
    INSPECTION,
    Entry,
    Problem,
    Progress,
    Tamper,
    canonical,
    differences,
    entry_hash,
    first_break,
    following,
)
from store.local.engine import driver_rows
from store.local.outbox import QueuedRow
from store.local.schema import audit_table, evidence_table, inspection_table, outbox_table
from store.rows import RowIn


def audit_body(
    at: datetime,
    station_id: str,
    inspector_id: str | None,
    event: str,
    detail: Mapping[str, Any],
) -> dict[str, Any]:
    """What an audit entry's chain entry records: its fields, the time as UTC ISO text."""
    return {
        "at": at.astimezone(UTC).isoformat(),
        "station_id": station_id,
        "inspector_id": inspector_id,
        "event": event,
        "detail": dict(detail),
    }


def append(
    conn: Connection, station_id: str, kind: str, ref: str, body: Mapping[str, Any]
) -> Entry:
    """Chain `body` after the station's last entry. The caller holds the write lock
    (BEGIN IMMEDIATE), so no other writer can take the same seq."""
    entry = following(last(conn, station_id), station_id, kind, ref, body)
    conn.execute(_APPEND, [row_of(entry)])
    return entry


def row_of(entry: Entry) -> dict[str, Any]:
    return {
        "station_id": entry.station_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "ref": entry.ref,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "body": entry.body.decode(),
    }


def entry_of(row: RowIn) -> Entry:
    return Entry(
        station_id=row["station_id"],
        seq=row["seq"],
        kind=row["kind"],
        ref=row["ref"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        body=row["body"].encode(),
    )


# Built once: each audit entry and each inspection runs them (see store.local.inspections).
_APPEND = evidence_table.insert()
_LAST = (
    select(evidence_table)
    .where(evidence_table.c.station_id == bindparam("station_id"))
    .order_by(evidence_table.c.seq.desc())
    .limit(1)
)


def last(conn: Connection, station_id: str) -> Entry | None:
    row = conn.execute(_LAST, {"station_id": station_id}).mappings().first()
    return None if row is None else entry_of(row)


def entries(conn: Connection, station_id: str, after: int = 0) -> list[Entry]:
    """The station's entries after seq `after`, in seq order."""
    found = conn.execute(
        select(evidence_table)
        .where(evidence_table.c.station_id == station_id, evidence_table.c.seq > after)
        .order_by(evidence_table.c.seq)
    ).mappings()
    return [entry_of(row) for row in found]


def chained_stations(conn: Connection) -> list[str]:
    """Every station with a chain in this file, found by seeking the primary key from one
    station to the next: every sync round asks, and the chain grows without end."""
    found = conn.exec_driver_sql(
        "WITH RECURSIVE s(id) AS (SELECT min(station_id) FROM evidence_chain UNION ALL "
        "SELECT (SELECT min(station_id) FROM evidence_chain WHERE station_id > s.id) FROM s "
        "WHERE s.id IS NOT NULL) SELECT id FROM s WHERE id IS NOT NULL"
    )
    return [station_id for (station_id,) in found]


def stations(conn: Connection) -> list[str]:
    """Every station with a chain or an audit entry in this file."""
    chained = select(evidence_table.c.station_id)
    audited = select(audit_table.c.station_id)
    return sorted(conn.execute(chained.union(audited)).scalars())


@dataclass(frozen=True)
class ChainReport:
    station_id: str
    entries: int
    last_at: datetime | None
    problem: Problem | None
    """The first problem, by seq; rows no entry records come after the entries."""

    @property
    def summary(self) -> str:
        if self.problem is not None:
            return f"chain of {self.station_id} NOT whole: {self.problem}"
        last = "" if self.last_at is None else f", last {self.last_at.astimezone():%Y-%m-%d %H:%M}"
        return f"chain of {self.station_id} whole: {self.entries:,} entries{last}"


def moment(entry: Entry) -> datetime | None:
    """When what the entry records happened, from its body."""
    body = orjson.loads(entry.body)
    text = body.get("at" if entry.kind == AUDIT else "finished_at")
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def verify(conn: Connection, station_id: str, progress: Progress | None = None) -> ChainReport:
    """Walk the station's chain and hold each entry against the row it records."""
    chain = entries(conn, station_id)
    problems = [p for p in [first_break(chain, progress)] if p is not None]
    recorded = {
        AUDIT: {
            str(row["id"]): canonical(
                audit_body(
                    row["at"], row["station_id"], row["inspector_id"], row["event"], row["detail"]
                )
            )
            for row in conn.execute(
                select(audit_table).where(audit_table.c.station_id == station_id)
            ).mappings()
        },
        INSPECTION: {
            inspection_id: payload.encode()
            for inspection_id, payload in conn.execute(
                select(outbox_table.c.inspection_id, type_coerce(outbox_table.c.payload, Text))
                .join(inspection_table, inspection_table.c.id == outbox_table.c.inspection_id)
                .where(inspection_table.c.station_id == station_id)
            )
        },
    }
    problems.extend(_source_problems(chain, recorded))
    problem = min(problems, key=lambda p: p.order, default=None)
    return ChainReport(station_id, len(chain), moment(chain[-1]) if chain else None, problem)


_SOURCES = {AUDIT: "the audit log", INSPECTION: "the outbox"}


def _source_problems(chain: list[Entry], recorded: Mapping[str, dict[str, bytes]]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for entry in chain:
        rows = recorded.get(entry.kind)
        if rows is None:
            problems.append(Problem.at(Tamper.EDITED, entry, f"no entry is of kind {entry.kind}"))
            continue
        if (entry.kind, entry.ref) in seen:
            problems.append(Problem.at(Tamper.INSERTED, entry, "an earlier entry records it"))
            continue
        seen.add((entry.kind, entry.ref))
        found = rows.get(entry.ref)
        if found is None:
            problems.append(
                Problem.at(Tamper.DELETED, entry, f"its row is gone from {_SOURCES[entry.kind]}")
            )
        elif found != entry.body:
            changed = "; ".join(changed_fields(entry.body, found))
            problems.append(
                Problem.at(Tamper.EDITED, entry, f"its row in {_SOURCES[entry.kind]}: {changed}")
            )
    for kind, rows in recorded.items():
        for ref in rows.keys() - {r for k, r in seen if k == kind}:
            problems.append(
                Problem(
                    Tamper.INSERTED,
                    None,
                    kind,
                    ref,
                    f"no entry records its row in {_SOURCES[kind]}",
                )
            )
    return problems


def changed_fields(recorded: bytes, found: bytes) -> list[str]:
    """What differs between an entry's body and the row's text now (JSON, or not even)."""
    try:
        now = orjson.loads(found)
    except orjson.JSONDecodeError:
        return [f"it is no longer JSON: {found[:40]!r}"]
    return differences(orjson.loads(recorded), now) or ["its text differs"]


def tampering(row: QueuedRow) -> str | None:
    """What no longer matches between an outbox row and its chain entry; None when the
    payload is the one the chain recorded. Cheap enough for every row of a push: the two
    are compared as the canonical text both were written as, and one hash is computed."""
    if row.chain_hash is None or row.chain_body is None:
        return "its evidence chain entry is gone"
    body = row.chain_body.encode()
    seq = int(row.chain_seq or 0)
    found = entry_hash(
        str(row.chain_station), seq, INSPECTION, row.inspection_id, str(row.chain_prev), body
    )
    if found != row.chain_hash:
        return f"its evidence chain entry (seq {seq}) was edited"
    if row.payload != row.chain_body:
        changed = changed_fields(body, row.payload.encode())
        return "its payload was edited: " + "; ".join(changed)
    return None


def unpushed(
    conn: Connection, station_id: str, after: int, limit: int
) -> list[tuple[Entry, str | None]]:
    """The station's entries central does not have yet, in seq order, up to the first
    inspection still waiting in the outbox (its row must reach central first), each with
    why its inspection will never reach central (a dead letter's reason), else None."""
    # Plain SQL and tuples: a long push reads 100,000s of these.
    found = driver_rows(
        conn,
        "SELECT c.seq, c.kind, c.ref, c.prev_hash, c.hash, c.body, o.id, o.sent_at IS NULL, "
        "o.dead_at IS NULL, o.last_error FROM evidence_chain AS c LEFT JOIN outbox AS o "
        "ON c.kind = 'inspection' AND o.inspection_id = c.ref "
        "WHERE c.station_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?",
        (station_id, after, limit),
    )
    ready: list[tuple[Entry, str | None]] = []
    for seq, kind, ref, prev_hash, hash, body, outbox_id, unsent, alive, last_error in found:
        refused = None
        if kind == INSPECTION:
            if outbox_id is None:
                refused = "its outbox row is gone from the bench"
            elif not alive:
                refused = last_error or "refused"
            elif unsent:
                break
        ready.append((Entry(station_id, seq, kind, ref, prev_hash, hash, body.encode()), refused))
    return ready
