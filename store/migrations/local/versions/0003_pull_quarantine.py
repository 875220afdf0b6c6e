"""Pull quarantine: central rows that break the contract, kept out of the replica

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.sqltypes

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pull_quarantine",
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("updated_at_central", store.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("seen_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_key", name=op.f("pk_pull_quarantine")),
    )
    # Rows pulled before this release were never checked against the contract (a program
    # with no grade percents could be in the replica): pull everything once more.
    op.execute("DELETE FROM sync_cursors WHERE name LIKE 'pull:%'")


def downgrade() -> None:
    op.drop_table("pull_quarantine")
