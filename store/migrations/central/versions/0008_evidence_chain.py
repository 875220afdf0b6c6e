"""Evidence chain: each station's hash-linked entries, and the hash on inspections

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`inspections.chain_hash` is added with a server default (empty: pushed before the chain,
or written by the portal), by a plain ADD COLUMN: no table rebuild on SQLite, so the view
`request_settlements` can stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

import store.sqltypes

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_chain",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("refused", sa.Text(), nullable=True),
        sa.Column(
            "received_at",
            store.sqltypes.UTCDateTime(),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("station_id", "seq", name=op.f("pk_evidence_chain")),
    )
    op.add_column(
        "inspections", sa.Column("chain_hash", sa.Text(), server_default="", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("chain_hash")
    op.drop_table("evidence_chain")
