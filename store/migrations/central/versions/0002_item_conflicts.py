"""Item conflicts, money never negative, indexes in pull order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.sqltypes

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables benches pull, with their keys: a pull reads them in (updated_at, key) order.
PULLED = (
    ("programs", "code"),
    ("catalog_models", "sku"),
    ("requests", "id"),
    ("request_items", "id"),
    ("inspectors", "id"),
)


def upgrade() -> None:
    op.create_table(
        "item_conflicts",
        sa.Column("request_item_id", sa.Text(), nullable=False),
        sa.Column("detected_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("inspections", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("request_item_id", name=op.f("pk_item_conflicts")),
    )
    op.create_index(op.f("ix_item_conflicts_detected_at"), "item_conflicts", ["detected_at"])
    with op.batch_alter_table("inspections") as batch:
        batch.create_check_constraint("final_cents", "final_cents >= 0")
    for table, key in PULLED:
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
        op.create_index(op.f(f"ix_{table}_pull_order"), table, ["updated_at", key])


def downgrade() -> None:
    for table, _key in PULLED:
        op.drop_index(op.f(f"ix_{table}_pull_order"), table_name=table)
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"])
    with op.batch_alter_table("inspections") as batch:
        batch.drop_constraint(op.f("ck_inspections_final_cents"), type_="check")
    op.drop_index(op.f("ix_item_conflicts_detected_at"), table_name="item_conflicts")
    op.drop_table("item_conflicts")
