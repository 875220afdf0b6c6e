"""Programs: server defaults for the policy columns the bench adds to the contract

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

DESIGN.md: a column the bench adds to a table the portal writes has a server default, so
a portal that writes only the contract's columns keeps working. These are the defaults of
`bench.domain.ProgramPolicy` when this was written (a migration keeps its own copy: it
must create the same schema whatever the code says later); `brand` stays NULL, any brand.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULTS = {
    "grade_percents": """'{"A": 100, "B": 80, "C": 55, "D": 30}'""",
    "broken_percent": "15",
    "dirty_percent": "85",
    "age_step_percent": "10",
}


def upgrade() -> None:
    # On SQLite a default can only change with the table rebuilt: batch mode does that.
    with op.batch_alter_table("programs") as batch:
        for column, default in DEFAULTS.items():
            batch.alter_column(column, server_default=sa.text(default))


def downgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        for column in DEFAULTS:
            batch.alter_column(column, server_default=None)
