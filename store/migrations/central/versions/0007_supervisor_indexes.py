"""Supervisor indexes: the figures screens and `bench report` read by

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Each index serves one query of `store.central.supervision` (checked with EXPLAIN on
PostgreSQL by `benchmarks/supervisor.py` and tests/store/test_supervision.py):

* `inspections(finished_at)`: throughput and the hourly counts of every station over a
  window. (`(station_id, finished_at)`, `(inspector_id, finished_at)` and
  `(request_item_id)` exist since 0001: one station's or inspector's figures, an item's
  inspections.)
* `inspections(response_due_on) WHERE outcome = 'revise'`: the quotes whose customer
  still has days to answer, in due order, without reading every other inspection.
* `inspections(finished_at) WHERE outcome = 'hold'`: the holds waiting for a supervisor,
  oldest first, for the stuck list.

Plain indexes, no table rebuild: the settlement view of 0006 stays as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _partial(name: str, column: str, outcome: str) -> None:
    """An index of the inspections of one outcome only (both databases take the WHERE)."""
    condition = sa.text(f"outcome = '{outcome}'")
    op.create_index(
        op.f(name), "inspections", [column], postgresql_where=condition, sqlite_where=condition
    )


def upgrade() -> None:
    op.create_index(op.f("ix_inspections_finished_at"), "inspections", ["finished_at"])
    _partial("ix_inspections_revise_due_on", "response_due_on", "revise")
    _partial("ix_inspections_hold_finished_at", "finished_at", "hold")


def downgrade() -> None:
    for name in ("hold_finished_at", "revise_due_on", "finished_at"):
        op.drop_index(op.f(f"ix_inspections_{name}"), table_name="inspections")
