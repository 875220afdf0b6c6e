"""Central's `request_settlements` (migration 0006), on SQLite and PostgreSQL.

Requests of all three program kinds are written as the portal writes them; their
inspections come from two stations through the real push; each row of the view is
checked against a recount worked out here from DESIGN.md's words, due dates set
relative to the database's own CURRENT_DATE. Then the bench's `bench.settlement.settle`
is held to the view's answers on random requests (BENCH_PROPERTY_EXAMPLES, default 25).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, insert, text

from bench import __version__
from bench.domain import (
    Decision,
    Disposition,
    FinishedInspection,
    Outcome,
    ProgramKind,
    ProgramPolicy,
    Request,
    RequestStatus,
)
from bench.settlement import settle
from store.central import (
    central_engine,
    init_central,
    inspection_table,
    item_table,
    request_table,
    write_demo_data,
)
from store.local import LocalStore
from store.sync import SyncEngine
from tests.support.factories import (
    graded_program,
    request_of_alike_items,
    trade_in_credit_program,
    trade_up_program,
)
from tests.support.inspections import finished
from tests.support.store_helpers import rechain

EXAMPLES = int(os.environ.get("BENCH_PROPERTY_EXAMPLES", "25"))
TRADE_UP, CREDIT, GRADED = trade_up_program(), trade_in_credit_program(), graded_program()
PROGRAMS = {p.kind: p for p in (TRADE_UP, CREDIT, GRADED)}
CREATED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ACCEPT, REVISE, REJECT, HOLD = Outcome.ACCEPT, Outcome.REVISE, Outcome.REJECT, Outcome.HOLD


@pytest.fixture
def central(central_url: str) -> Iterator[Engine]:
    init_central(central_url)
    engine = central_engine(central_url)
    write_demo_data(engine, list(PROGRAMS.values()), [], [], [])
    yield engine
    engine.dispose()


def database_today(conn: Connection) -> date:
    return as_date(conn.execute(text("SELECT CURRENT_DATE")).scalar_one())


def as_date(value: Any) -> date:
    """A DATE as the database hands it over: a date (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def settlements(conn: Connection) -> dict[str, dict[str, Any]]:
    found = conn.execute(text("SELECT * FROM request_settlements ORDER BY request_id"))
    rows = {row["request_id"]: dict(row) for row in found.mappings()}
    for row in rows.values():
        row["ready_on"] = None if row["ready_on"] is None else as_date(row["ready_on"])
    return rows


def noon(day: date) -> datetime:
    """Midday UTC: the same date in any time zone a warehouse is in."""
    return datetime.combine(day, time(12), UTC)


# --- the scenario: every case the contract names ----------------------------------------


@dataclass(frozen=True)
class Inspected:
    """One inspection of the scenario: of `item`, deciding `outcome` worth `cents`, finished
    `days_ago` days before central's today; a revise is due `due_in` days from today;
    `replaces` is the key of the inspection it supersedes (a supervisor's reopen)."""

    key: str
    item: str
    outcome: Outcome
    cents: int = 0
    days_ago: int = 1
    due_in: int | None = None
    station: str = "B-07"
    replaces: str | None = None


def request(
    request_id: str,
    program: ProgramPolicy,
    items: int,
    shipping: int,
    status: RequestStatus = RequestStatus.RECEIVED,
) -> Request:
    return request_of_alike_items(
        request_id, program.code, "ANY-SKU", items, created_at=CREATED, offer_cents=1500,
        shipping_cost_cents=shipping, status=status,
    )  # fmt: skip


REQUESTS = (
    request("TI-000101", TRADE_UP, 1, 809),  # accepted: the refund is ready
    request("TI-000102", TRADE_UP, 1, 809),  # held for review
    request("TI-000103", TRADE_UP, 1, 809),  # not inspected yet
    request("TI-000104", TRADE_UP, 1, 809),  # two benches, one item: a conflict
    request("TI-000105", TRADE_UP, 1, 809),  # held, then reopened and accepted
    request("TI-000201", CREDIT, 3, 959),  # one rejected, two accepted, less shipping
    request("TI-000202", CREDIT, 1, 1319),  # shipping larger than the credit
    request("TI-000203", CREDIT, 2, 869),  # one of two inspected: the amount so far
    request("TI-000204", CREDIT, 0, 699),  # no items
    request("TI-000205", CREDIT, 1, 699, RequestStatus.CANCELLED),  # nothing owed
    request("TI-000206", CREDIT, 1, 699),  # accepted, reopened, rejected, reopened, accepted
    request("TI-000301", GRADED, 1, 729),  # revised, due in 3 days: the customer may reject
    request("TI-000302", GRADED, 1, 729),  # revised, due today: still the customer's day
    request("TI-000303", GRADED, 1, 729),  # revised, due yesterday: silence accepted it
    request("TI-000304", GRADED, 1, 729),  # accepted as quoted
    request("TI-000305", GRADED, 1, 729),  # revised, then reopened and accepted
)
INSPECTIONS = (
    Inspected("tu-accept", "TI-000101-01", ACCEPT, 1500, days_ago=2),
    Inspected("tu-hold", "TI-000102-01", HOLD),
    Inspected("tu-b07", "TI-000104-01", ACCEPT, 1500),
    Inspected("tu-b08", "TI-000104-01", ACCEPT, 1500, station="B-08"),
    Inspected("tu-held", "TI-000105-01", HOLD, days_ago=3),
    Inspected("tu-reopened", "TI-000105-01", ACCEPT, 1500, station="B-08", replaces="tu-held"),
    Inspected("tc-reject", "TI-000201-01", REJECT, days_ago=2),
    Inspected("tc-accept-2", "TI-000201-02", ACCEPT, 1920, days_ago=2),
    Inspected("tc-accept-3", "TI-000201-03", ACCEPT, 1760, days_ago=1),
    Inspected("tc-small", "TI-000202-01", ACCEPT, 1200),
    Inspected("tc-half", "TI-000203-01", ACCEPT, 2800),
    Inspected("tc-cancelled", "TI-000205-01", ACCEPT, 2800),
    Inspected("tc-first", "TI-000206-01", ACCEPT, 1440, days_ago=4),
    Inspected("tc-second", "TI-000206-01", REJECT, days_ago=3, replaces="tc-first"),
    Inspected("tc-third", "TI-000206-01", ACCEPT, 1440, days_ago=2, replaces="tc-second"),
    Inspected("gr-ahead", "TI-000301-01", REVISE, 924, days_ago=2, due_in=3),
    Inspected("gr-today", "TI-000302-01", REVISE, 1344, days_ago=7, due_in=0),
    Inspected("gr-passed", "TI-000303-01", REVISE, 1344, days_ago=8, due_in=-1),
    Inspected("gr-accept", "TI-000304-01", ACCEPT, 4000),
    Inspected("gr-revised", "TI-000305-01", REVISE, 924, days_ago=3, due_in=3),
    Inspected("gr-reopened", "TI-000305-01", ACCEPT, 1600, replaces="gr-revised"),
)
# What the contract says of each, in its words (the recount below says why, column by column).
EXPECTED = {
    "TI-000101": ("ready", 1500),
    "TI-000102": ("on_hold", 0),
    "TI-000103": ("pending", 0),
    "TI-000104": ("on_hold", 0),
    "TI-000105": ("ready", 1500),
    "TI-000201": ("ready", 1920 + 1760 - 959),
    "TI-000202": ("ready", 0),
    "TI-000203": ("pending", 2800 - 869),
    "TI-000204": ("pending", 0),
    "TI-000206": ("ready", 1440 - 699),
    "TI-000301": ("awaiting_customer", 924),
    "TI-000302": ("awaiting_customer", 1344),
    "TI-000303": ("ready", 1344),
    "TI-000304": ("ready", 4000),
    "TI-000305": ("ready", 1600),
}


def decision(outcome: Outcome, cents: int, due: date | None) -> Decision:
    disposition = Disposition.HOLD if outcome is HOLD else Disposition.REFURBISH
    return Decision(outcome, cents, disposition, (), due)


def finished_as(inspected: Inspected, inspection_id: str, today: date) -> FinishedInspection:
    done = finished(0, inspected.station, inspected.item)
    at = noon(today - timedelta(days=inspected.days_ago))
    due = None if inspected.due_in is None else today + timedelta(days=inspected.due_in)
    return dataclasses.replace(
        done,
        started=dataclasses.replace(done.started, id=inspection_id, started_at=at),
        finished_at=at + timedelta(minutes=3),
        decision=decision(inspected.outcome, inspected.cents, due),
    )


def push_from_stations(
    url: str, folder: Path, inspections: Sequence[Inspected], today: date
) -> None:
    """Each station confirms its inspections locally and pushes them, as the bench does."""
    ids = {i.key: str(uuid.uuid4()) for i in inspections}
    for station in sorted({i.station for i in inspections}):
        local = LocalStore.open(folder / f"{station}.db")
        sync = SyncEngine(local, url, station, app_version=__version__)
        try:
            for inspected in (i for i in inspections if i.station == station):
                local.finish_inspection(finished_as(inspected, ids[inspected.key], today))
                if inspected.replaces is not None:
                    # What a supervisor's reopen queues: the push carries `supersedes`.
                    with local.engine.begin() as conn:
                        conn.exec_driver_sql(
                            "UPDATE outbox SET payload = json_set(payload, '$.supersedes', ?) "
                            "WHERE inspection_id = ?",
                            (ids[inspected.replaces], ids[inspected.key]),
                        )
                    rechain(local, ids[inspected.key])
            state = sync.run_once(pull=False)
        finally:
            sync.close()
            local.close()
        assert state.online and state.queued == 0 and state.dead == 0, state


def recount(request: Request, pushed: Sequence[Inspected], today: date) -> dict[str, Any]:
    """The request's settlement worked out from the contract's words, one step at a time."""
    program = next(p for p in PROGRAMS.values() if p.code == request.program_code)
    superseded = {i.replaces for i in pushed}
    latest = {
        item.id: [i for i in pushed if i.item == item.id and i.key not in superseded]
        for item in request.items
    }
    inspected = [found for found in latest.values() if found]
    conflicts = [found for found in inspected if len(found) > 1]
    alone = [found[0] for found in inspected if len(found) == 1]
    held = len(conflicts) + len([i for i in alone if i.outcome is HOLD])
    revised = [i for i in alone if i.outcome is REVISE]
    paid = sum(i.cents for i in alone if i.outcome in (ACCEPT, REVISE))
    credit = program.kind is ProgramKind.TRADE_IN_CREDIT
    dues = [today + timedelta(days=i.due_in) for i in revised if i.due_in is not None]
    if not latest or len(inspected) < len(latest):
        status, ready_on = "pending", None
    elif held:
        status, ready_on = "on_hold", None
    else:
        last_day = today - timedelta(days=min(i.days_ago for found in inspected for i in found))
        status = "awaiting_customer" if dues and max(dues) >= today else "ready"
        ready_on = max([last_day, *(due + timedelta(days=1) for due in dues)])
    return {
        "request_id": request.id,
        "program_code": program.code,
        "kind": "discount_code" if credit else "refund",
        "items": len(latest),
        "items_inspected": len(inspected),
        "items_held": held,
        "items_revised": len(revised),
        "amount_cents": max(0, paid - request.shipping_cost_cents) if credit else paid,
        "status": status,
        "ready_on": ready_on,
    }


class TestRequestSettlements:
    def test_every_row_matches_the_recount(
        self, central: Engine, central_url: str, tmp_path: Path
    ) -> None:
        write_demo_data(central, [], [], REQUESTS, [])
        with central.connect() as conn:
            today = database_today(conn)
        push_from_stations(central_url, tmp_path, INSPECTIONS, today)

        with central.connect() as conn:
            rows = settlements(conn)

        assert "TI-000205" not in rows  # cancelled: nothing is owed
        live = [r for r in REQUESTS if r.status is not RequestStatus.CANCELLED]
        assert list(rows) == [r.id for r in live]
        for settled in live:
            assert rows[settled.id] == recount(settled, INSPECTIONS, today), settled.id
        assert {k: (r["status"], r["amount_cents"]) for k, r in rows.items()} == EXPECTED
        # The dates the portal pays on: the day after the customer's last day to reject,
        # or the day the last item was inspected.
        assert rows["TI-000301"]["ready_on"] == today + timedelta(days=4)
        assert rows["TI-000302"]["ready_on"] == today + timedelta(days=1)
        assert rows["TI-000303"]["ready_on"] == today
        assert rows["TI-000201"]["ready_on"] == today - timedelta(days=1)
        assert rows["TI-000104"]["items_held"] == 1 and rows["TI-000104"]["ready_on"] is None

    @pytest.mark.postgres
    def test_the_inspection_day_is_in_the_time_zone_of_today(
        self, pg_url: str, tmp_path: Path
    ) -> None:
        init_central(pg_url)
        engine = central_engine(pg_url)
        try:
            write_demo_data(engine, [TRADE_UP], [], [REQUESTS[0]], [])
            with engine.connect() as conn:
                today = database_today(conn)
            push_from_stations(pg_url, tmp_path, [INSPECTIONS[0]], today)  # 12:03 UTC
            with engine.connect() as conn:
                in_utc = settlements(conn)["TI-000101"]["ready_on"]
                # UTC+14: 12:03 UTC there is 02:03 the next morning.
                conn.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))
                ahead = settlements(conn)["TI-000101"]["ready_on"]
        finally:
            engine.dispose()
        assert in_utc == today - timedelta(days=2)
        assert ahead == today - timedelta(days=1)


# --- the bench's settlement agrees with the view ----------------------------------------


@dataclass(frozen=True)
class Drawn:
    """A random inspection of an item: `replaces` indexes an earlier one of the same item."""

    outcome: Outcome
    cents: int
    days_ago: int
    due_in: int | None
    replaces: int | None


@st.composite
def drawn_inspections(draw: st.DrawFn) -> list[Drawn]:
    found: list[Drawn] = []
    # Mostly one inspection, so that many requests get past pending to the rules after it.
    for n in range(draw(st.sampled_from((0, 1, 1, 1, 2, 3)))):
        outcome = draw(st.sampled_from(Outcome))
        paid = outcome in (ACCEPT, REVISE)
        found.append(
            Drawn(
                outcome,
                draw(st.integers(0, 6000)) if paid else 0,
                draw(st.integers(0, 10)),
                # Due yesterday, today (the customer's last day), tomorrow; or no due date.
                draw(st.sampled_from((None, -1, 0, 0, 1, 3))) if outcome is REVISE else None,
                draw(st.one_of(st.none(), st.integers(0, n - 1))) if n else None,
            )
        )
    return found


DRAWN_REQUESTS = st.lists(
    st.tuples(
        st.sampled_from(ProgramKind),
        st.integers(0, 3000),
        st.lists(drawn_inspections(), max_size=3),
    ),
    min_size=1,
    max_size=3,
)


def write_drawn(
    conn: Connection, drawn: list[tuple[ProgramKind, int, list[list[Drawn]]]], today: date
) -> list[tuple[str, ProgramKind, int, list[str], list[tuple[str, Decision, datetime]]]]:
    """Write the drawn requests, items and inspections as central rows; return each
    request with its items and its latest inspections (item, decision, finished at)."""
    for table in (inspection_table, item_table, request_table):
        conn.execute(delete(table))
    written = []
    for n, (kind, shipping, items) in enumerate(drawn):
        request_id = f"TI-{n:06d}"
        conn.execute(
            insert(request_table),
            [{"id": request_id, "program_code": PROGRAMS[kind].code, "customer_ref": "C",
              "created_at": CREATED, "shipping_cost_cents": shipping, "status": "received"}],
        )  # fmt: skip
        item_ids, latest = [], []
        for m, inspections in enumerate(items):
            item_id = f"{request_id}-{m + 1:02d}"
            item_ids.append(item_id)
            conn.execute(
                insert(item_table),
                [{"id": item_id, "request_id": request_id, "sku": "ANY-SKU",
                  "declared_condition": "good", "offer_cents": 1500, "quoted_at": CREATED}],
            )  # fmt: skip
            ids = [uuid.uuid4() for _ in inspections]
            superseded = {d.replaces for d in inspections}
            for k, d in enumerate(inspections):
                at = noon(today - timedelta(days=d.days_ago))
                due = None if d.due_in is None else today + timedelta(days=d.due_in)
                conn.execute(
                    insert(inspection_table),
                    [{"id": ids[k], "request_item_id": item_id, "station_id": "B-07",
                      "inspector_id": "EMP-0001", "started_at": at, "finished_at": at,
                      "scanned_code": "", "answers": [], "outcome": d.outcome.value,
                      "reason_codes": [], "final_cents": d.cents, "disposition": "hold",
                      "wiped": False, "response_due_on": due,
                      "supersedes": None if d.replaces is None else ids[d.replaces]}],
                )  # fmt: skip
                if k not in superseded:
                    latest.append((item_id, decision(d.outcome, d.cents, due), at))
        written.append((request_id, kind, shipping, item_ids, latest))
    return written


class TestTheBenchAgreesWithCentral:
    @given(drawn=DRAWN_REQUESTS)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    def test_settle_gives_the_views_row_for_random_requests(
        self, central: Engine, drawn: list[tuple[ProgramKind, int, list[list[Drawn]]]]
    ) -> None:
        with central.begin() as conn:
            today = database_today(conn)
            written = write_drawn(conn, drawn, today)
            rows = settlements(conn)
        for request_id, kind, shipping, items, latest in written:
            bench = settle(kind, shipping, items, [(i, d) for i, d, _ in latest], today)
            row = rows[request_id]
            assert (
                row["kind"], row["items"], row["items_inspected"], row["items_held"],
                row["items_revised"], row["amount_cents"], row["status"],
            ) == (
                bench.kind.value, bench.items, bench.items_inspected, bench.items_held,
                bench.items_revised, bench.amount_cents, bench.status.value,
            ), request_id  # fmt: skip
            if bench.status.value in ("pending", "on_hold"):
                assert row["ready_on"] is None
            else:
                last_day = max(at for _, _, at in latest).date()
                after_due = (
                    [bench.awaiting_until + timedelta(days=1)] if bench.awaiting_until else []
                )
                assert row["ready_on"] == max([last_day, *after_due])
