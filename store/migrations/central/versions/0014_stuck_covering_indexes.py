"""Stuck covering indexes: a request's items and their inspections from the index alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

`store.figures.not_inspected` looks at every request the portal still has open (5,506 in
benchmarks/supervisor.py's year), the items of each, whether each was inspected and when
its request's first inspection was, whatever the page: so every Stuck page pays for it.
With an index of the request id alone and one of the item id alone, each item and each
inspection cost a heap page besides: 22,000 pages read from outside PostgreSQL's buffer
cache on every page of the list, too many to stay in it. So the two indexes of 0001 take
the column the query reads with them and it reads the indexes only (EXPLAIN ANALYZE on
the benchmark's data: no page read from outside the cache; the Stuck list's page 1 from
160-200 to 90-150 ms on a busy 2-core machine):

* `inspections(request_item_id, finished_at)` for `(request_item_id)`: an item's
  inspections and when they finished (every other lookup by item reads it as before);
* `request_items(request_id, id)` for `(request_id)`: a request's items.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the column 0001 indexed alone, the column its index now takes besides)
WIDENED = (
    ("inspections", "request_item_id", "finished_at"),
    ("request_items", "request_id", "id"),
)


def upgrade() -> None:
    for table, column, besides in WIDENED:
        op.create_index(f"ix_{table}_{column}_{besides}", table, [column, besides])
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)


def downgrade() -> None:
    for table, column, besides in WIDENED:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
        op.drop_index(f"ix_{table}_{column}_{besides}", table_name=table)
