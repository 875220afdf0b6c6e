"""Inspections: second_of (a blind second grading), and settlements that ignore it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

`second_of` is NULL (its default) on every inspection but a second grading, where it
names the inspection graded again. A second grading is only compared with its first: it
never counts for the customer, so `request_settlements` is recreated as 0006 made it with
one condition more in `latest` (`second_of IS NULL`), and the push's conflict flagging
leaves it out too (`store.sync.pgcopy`). A portal that writes only the contract's columns
is unaffected. The view is dropped before the table is touched: SQLite refuses to rebuild
a table a view names.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LATEST_0006 = "WHERE NOT EXISTS (SELECT 1 FROM inspections AS later WHERE later.supersedes = i.id)"
LATEST = f"{LATEST_0006}\n      AND i.second_of IS NULL"


def _settlements_0006() -> ModuleType:
    """Migration 0006, whose view this one recreates with one condition more."""
    path = Path(__file__).with_name("0006_request_settlements.py")
    spec = importlib.util.spec_from_file_location("settlements_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _create_view(latest: str) -> None:
    settlements = _settlements_0006()
    assert LATEST_0006 in settlements.VIEW, "0006's view changed: recreate it here in full"
    dates = settlements.DATES[op.get_context().dialect.name]
    op.execute(
        settlements.VIEW.replace(LATEST_0006, latest).format(
            next_due=dates["next_day"].format("due_on"),
            last_day=dates["day_of"].format("finished_at"),
        )
    )


def upgrade() -> None:
    op.execute("DROP VIEW request_settlements")
    op.add_column("inspections", sa.Column("second_of", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_inspections_second_of"), "inspections", ["second_of"])
    _create_view(LATEST)


def downgrade() -> None:
    op.execute("DROP VIEW request_settlements")
    op.drop_index(op.f("ix_inspections_second_of"), table_name="inspections")
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("second_of")
    _create_view(LATEST_0006)
