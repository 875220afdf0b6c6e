"""Stuck indexes: what is stuck, oldest first, with no window

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

The stuck list reads every line still stuck, a page at a time, so each kind must be a
short index read, not a year of inspections (checked with EXPLAIN on PostgreSQL by
tests/store/test_supervision.py; timed by benchmarks/supervisor.py):

* `requests(updated_at, id) WHERE status = 'received'`: requests received with nothing
  inspected, walked oldest first (the order of `store.figures.received_untouched`);
* `requests(id) WHERE status IN ('submitted', 'in_transit', 'received')`: the requests
  the portal still has open, the only ones whose items can be left uninspected
  (`store.figures.not_inspected`).

The holds (`ix_inspections_hold_finished_at`, 0007) and the conflicts
(`ix_item_conflicts_detected_at`, 0002) are index walks already. Partial indexes: a
closed request leaves them, so they stay the size of the floor's work in hand.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECEIVED = sa.text("status = 'received'")
OPEN = sa.text("status IN ('submitted', 'in_transit', 'received')")


def upgrade() -> None:
    op.create_index(
        "ix_requests_received_updated_at", "requests", ["updated_at", "id"],
        postgresql_where=RECEIVED, sqlite_where=RECEIVED,
    )  # fmt: skip
    op.create_index(
        "ix_requests_open", "requests", ["id"], postgresql_where=OPEN, sqlite_where=OPEN
    )


def downgrade() -> None:
    for name in ("ix_requests_open", "ix_requests_received_updated_at"):
        op.drop_index(name, table_name="requests")
