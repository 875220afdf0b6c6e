"""Heartbeats: each station's login beats for its own station only (row-level security)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

DESIGN.md gives `bench_station` the upsert of its *own* heartbeat. Grants are per table,
so the row is tied to the login that first wrote it (`login`; '' for a row written before
this, or on SQLite, which has no logins), and on PostgreSQL row-level security lets a
login insert only rows naming itself and update only its own (or an unclaimed '') row.
The table's owner, who runs `bench central init`, is not bound by it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = {
    "heartbeats_read": "FOR SELECT USING (true)",
    "heartbeats_own_insert": "FOR INSERT WITH CHECK (login = current_user)",
    "heartbeats_own_update": (
        "FOR UPDATE USING (login IN (current_user, '')) WITH CHECK (login = current_user)"
    ),
}


def upgrade() -> None:
    op.add_column(
        "station_heartbeats", sa.Column("login", sa.Text(), server_default="", nullable=False)
    )
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE station_heartbeats ENABLE ROW LEVEL SECURITY")
    for name, rule in POLICIES.items():
        op.execute(f"CREATE POLICY {name} ON station_heartbeats {rule}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for name in POLICIES:
            op.execute(f"DROP POLICY {name} ON station_heartbeats")
        op.execute("ALTER TABLE station_heartbeats DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("station_heartbeats") as batch:
        batch.drop_column("login")
