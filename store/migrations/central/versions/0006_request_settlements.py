"""Request settlements: the view the portal issues refunds and discount codes from

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`request_settlements` has one row per request (a cancelled one has none: nothing is owed
on it), computed from the latest inspection of each of its items, the one no other
inspection supersedes (DESIGN.md, "Central database contract"). The bench's own
`bench.settlement.settle` follows the same rules for the request screen, and a property
test holds the two to the same answers. Decided here, where DESIGN.md is silent:

* A conflict (an item with two latest inspections, neither superseding the other) counts
  in `items_held`, not in `items_revised`, and adds nothing to `amount_cents` until a
  supervisor supersedes one of them; the request is `on_hold` meanwhile.
* `amount_cents` sums the `final_cents` of accepted and revised items for every kind
  (rejects and holds pay 0 anyway); trade-in credit less `shipping_cost_cents`, never
  below 0. While a request is pending or on hold it is the amount so far, not a promise.
* A request with no items stays `pending` with `amount_cents` 0 and no `ready_on`: there
  is nothing to issue, and a discount code of $0.00 must never go out for it.
* A revise without a `response_due_on` (pushed by a bench from before migration 0004)
  waits for nothing.
* Dates: "today" is the database's CURRENT_DATE, and "the day the last item was
  inspected" is the date of the latest `finished_at` in the same time zone, so the two
  always agree: PostgreSQL's session `TimeZone` (set it for the portal's sessions, or
  on the database, to the warehouse's zone), UTC on SQLite. The request is
  `awaiting_customer` up to and including its last `response_due_on`, the customer's
  last day to reject; `ready_on` is NULL while pending or on hold, else the later of the
  day after the last `response_due_on` and the day the last item was inspected.

The index on `inspections.supersedes` keeps "no other inspection supersedes it" a lookup.

A later migration that alters `inspections`, `request_items`, `requests` or `programs` in
batch mode (SQLite rebuilds the table: copy, drop, rename) must drop this view first and
create it again after: SQLite refuses to rename a table into place while a view names it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The only SQL the two databases write differently: date arithmetic.
DATES = {
    "postgresql": {"next_day": "{} + 1", "day_of": "CAST({} AS DATE)"},
    "sqlite": {"next_day": "date({}, '+1 day')", "day_of": "date({})"},
}

VIEW = """
CREATE VIEW request_settlements AS
WITH latest AS (
    SELECT i.request_item_id, i.outcome, i.final_cents, i.response_due_on, i.finished_at
    FROM inspections AS i
    WHERE NOT EXISTS (SELECT 1 FROM inspections AS later WHERE later.supersedes = i.id)
),
per_item AS (
    SELECT it.request_id,
           it.id AS item_id,
           COUNT(l.request_item_id) AS latest,
           SUM(CASE WHEN l.outcome = 'hold' THEN 1 ELSE 0 END) AS holds,
           SUM(CASE WHEN l.outcome = 'revise' THEN 1 ELSE 0 END) AS revisions,
           SUM(CASE WHEN l.outcome IN ('accept', 'revise') THEN l.final_cents ELSE 0 END)
               AS paid_cents,
           MAX(l.response_due_on) AS due_on,
           MAX(l.finished_at) AS finished_at
    FROM request_items AS it
    LEFT JOIN latest AS l ON l.request_item_id = it.id
    GROUP BY it.request_id, it.id
),
per_request AS (
    SELECT r.id AS request_id,
           r.program_code,
           p.kind AS program_kind,
           r.shipping_cost_cents,
           COUNT(pi.item_id) AS items,
           COALESCE(SUM(CASE WHEN pi.latest > 0 THEN 1 ELSE 0 END), 0) AS items_inspected,
           -- a conflict is held for a supervisor, whatever its inspections decided
           COALESCE(SUM(CASE WHEN pi.latest > 1 OR pi.holds > 0 THEN 1 ELSE 0 END), 0)
               AS items_held,
           COALESCE(SUM(CASE WHEN pi.latest = 1 AND pi.revisions = 1 THEN 1 ELSE 0 END), 0)
               AS items_revised,
           COALESCE(SUM(CASE WHEN pi.latest = 1 THEN pi.paid_cents ELSE 0 END), 0)
               AS confirmed_cents,
           MAX(CASE WHEN pi.latest = 1 AND pi.revisions = 1 THEN pi.due_on END) AS due_on,
           MAX(pi.finished_at) AS finished_at
    FROM requests AS r
    JOIN programs AS p ON p.code = r.program_code
    LEFT JOIN per_item AS pi ON pi.request_id = r.id
    WHERE r.status <> 'cancelled'
    GROUP BY r.id, r.program_code, p.kind, r.shipping_cost_cents
)
SELECT request_id,
       program_code,
       CASE WHEN program_kind = 'trade_in_credit' THEN 'discount_code' ELSE 'refund' END
           AS kind,
       items,
       items_inspected,
       items_held,
       items_revised,
       CAST(CASE WHEN program_kind <> 'trade_in_credit' THEN confirmed_cents
                 WHEN confirmed_cents > shipping_cost_cents
                     THEN confirmed_cents - shipping_cost_cents
                 ELSE 0 END AS BIGINT) AS amount_cents,
       CASE WHEN items = 0 OR items_inspected < items THEN 'pending'
            WHEN items_held > 0 THEN 'on_hold'
            WHEN due_on >= CURRENT_DATE THEN 'awaiting_customer'
            ELSE 'ready' END AS status,
       CASE WHEN items = 0 OR items_inspected < items OR items_held > 0 THEN NULL
            WHEN due_on IS NOT NULL AND {next_due} > {last_day} THEN {next_due}
            ELSE {last_day} END AS ready_on
FROM per_request
"""


def upgrade() -> None:
    dates = DATES[op.get_context().dialect.name]
    op.create_index(op.f("ix_inspections_supersedes"), "inspections", ["supersedes"])
    op.execute(
        VIEW.format(
            next_due=dates["next_day"].format("due_on"),
            last_day=dates["day_of"].format("finished_at"),
        )
    )


def downgrade() -> None:
    op.execute("DROP VIEW request_settlements")
    op.drop_index(op.f("ix_inspections_supersedes"), table_name="inspections")
