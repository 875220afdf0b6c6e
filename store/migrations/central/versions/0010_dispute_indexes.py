"""Dispute indexes: the supervisor's search by serial, and an item's audit trail at central

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Each index serves one lookup of `store.central.disputes` (checked with EXPLAIN on
PostgreSQL by tests/store/test_central_disputes.py):

* `request_items(upper(declared_serial))`: the items declared with a serial or IMEI;
* `inspections USING gin (upper(scanned_code) gin_trgm_ops)`, PostgreSQL only: a serial
  anywhere in a scanned code (a GS1 code carries it inside), by `LIKE '%…%'`. It needs the
  `pg_trgm` extension (trusted: the database's owner may create it); a server without it
  gets no such index, and that search then reads every inspection. SQLite has no trigram
  index: a one-machine site's inspections are read through;
* `evidence_chain` audit entries by the item they name, and by the inspection they name
  (`inspection_id`, or `inspection` for a resume): the trail, the same expressions
  `store.central.disputes` writes.

Expression indexes, which Alembic's autogenerate does not compare: they live here alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DETAIL = {
    "postgresql": "(body -> 'detail' ->> '{}')",
    "sqlite": "json_extract(body, '$.detail.{}')",
}


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    detail = DETAIL.get(dialect, DETAIL["sqlite"])
    op.execute(
        "CREATE INDEX ix_request_items_declared_serial_upper "
        "ON request_items (upper(declared_serial))"
    )
    item, inspection, resumed = (
        detail.format(key) for key in ("request_item_id", "inspection_id", "inspection")
    )
    op.execute(
        f"CREATE INDEX ix_evidence_chain_audit_item ON evidence_chain (({item})) "
        "WHERE kind = 'audit'"
    )
    op.execute(
        "CREATE INDEX ix_evidence_chain_audit_inspection ON evidence_chain "
        f"((COALESCE({inspection}, {resumed}))) WHERE kind = 'audit'"
    )
    if dialect == "postgresql" and _trigrams():
        op.execute(
            "CREATE INDEX ix_inspections_scanned_code_trgm ON inspections "
            "USING gin (upper(scanned_code) gin_trgm_ops)"
        )


def _trigrams() -> bool:
    """Whether pg_trgm is there or can be created (its files installed on the server)."""
    bind = op.get_bind()
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).first()
    if available is None:
        return False
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return True


def downgrade() -> None:
    for name in (
        "ix_inspections_scanned_code_trgm",
        "ix_evidence_chain_audit_inspection",
        "ix_evidence_chain_audit_item",
        "ix_request_items_declared_serial_upper",
    ):
        op.execute(f"DROP INDEX IF EXISTS {name}")
