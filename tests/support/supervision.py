"""A small site for the supervisor's figures, and the figures recounted by hand.

Three stations and four inspectors over six hours of one Tuesday (New York time, the week of
Thanksgiving 2026), every outcome, a reopened item (a chain of two supersedes), holds (one
past the ship window), an item inspected by two benches, revised quotes past due, due
today and due in three days, a request with an item nobody inspected, and one received with
nothing inspected. The rows have the contract's columns only, as any writer of central would
write them; `seed_central` and `seed_station` put the same rows in central or in a station's
file. The `recount_*` functions work each figure out again from the rows, in plain Python.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import Engine, insert

from bench.supervision import SupervisionSettings
from store.central import conflict_table, inspection_table, item_table, request_table
from store.central import program_table as central_programs
from store.local import LocalStore, outbox_table, quarantine_table
from store.local import inspection_table as local_inspections

NEW_YORK = ZoneInfo("America/New_York")
SETTINGS = SupervisionSettings(
    time_zone=NEW_YORK, country="US", subdivision=None, heartbeat_stale_after=timedelta(minutes=5)
)
# Wednesday 25 Nov 2026; Thanksgiving is Thursday 26 Nov.
TODAY = date(2026, 11, 25)
SHIFT = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 08:00 in New York
SINCE, UNTIL = SHIFT, SHIFT + timedelta(hours=8)
STATIONS = ("B-01", "B-02", "B-03")
INSPECTORS = ("EMP-0001", "EMP-0002", "EMP-0003", "EMP-0004")
OUTCOMES = ("accept", "revise", "reject", "hold")
DISPOSITION = {"accept": "refurbish", "revise": "refurbish", "reject": "recycle", "hold": "hold"}
REOPENED = "TI-000001-01"  # inspected three times: a hold, reopened twice
TWICE = "TI-000002-01"  # inspected by two benches, neither replacing the other
LEFT_OUT = "TI-000019-02"  # its request's other item was inspected
LATE = "TI-000002-02"  # held: the parcel came after the ship window
UNTOUCHED = "TI-000021"  # received, says the portal, and no bench inspected any of it
REQUESTS = 21
OLD_HOLD = SHIFT - timedelta(days=3)  # TI-000020-01 held then, and still
# When the portal last changed the requests (marked them received): two days before.
PORTAL_UPDATED = SHIFT - timedelta(days=2)

PROGRAM = {
    "code": "WYZE-UP", "name": "Trade-up", "kind": "trade_up", "max_items": 2,
    "max_age_years": 4, "ship_window_days": 14, "quote_valid_days": 14,
    "revise_response_working_days": 5, "ineligible_disposition": "recycle",
    "value_cap_cents": None,
}  # fmt: skip


def item_ids() -> list[str]:
    return [f"TI-{r:06d}-{i:02d}" for r in range(1, REQUESTS + 1) for i in (1, 2)]


def request_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": f"TI-{r:06d}", "program_code": "WYZE-UP", "customer_ref": f"C{r}",
            "created_at": SHIFT - timedelta(days=3), "tracking_number": None,
            "shipping_cost_cents": 959, "status": "received", "updated_at": PORTAL_UPDATED,
        }
        for r in range(1, REQUESTS + 1)
    ]  # fmt: skip


def item_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": item, "request_id": item[:9], "sku": "WYZE-PAN-V2", "declared_serial": None,
            "declared_condition": "good", "purchased_on": None, "offer_cents": 1500,
            "quoted_at": SHIFT - timedelta(days=3),
        }
        for item in item_ids()
    ]  # fmt: skip


def _inspection(
    n: int, item: str, station: str, inspector: str, outcome: str, finished_at: datetime,
    seconds: float, reasons: tuple[str, ...] = (), due_on: date | None = None,
    supersedes: uuid.UUID | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": uuid.UUID(int=n + 1),
        "request_item_id": item,
        "station_id": station,
        "inspector_id": inspector,
        "started_at": finished_at - timedelta(seconds=seconds),
        "finished_at": finished_at,
        "scanned_code": f"SN{n:06d}",
        "identified_sku": "WYZE-PAN-V2",
        "answers": [],
        "grade": None,
        "outcome": outcome,
        "reason_codes": list(reasons),
        "final_cents": {"accept": 1500, "revise": 1344}.get(outcome, 0),
        "disposition": DISPOSITION[outcome],
        "wiped": False,
        "received_at": finished_at,
        "response_due_on": due_on,
        "supersedes": supersedes,
    }


def _due(n: int) -> date:
    """The revisions' due dates: past, today, in three days, then a fortnight on."""
    return {1: TODAY - timedelta(days=2), 5: TODAY, 9: TODAY + timedelta(days=3)}.get(
        n, TODAY + timedelta(days=14)
    )


def inspection_rows() -> list[dict[str, Any]]:
    items = item_ids()
    rows = []
    # Items 0..36: every item of requests 1-18 and the first of 19 (the second is left out).
    for n in range(37):
        outcome = OUTCOMES[n % 4]
        reasons: tuple[str, ...] = {
            "revise": ("condition_differs",),
            "reject": ("too_old",),
            "hold": ("arrived_late",) if items[n] == LATE else ("serial_mismatch",),
        }.get(outcome, ())
        # 10 minutes apart from 08:00: the shift's hours each have some; every fifth
        # took a whole number and a half of seconds, so the median rounds half up.
        rows.append(
            _inspection(
                n, items[n], STATIONS[n % 3], INSPECTORS[n % 4], outcome,
                SHIFT + timedelta(minutes=10 * n + 3), 45 + (n * 53) % 400 + (n % 5 == 0) / 2,
                reasons, _due(n) if outcome == "revise" else None,
            )
        )  # fmt: skip
    first = rows[0]["id"]  # REOPENED, accepted at first
    later = SHIFT + timedelta(hours=7)
    rows.append(_inspection(100, REOPENED, "B-02", "EMP-0002", "hold", later, 120,
                            ("wrong_item",), supersedes=first))  # fmt: skip
    reopened = rows[-1]["id"]
    rows.append(_inspection(101, REOPENED, "B-02", "EMP-0002", "accept",
                            later + timedelta(minutes=20), 95, supersedes=reopened))  # fmt: skip
    rows.append(_inspection(102, TWICE, "B-01", "EMP-0003", "accept",
                            later + timedelta(minutes=5), 61))  # fmt: skip
    # Three days before: outside the window, and still held (stuck things are old).
    rows.append(_inspection(103, items[38], "B-01", "EMP-0001", "hold", OLD_HOLD, 50,
                            ("serial_mismatch",)))  # fmt: skip
    return rows


def seed_central(engine: Engine) -> list[dict[str, Any]]:
    """The site at central; the conflict flagged as the push flags it. Returns the rows."""
    rows = inspection_rows()
    with engine.begin() as conn:
        conn.execute(insert(central_programs), [PROGRAM])
        conn.execute(insert(request_table), request_rows())
        conn.execute(insert(item_table), item_rows())
        conn.execute(insert(inspection_table), rows)
        detected = max(r["finished_at"] for r in rows if r["request_item_id"] == TWICE)
        conn.execute(
            insert(conflict_table),
            [{"request_item_id": TWICE, "detected_at": detected, "inspections": 2}],
        )
    return rows


@dataclass
class Station:
    """What `seed_station` wrote: the rows of this bench, its dead letters, its refusals."""

    rows: list[dict[str, Any]]
    dead: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # item -> (when, why)
    quarantined: list[tuple[str, str, datetime]] = field(default_factory=list)
    queued: int = 0


def seed_station(store: LocalStore, station_id: str) -> Station:
    """This station's share of the site in its own file: its inspections (finished), the
    replica, two results central refused, one still queued and two refused pulls."""
    mine = [r for r in inspection_rows() if r["station_id"] == station_id]
    store.write_replica_rows("programs", [PROGRAM | {
        "grade_percents": {"A": 100, "B": 80, "C": 55, "D": 30}, "broken_percent": 15,
        "dirty_percent": 85, "age_step_percent": 10, "updated_at": SHIFT,
    }])  # fmt: skip
    store.write_replica_rows("requests", request_rows())
    store.write_replica_rows("request_items", [r | {"updated_at": SHIFT} for r in item_rows()])
    local_rows = [
        {key: value for key, value in r.items() if key not in ("answers", "received_at",
                                                                "supersedes")}
        | {"id": str(r["id"]), "status": "finished"}
        for r in mine
    ]  # fmt: skip
    station = Station(rows=mine)
    with store.engine.begin() as conn:
        conn.execute(insert(local_inspections), local_rows)
        outbox = []
        for place, row in enumerate(mine[:3]):
            dead_at = row["finished_at"] + timedelta(minutes=1) if place < 2 else None
            error = "central refused: check constraint" if dead_at else None
            if dead_at is not None and error is not None:
                station.dead[row["request_item_id"]] = (dead_at, error)
            outbox.append({
                "inspection_id": str(row["id"]), "payload": {}, "created_at": row["finished_at"],
                "attempts": 1, "last_error": error, "dead_at": dead_at,
            })  # fmt: skip
        station.queued = 1
        conn.execute(insert(outbox_table), outbox)
        refused = [("requests", "TI-000099", SHIFT + timedelta(hours=1)),
                   ("request_items", "TI-000098-01", SHIFT + timedelta(hours=2))]  # fmt: skip
        conn.execute(insert(quarantine_table), [
            {"table_name": t, "row_key": k, "reason": "offer_cents: below 0",
             "updated_at_central": None, "seen_at": at}
            for t, k, at in refused
        ])  # fmt: skip
        station.quarantined = refused
    return station


# --- the figures, recounted -----------------------------------------------------------


def half_up(seconds: float) -> int:
    return int(Decimal(str(seconds)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def in_window(rows: list[dict[str, Any]], since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [r for r in rows if since <= r["finished_at"] < until]


def recount_throughput(
    rows: list[dict[str, Any]], since: datetime, until: datetime, by_inspector: bool = True
) -> list[dict[str, Any]]:
    """Per (station, inspector), or per station (inspector ""): counts by outcome, the
    median time taken rounded half up, the items per hour of the window and the count of
    its last hour, sorted."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in in_window(rows, since, until):
        groups[(r["station_id"], r["inspector_id"] if by_inspector else "")].append(r)
    hours = (until - since).total_seconds() / 3600
    out = []
    for (station, inspector), group in sorted(groups.items()):
        outcomes = Counter(r["outcome"] for r in group)
        taken = [(r["finished_at"] - r["started_at"]).total_seconds() for r in group]
        out.append({
            "station_id": station, "inspector_id": inspector, "inspections": len(group),
            **{o: outcomes[o] for o in OUTCOMES},
            "median_seconds": half_up(statistics.median(taken)),
            "items_per_hour": round(len(group) / hours, 2),
            "last_hour": sum(r["finished_at"] >= until - timedelta(hours=1) for r in group),
        })  # fmt: skip
    return out


def recount_hourly(
    rows: list[dict[str, Any]], since: datetime, until: datetime
) -> list[tuple[datetime, str, int]]:
    counts = Counter(
        (r["finished_at"].astimezone(NEW_YORK).replace(minute=0, second=0, microsecond=0),
         r["station_id"])
        for r in in_window(rows, since, until)
    )  # fmt: skip
    return sorted((hour, station, n) for (hour, station), n in counts.items())


def latest(rows: list[dict[str, Any]], by_supersedes: bool) -> list[dict[str, Any]]:
    """Each item's latest inspections: central's, not superseded by another; a station's,
    the last it finished of the item."""
    if by_supersedes:
        replaced = {r["supersedes"] for r in rows}
        return [r for r in rows if r["id"] not in replaced]
    last: dict[str, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: (r["finished_at"], str(r["id"]))):
        last[r["request_item_id"]] = r
    return list(last.values())


def recount_stuck(
    rows: list[dict[str, Any]], by_supersedes: bool
) -> list[tuple[str, str | None, str | None, datetime]]:
    """(kind, request, item, since) of holds, late parcels, conflicts, left-out items and
    requests received with nothing inspected (all marked received by the portal)."""
    found: list[tuple[str, str | None, str | None, datetime]] = []
    newest = latest(rows, by_supersedes)
    for r in newest:
        if r["outcome"] == "hold":
            kind = "arrived_late" if "arrived_late" in r["reason_codes"] else "on_hold"
            found.append((kind, r["request_item_id"][:9], r["request_item_id"], r["finished_at"]))
    per_item = Counter(r["request_item_id"] for r in newest)
    for item, n in per_item.items():
        if n > 1:
            when = max(r["finished_at"] for r in rows if r["request_item_id"] == item)
            found.append(("conflict", item[:9], item, when))
    inspected = {r["request_item_id"] for r in rows}
    for request in sorted({item[:9] for item in item_ids()} - {i[:9] for i in inspected}):
        found.append(("received", request, None, PORTAL_UPDATED))
    for item in item_ids():
        siblings = [r for r in rows if r["request_item_id"][:9] == item[:9]]
        if item not in inspected and siblings:
            found.append(("not_inspected", item[:9], item, min(r["finished_at"] for r in siblings)))
    return sorted(found, key=lambda line: (line[3], line[0], line[2] or ""))


def working_days(today: date, due_on: date) -> int:
    us = holidays.country_holidays("US", years=today.year)
    days = (today + timedelta(days=d) for d in range((due_on - today).days + 1))
    return sum(day.weekday() < 5 and day not in us for day in days)


def recount_quotes(
    rows: list[dict[str, Any]], by_supersedes: bool, today: date
) -> list[tuple[str, date, int, bool]]:
    """(item, due, working days left, past due) of the latest revisions due from a week
    ago on, soonest first."""
    return sorted(
        (r["request_item_id"], r["response_due_on"], working_days(today, r["response_due_on"]),
         r["response_due_on"] < today)
        for r in latest(rows, by_supersedes)
        if r["outcome"] == "revise" and r["response_due_on"] >= today - timedelta(days=7)
    )  # fmt: skip
