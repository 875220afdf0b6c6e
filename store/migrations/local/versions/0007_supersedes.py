"""Inspections: supersedes, the inspection a reopened item's new one replaces; audit by event

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

NULL on every inspection before this one: nothing could be reopened. The audit log gets an
index on its event, so finding an open request's reopened items (`item_reopened`, a few
rows among every login and scan) does not read the whole log.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inspections", sa.Column("supersedes", sa.Text(), nullable=True))
    op.create_index(op.f("ix_inspections_supersedes"), "inspections", ["supersedes"])
    op.create_index(op.f("ix_audit_log_event"), "audit_log", ["event"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_event"), table_name="audit_log")
    op.drop_index(op.f("ix_inspections_supersedes"), table_name="inspections")
    # SQLite drops a column only with the table rebuilt: batch mode does that.
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("supersedes")
