"""Central contract: programs, catalog, requests, items, inspectors, inspections, heartbeats

Revision ID: 0001
Revises:
Create Date: 2025-11-29
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.sqltypes

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLICATED = ("programs", "catalog_models", "requests", "request_items", "inspectors")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _updated_at() -> sa.Column[Any]:
    return sa.Column(
        "updated_at",
        store.sqltypes.UTCDateTime(),
        server_default=sa.func.now(),
        nullable=False,
    )


def upgrade() -> None:
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
        sa.Column("grade_percents", _json(), nullable=False),
        sa.Column("broken_percent", sa.Integer(), nullable=False),
        sa.Column("dirty_percent", sa.Integer(), nullable=False),
        sa.Column("age_step_percent", sa.Integer(), nullable=False),
        _updated_at(),
        sa.CheckConstraint(
            "kind IN ('trade_up', 'trade_in_credit', 'graded')", name=op.f("ck_programs_kind")
        ),
        sa.CheckConstraint(
            "ineligible_disposition IN ('recycle', 'return')",
            name=op.f("ck_programs_ineligible_disposition"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programs")),
    )
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
        _updated_at(),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_catalog_models_program_code_programs"),
        ),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_catalog_models")),
    )
    op.create_index("ix_catalog_models_gtins", "catalog_models", ["gtins"], postgresql_using="gin")
    op.create_index(op.f("ix_catalog_models_program_code"), "catalog_models", ["program_code"])
    op.create_table(
        "requests",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("program_code", sa.Text(), nullable=False),
        sa.Column("customer_ref", sa.Text(), nullable=False),
        sa.Column("created_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("tracking_number", sa.Text(), nullable=True),
        sa.Column("shipping_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        _updated_at(),
        sa.CheckConstraint(
            "status IN ('submitted', 'in_transit', 'received', 'inspected', 'credited', "
            "'cancelled')",
            name=op.f("ck_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["program_code"], ["programs.code"], name=op.f("fk_requests_program_code_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_requests_tracking_number")),
    )
    op.create_index(op.f("ix_requests_program_code"), "requests", ["program_code"])
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
        _updated_at(),
        sa.CheckConstraint(
            "declared_condition IN ('like_new', 'good', 'fair', 'poor', 'broken')",
            name=op.f("ck_request_items_declared_condition"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_items_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_items")),
    )
    op.create_index(op.f("ix_request_items_request_id"), "request_items", ["request_id"])
    op.create_table(
        "inspectors",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _updated_at(),
        sa.CheckConstraint("role IN ('inspector', 'supervisor')", name=op.f("ck_inspectors_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectors")),
    )
    for table in REPLICATED:
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"])

    op.create_table(
        "inspections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_item_id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("started_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("scanned_code", sa.Text(), nullable=False),
        sa.Column("identified_sku", sa.Text(), nullable=True),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("grade", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reason_codes", store.sqltypes.TextList(), nullable=False),
        sa.Column("final_cents", sa.BigInteger(), nullable=False),
        sa.Column("disposition", sa.Text(), nullable=False),
        sa.Column("wiped", sa.Boolean(), nullable=False),
        sa.Column(
            "received_at",
            store.sqltypes.UTCDateTime(),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "outcome IN ('accept', 'revise', 'reject', 'hold')", name=op.f("ck_inspections_outcome")
        ),
        sa.CheckConstraint(
            "disposition IN ('refurbish', 'recycle', 'return', 'hold')",
            name=op.f("ck_inspections_disposition"),
        ),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('A', 'B', 'C', 'D')", name=op.f("ck_inspections_grade")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(op.f("ix_inspections_request_item_id"), "inspections", ["request_item_id"])
    op.create_index(
        "ix_inspections_station_id_finished_at", "inspections", ["station_id", "finished_at"]
    )
    op.create_index(
        "ix_inspections_inspector_id_finished_at", "inspections", ["inspector_id", "finished_at"]
    )
    op.create_table(
        "station_heartbeats",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("last_seen", store.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("queue_depth", sa.Integer(), nullable=False),
        sa.Column("app_version", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_heartbeats")),
    )

    if op.get_bind().dialect.name == "postgresql":
        # Benches pull by updated_at, so a portal UPDATE that forgets to bump it would never
        # reach a bench. The trigger bumps it unless the writer set a new value itself.
        op.execute(
            """
            CREATE FUNCTION bench_touch_updated_at() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
                    NEW.updated_at := clock_timestamp();
                END IF;
                RETURN NEW;
            END $$
            """
        )
        for table in REPLICATED:
            op.execute(
                f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION bench_touch_updated_at()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in REPLICATED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_touch_updated_at ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bench_touch_updated_at()")
    op.drop_table("station_heartbeats")
    op.drop_table("inspections")
    op.drop_table("inspectors")
    op.drop_table("request_items")
    op.drop_table("requests")
    op.drop_table("catalog_models")
    op.drop_table("programs")
