"""Print queue: labels and sheets waiting for the printer

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.sqltypes

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("printed_at", store.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("abandoned_at", store.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    op.create_index(
        "ix_print_jobs_printed_at_abandoned_at",
        "print_jobs",
        ["printed_at", "abandoned_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_print_jobs_printed_at_abandoned_at", table_name="print_jobs")
    op.drop_table("print_jobs")
