"""Inspections: second_of, the inspection a blind second grading grades again

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

NULL on every inspection before this one: none was a second grading. Which inspections
wait for their second grading is read from `second_grading_due` audit entries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inspections", sa.Column("second_of", sa.Text(), nullable=True))
    op.create_index(op.f("ix_inspections_second_of"), "inspections", ["second_of"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inspections_second_of"), table_name="inspections")
    # SQLite drops a column only with the table rebuilt: batch mode does that.
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("second_of")
