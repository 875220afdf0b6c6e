"""Evidence chain: every audit entry and finished inspection hash-linked, per station

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A station upgraded from an earlier release gets a chain too: its audit entries and
finished inspections are chained here, in the order they happened (an inspection before
the audit entry of the same moment, as `finish_inspection` writes them). Outbox payloads
are rewritten as their canonical text (same JSON, keys sorted), which is what the push
compares with the chain. `outbox.tampered` marks a dead letter whose payload no longer
matched its chain entry.
"""

import heapq
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

from bench.evidence import AUDIT, INSPECTION, Entry, canonical, chained
from store.local.evidence import audit_body
from store.sqltypes import UTCDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("station_id", sa.Text()),
    sa.column("inspector_id", sa.Text()),
    sa.column("event", sa.Text()),
    sa.column("detail", sa.Text()),
)
_outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("inspection_id", sa.Text()),
    sa.column("payload", sa.Text()),
    sa.column("created_at", UTCDateTime()),
)
_inspections = sa.table(
    "inspections", sa.column("id", sa.Text()), sa.column("station_id", sa.Text())
)
_chain = sa.table(
    "evidence_chain",
    *(
        sa.column(name)
        for name in ("station_id", "seq", "kind", "ref", "prev_hash", "hash", "body")
    ),
)

# (when, kind's rank, id, station, kind, ref, body) sorts into the order things happened.
_Item = tuple[datetime, int, int, str, str, str, bytes]


def upgrade() -> None:
    op.create_table(
        "evidence_chain",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "seq", name=op.f("pk_evidence_chain")),
    )
    op.create_index("ix_evidence_chain_kind_ref", "evidence_chain", ["kind", "ref"])
    op.add_column("outbox", sa.Column("tampered", sa.Boolean(), server_default="0", nullable=False))
    _chain_what_is_there(op.get_bind())


def _chain_what_is_there(conn: sa.Connection) -> None:
    last: dict[str, Entry] = {}
    rows: list[dict[str, Any]] = []
    for _at, _rank, _id, station, kind, ref, body in heapq.merge(_inspected(conn), _audited(conn)):
        entry = chained(last.get(station), station, kind, ref, body)
        last[station] = entry
        rows.append({**entry.__dict__, "body": entry.body.decode()})
        if kind == INSPECTION:
            conn.execute(
                _outbox.update()
                .where(_outbox.c.inspection_id == ref)
                .values(payload=entry.body.decode())
            )
    if rows:
        conn.execute(_chain.insert(), rows)


def _inspected(conn: sa.Connection) -> Iterator[_Item]:
    found = conn.execute(
        sa.select(
            _outbox.c.id,
            _outbox.c.inspection_id,
            _outbox.c.payload,
            _outbox.c.created_at,
            _inspections.c.station_id,
        )
        .join(_inspections, _inspections.c.id == _outbox.c.inspection_id)
        .order_by(_outbox.c.created_at, _outbox.c.id)
    )
    for id, inspection_id, payload, created_at, station_id in found:
        try:
            body = canonical(orjson.loads(payload))
        except orjson.JSONDecodeError:
            body = payload.encode()  # chained as it is: the push dead-letters it as unreadable
        yield created_at, 0, id, station_id, INSPECTION, inspection_id, body


def _audited(conn: sa.Connection) -> Iterator[_Item]:
    found = conn.execute(sa.select(_audit).order_by(_audit.c.at, _audit.c.id)).mappings()
    for row in found:
        detail = orjson.loads(row["detail"])
        body = canonical(
            audit_body(row["at"], row["station_id"], row["inspector_id"], row["event"], detail)
        )
        yield row["at"], 1, row["id"], row["station_id"], AUDIT, str(row["id"]), body


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("tampered")
    op.drop_index("ix_evidence_chain_kind_ref", table_name="evidence_chain")
    op.drop_table("evidence_chain")
