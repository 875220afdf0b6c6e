"""Station store: replica, inspections, answers, audit log, outbox, cursors, login failures

Revision ID: 0001
Revises:
Create Date: 2025-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.sqltypes

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_LOCKED = ("UPDATE", "DELETE")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=True),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])

    op.create_table(
        "catalog_gtins",
        sa.Column("gtin", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("gtin", "sku", name=op.f("pk_catalog_gtins")),
    )
    op.create_index(op.f("ix_catalog_gtins_sku"), "catalog_gtins", ["sku"])

    op.create_table(
        "catalog_models",
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("program_code", sa.Text(), nullable=False),
        sa.Column("brand", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("base_value_cents", sa.BigInteger(), nullable=False),
        sa.Column("has_storage", sa.Boolean(), nullable=False),
        sa.Column("gtins", store.sqltypes.TextList(), nullable=False),
        sa.Column("updated_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_catalog_models")),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("request_item_id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("started_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", store.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("scanned_code", sa.Text(), nullable=False),
        sa.Column("identified_sku", sa.Text(), nullable=True),
        sa.Column("grade", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("reason_codes", store.sqltypes.TextList(), nullable=False),
        sa.Column("final_cents", sa.BigInteger(), nullable=True),
        sa.Column("disposition", sa.Text(), nullable=True),
        sa.Column("wiped", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "disposition IS NULL OR disposition IN ('refurbish', 'recycle', 'return', 'hold')",
            name=op.f("ck_inspections_disposition"),
        ),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('A', 'B', 'C', 'D')", name=op.f("ck_inspections_grade")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('accept', 'revise', 'reject', 'hold')",
            name=op.f("ck_inspections_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('in_progress', 'finished', 'cancelled')", name=op.f("ck_inspections_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(op.f("ix_inspections_request_item_id"), "inspections", ["request_item_id"])
    op.create_index("ix_inspections_status_station_id", "inspections", ["status", "station_id"])

    op.create_table(
        "inspectors",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectors")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_inspector_id_at", "login_failures", ["inspector_id", "at"])

    op.create_table(
        "programs",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("max_items", sa.Integer(), nullable=False),
        sa.Column("max_age_years", sa.Integer(), nullable=False),
        sa.Column("ship_window_days", sa.Integer(), nullable=False),
        sa.Column("quote_valid_days", sa.Integer(), nullable=False),
        sa.Column("revise_response_working_days", sa.Integer(), nullable=False),
        sa.Column("ineligible_disposition", sa.Text(), nullable=False),
        sa.Column("value_cap_cents", sa.BigInteger(), nullable=True),
        sa.Column("brand", sa.Text(), nullable=True),
        sa.Column("grade_percents", sa.JSON(), nullable=False),
        sa.Column("broken_percent", sa.Integer(), nullable=False),
        sa.Column("dirty_percent", sa.Integer(), nullable=False),
        sa.Column("age_step_percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programs")),
    )
    op.create_table(
        "request_items",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("declared_serial", sa.Text(), nullable=True),
        sa.Column("declared_condition", sa.Text(), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=True),
        sa.Column("offer_cents", sa.BigInteger(), nullable=False),
        sa.Column("quoted_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_items")),
    )
    op.create_index(op.f("ix_request_items_request_id"), "request_items", ["request_id"])

    op.create_table(
        "requests",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("program_code", sa.Text(), nullable=False),
        sa.Column("customer_ref", sa.Text(), nullable=False),
        sa.Column("created_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("tracking_number", sa.Text(), nullable=True),
        sa.Column("shipping_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("updated_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    op.create_index(op.f("ix_requests_tracking_number"), "requests", ["tracking_number"])

    op.create_table(
        "sync_cursors",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "inspection_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("answered_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_answers_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_answers")),
    )
    op.create_index(
        op.f("ix_inspection_answers_inspection_id"), "inspection_answers", ["inspection_id"]
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", store.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspections.id"], name=op.f("fk_outbox_inspection_id_inspections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("inspection_id", name=op.f("uq_outbox_inspection_id")),
    )
    op.create_index(op.f("ix_outbox_sent_at"), "outbox", ["sent_at"])

    # The audit log is evidence: the file itself refuses to change or remove an entry, so
    # no code path (ours or a hand-run sqlite3 session) can rewrite history quietly.
    # A later migration that rebuilds audit_log (batch mode) must re-create these.
    for verb in AUDIT_LOCKED:
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def downgrade() -> None:
    for verb in AUDIT_LOCKED:
        op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{verb.lower()}")
    op.drop_index(op.f("ix_outbox_sent_at"), table_name="outbox")

    op.drop_table("outbox")
    op.drop_index(op.f("ix_inspection_answers_inspection_id"), table_name="inspection_answers")

    op.drop_table("inspection_answers")
    op.drop_table("sync_cursors")
    op.drop_index(op.f("ix_requests_tracking_number"), table_name="requests")

    op.drop_table("requests")
    op.drop_index(op.f("ix_request_items_request_id"), table_name="request_items")

    op.drop_table("request_items")
    op.drop_table("programs")
    op.drop_index("ix_login_failures_inspector_id_at", table_name="login_failures")

    op.drop_table("login_failures")
    op.drop_table("inspectors")
    op.drop_index("ix_inspections_status_station_id", table_name="inspections")
    op.drop_index(op.f("ix_inspections_request_item_id"), table_name="inspections")

    op.drop_table("inspections")
    op.drop_table("catalog_models")
    op.drop_index(op.f("ix_catalog_gtins_sku"), table_name="catalog_gtins")

    op.drop_table("catalog_gtins")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")

    op.drop_table("audit_log")
