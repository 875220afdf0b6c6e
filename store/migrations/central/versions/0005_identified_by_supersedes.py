"""Inspections: identified_by (scanned or picked by hand) and supersedes (a reopened item)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

`identified_by` has a server default so rows pushed by older benches still insert;
`supersedes` is NULL except on the inspection that replaces a reopened one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.add_column(
            sa.Column("identified_by", sa.Text(), server_default="scan", nullable=False)
        )
        batch.add_column(sa.Column("supersedes", sa.Uuid(), nullable=True))
        batch.create_check_constraint("identified_by", "identified_by IN ('scan', 'hand')")


def downgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.drop_constraint(op.f("ck_inspections_identified_by"), type_="check")
        batch.drop_column("supersedes")
        batch.drop_column("identified_by")
