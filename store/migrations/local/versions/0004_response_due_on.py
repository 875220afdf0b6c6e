"""Inspections: response_due_on, a revised quote's last day to reject

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Kept beside the outcome so a restarted bench shows it and its outbox row carries it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inspections", sa.Column("response_due_on", sa.Date(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column only with the table rebuilt: batch mode does that.
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("response_due_on")
