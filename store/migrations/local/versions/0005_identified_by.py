"""Inspections: identified_by, whether the device was scanned or picked by hand

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Every inspection before this one was matched by a scan or stored the picked item's id as
if scanned; "scan" is the default for both, since the two cannot be told apart afterwards.
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
        batch.create_check_constraint("identified_by", "identified_by IN ('scan', 'hand')")


def downgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.drop_constraint(op.f("ck_inspections_identified_by"), type_="check")
        batch.drop_column("identified_by")
