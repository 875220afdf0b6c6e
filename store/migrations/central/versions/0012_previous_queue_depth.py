"""Heartbeats: previous_queue_depth, so a growing queue shows in one reading

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

`station_heartbeats` keeps each station's latest heartbeat only, so a supervisor's screen
could tell a growing queue only by remembering the depth it read before. The heartbeat's
upsert now keeps the depth it replaces here. Nullable, no default to fill: a row written
with the contract's columns only (a portal, an older bench) says "no earlier reading",
which is never growing. The station's column UPDATE grant follows the table's columns
(`store.central.roles`), so `bench central init` grants it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "station_heartbeats", sa.Column("previous_queue_depth", sa.Integer(), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("station_heartbeats") as batch:
        batch.drop_column("previous_queue_depth")
