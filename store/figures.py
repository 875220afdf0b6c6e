"""The SQL both sources of the supervisor's figures share: central's and the station's.

Central's `inspections` and the station's have the same columns for everything the
figures read (station, inspector, start, finish, outcome, reasons, value, due date), and
both databases' `request_items` say which request an item is of. So each figure is one
query here, given the table and what makes a row count at that source ("finished", at the
station; "the latest", which central tells by `supersedes` and the station by time).

Aggregates run in the database: a year of inspections is millions of rows. PostgreSQL
has `percentile_cont` and time zones; SQLite (a one-machine site, a station) ranks with
window functions for the median and counts hours in UTC, converted to the site's zone in
Python (exact for every zone a whole number of hours from UTC).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Table,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from bench.domain import Reason, RequestStatus
from bench.grading import Graded, GradingPair, latest_answers
from bench.supervision import (
    HourlyCount,
    QuoteDeadline,
    SettlementLine,
    StuckKey,
    StuckKind,
    StuckLine,
    SupervisionSettings,
    ThroughputRow,
    fetch_limit,
    hold_detail,
    quote_deadline,
    throughput_row,
)

OUTCOME_NAMES = ("accept", "revise", "reject", "hold")
# Requests the portal has not closed: an item of one may still be waiting for a bench. An
# inspected, credited or cancelled request is the portal's business, not the floor's.
OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.IN_TRANSIT, RequestStatus.RECEIVED)
# Requests settled per round trip while paging settlements.
SETTLEMENT_CHUNK = 100

# Which inspections of a table count at this source (`status = 'finished'` at a station).
Counted = Callable[[FromClause], Sequence[ColumnElement[bool]]]
# Which of them are their item's latest, as a condition on the table given.
Latest = Callable[[FromClause], ColumnElement[bool]]
# One kind of stuck line, oldest first: those not older than the time given (a page's
# first), at most as many as the limit.
StuckKindRead = Callable[[datetime | None, int | None], list[StuckLine]]


def status_in(requests: Table, statuses: Sequence[str]) -> ColumnElement[bool]:
    """`status IN ('received', ...)` written out, so the partial indexes of central
    migration 0011 match it (as `outcome_is`)."""
    return requests.c.status.in_([literal(str(s), literal_execute=True) for s in statuses])


def outcome_is(table: Table, outcome: str) -> ColumnElement[bool]:
    """`outcome = 'hold'` written out, not bound: only then can the database match the
    partial indexes of central migration 0007 (`WHERE outcome = 'hold'`)."""
    return table.c.outcome == literal(outcome, literal_execute=True)


def seconds_taken(table: Table, dialect: str) -> ColumnElement[Any]:
    """finished_at - started_at in seconds."""
    if dialect == "postgresql":
        # date_part is double precision already; EXTRACT is numeric, slower by the million.
        return func.date_part("epoch", table.c.finished_at - table.c.started_at, type_=Float)
    # SQLite keeps times as text: julianday's float, to the millisecond, so half a
    # second stays exactly half and rounds the same way as on PostgreSQL.
    days = func.julianday(table.c.finished_at) - func.julianday(table.c.started_at)
    return func.round(days * 86_400_000) / 1000.0


def throughput(
    conn: Connection,
    table: Table,
    counted: Counted,
    since: datetime,
    until: datetime,
    by_inspector: bool = True,
) -> list[ThroughputRow]:
    """One row per (station, inspector) with inspections finished in [since, until),
    sorted by station then inspector (by code point, whatever the database's collation);
    or, not `by_inspector`, one per station (its inspector "") with the station's median."""
    dialect = conn.dialect.name
    grouped = [table.c.station_id, table.c.inspector_id][: 2 if by_inspector else 1]
    key: tuple[ColumnElement[str], ...] = tuple(grouped)
    if dialect == "postgresql":
        # Grouped byte by byte: a year's millions of rows sort several times faster than
        # by the database's language collation, and the order is Python's below anyway.
        key = tuple(c.collate("C").label(c.name) for c in grouped)
    window = [*counted(table), table.c.finished_at >= since, table.c.finished_at < until]
    last_hour_from = max(since, until - timedelta(hours=1))
    columns: list[ColumnElement[Any]] = [
        func.sum(case((outcome_is(table, name), 1), else_=0)).label(name) for name in OUTCOME_NAMES
    ]
    columns.append(
        func.sum(case((table.c.finished_at >= last_hour_from, 1), else_=0)).label("last_hour")
    )
    if dialect == "postgresql":
        taken = seconds_taken(table, dialect)
        columns.append(func.percentile_cont(0.5).within_group(taken).label("median"))
    found = conn.execute(select(*key, *columns).where(*window).group_by(*key)).mappings().all()
    ranked = None if dialect == "postgresql" else _ranked_medians(conn, table, grouped, window)
    rows = []
    for row in found:
        group = tuple(row[c.name] for c in grouped)
        median = row["median"] if ranked is None else ranked.get(group)
        outcomes = {name: int(row[name]) for name in OUTCOME_NAMES}
        station, inspector = group[0], group[1] if by_inspector else ""
        rows.append(
            throughput_row(
                station, inspector, outcomes, median, int(row["last_hour"]), since, until
            )
        )
    return sorted(rows, key=lambda r: (r.station_id, r.inspector_id))


def _ranked_medians(
    conn: Connection,
    table: Table,
    key: Sequence[ColumnElement[str]],
    window: Sequence[ColumnElement[bool]],
) -> dict[tuple[str, ...], float]:
    """The median per group of `key` without percentile_cont: the middle row (or the
    mean of the two middle rows) of each group ranked by time taken."""
    taken = seconds_taken(table, conn.dialect.name)
    ranked = (
        select(
            *key,
            taken.label("taken"),
            func.row_number().over(partition_by=key, order_by=taken).label("place"),
            func.count().over(partition_by=key).label("size"),
        )
        .where(*window)
        .subquery()
    )
    middle = or_(
        ranked.c.place == (ranked.c.size + 1) // 2, ranked.c.place == (ranked.c.size + 2) // 2
    )
    groups = [ranked.c[c.name] for c in key]
    found = conn.execute(select(*groups, func.avg(ranked.c.taken)).where(middle).group_by(*groups))
    return {tuple(row[:-1]): float(row[-1]) for row in found}


def hourly(
    conn: Connection,
    table: Table,
    counted: Counted,
    since: datetime,
    until: datetime,
    settings: SupervisionSettings,
) -> list[HourlyCount]:
    """Inspections finished per station and hour of the site's clock, in [since, until)."""
    zone = settings.time_zone
    if conn.dialect.name == "postgresql":
        hour: ColumnElement[Any] = func.date_trunc("hour", table.c.finished_at, zone.key)
    else:
        hour = func.strftime("%Y-%m-%d %H:00:00", table.c.finished_at)
    found = conn.execute(
        select(hour.label("hour"), table.c.station_id, func.count().label("count"))
        .where(*counted(table), table.c.finished_at >= since, table.c.finished_at < until)
        .group_by(hour, table.c.station_id)
    )
    counts = [
        HourlyCount(hour=_aware(started).astimezone(zone), station_id=station, count=count)
        for started, station, count in found
    ]
    return sorted(counts, key=lambda c: (c.hour, c.station_id))


def _aware(value: datetime | str) -> datetime:
    """An hour as the database hands it over: aware (PostgreSQL) or UTC text (SQLite)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def quotes(
    conn: Connection,
    table: Table,
    items: Table,
    latest: Latest,
    counted: Counted,
    today: date,
    settings: SupervisionSettings,
    lapsed_days: int,
    limit: int | None,
    offset: int,
) -> list[QuoteDeadline]:
    """Latest revisions due from `lapsed_days` ago on, soonest first, paged."""
    query = (
        select(
            table.c.id,
            table.c.request_item_id,
            items.c.request_id,
            table.c.final_cents,
            table.c.response_due_on,
        )
        .select_from(table.outerjoin(items, items.c.id == table.c.request_item_id))
        .where(
            outcome_is(table, "revise"),
            table.c.response_due_on >= today - timedelta(days=lapsed_days),
            latest(table),
            *counted(table),
        )
        .order_by(table.c.response_due_on, table.c.request_item_id, table.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        quote_deadline(
            str(inspection_id),
            request_id or request_of(item_id),
            item_id,
            int(cents),
            due_on,
            today,
            settings,
        )
        for inspection_id, item_id, request_id, cents, due_on in conn.execute(query)
    ]


def request_of(item_id: str) -> str:
    """The request an item id names (TI-000123-01 is of TI-000123), for an item the
    database no longer has: the inspection still counts, and the id still tells."""
    return item_id.rpartition("-")[0] or item_id


# --- what is stuck ------------------------------------------------------------------


def from_time(moment: ColumnElement[Any], *since: datetime | None) -> list[ColumnElement[bool]]:
    """`moment >= ` each time given (a report's window, a page's first line), or nothing
    when every line is wanted."""
    return [moment >= time for time in since if time is not None]


def holds(
    conn: Connection, table: Table, items: Table, latest: Latest, counted: Counted,
    since: datetime | None, not_before: datetime | None, limit: int | None,
) -> list[StuckLine]:  # fmt: skip
    """Items whose latest inspection is a hold, oldest first; a parcel held because it
    came after the ship window is told apart, since its next step differs."""
    query = (
        select(table.c.request_item_id, items.c.request_id, table.c.finished_at,
               table.c.reason_codes)
        .select_from(table.outerjoin(items, items.c.id == table.c.request_item_id))
        .where(outcome_is(table, "hold"), latest(table), *counted(table),
               *from_time(table.c.finished_at, since, not_before))
        .order_by(table.c.finished_at, table.c.request_item_id)
        .limit(limit)
    )  # fmt: skip
    return [
        StuckLine(
            kind=StuckKind.ARRIVED_LATE if Reason.ARRIVED_LATE in reasons else StuckKind.ON_HOLD,
            request_id=request_id or request_of(item_id),
            item_id=item_id,
            since=finished_at,
            detail=hold_detail(reasons),
        )
        for item_id, request_id, finished_at, reasons in conn.execute(query)
    ]


def not_inspected(
    conn: Connection,
    table: Table,
    items: Table,
    requests: Table,
    counted: Counted,
    since: datetime | None,
    not_before: datetime | None,
    limit: int | None,
) -> list[StuckLine]:
    """Items with no inspection of a request some other item of was inspected: since
    the request's first inspection (its first from `since` on, when given). Only of
    requests the portal still has open (OPEN_STATUSES): their few rows are read by the
    partial index of central migration 0011, not every item of the year."""
    sibling = items.alias("sibling")
    other = table.alias("other")
    first = func.min(table.c.finished_at).label("first")
    query = (
        select(items.c.id, items.c.request_id, first)
        .select_from(
            items.join(requests, requests.c.id == items.c.request_id)
            .join(sibling, sibling.c.request_id == items.c.request_id)
            .join(table, table.c.request_item_id == sibling.c.id)
        )
        .where(
            status_in(requests, OPEN_STATUSES),
            *counted(table),
            *from_time(table.c.finished_at, since),
            ~exists().where(other.c.request_item_id == items.c.id, *counted(other)),
        )
        .group_by(items.c.id, items.c.request_id)
        .having(*from_time(first, not_before))
        .order_by(first, items.c.id)
        .limit(limit)
    )
    return [
        StuckLine(StuckKind.NOT_INSPECTED, request_id, item_id, began)
        for item_id, request_id, began in conn.execute(query)
    ]


def received_untouched(
    conn: Connection,
    table: Table,
    items: Table,
    requests: Table,
    counted: Counted,
    since: datetime | None,
    not_before: datetime | None,
    limit: int | None,
) -> list[StuckLine]:
    """Requests the portal says were received (`status = 'received'`) none of whose items
    any bench inspected, oldest first. Since `requests.updated_at`: the contract has no
    time of arrival, and the portal's last change of the row is when it said "received"
    at the latest. A walk of the partial index of central migration 0011 in that order."""
    inspected = exists().where(
        items.c.request_id == requests.c.id, table.c.request_item_id == items.c.id,
        *counted(table),
    )  # fmt: skip
    query = (
        select(requests.c.id, requests.c.updated_at)
        .where(status_in(requests, [RequestStatus.RECEIVED]), ~inspected,
               *from_time(requests.c.updated_at, since, not_before))
        .order_by(requests.c.updated_at, requests.c.id)
        .limit(limit)
    )  # fmt: skip
    return [
        StuckLine(StuckKind.RECEIVED, request_id, None, _aware(updated_at),
                  "no item of it inspected yet")
        for request_id, updated_at in conn.execute(query)
    ]  # fmt: skip


def shared_stuck_kinds(
    conn: Connection, inspections: Table, items: Table, requests: Table, latest: Latest,
    counted: Counted, since: datetime | None,
) -> list[StuckKindRead]:  # fmt: skip
    """The kinds of stuck line central and a station both list: holds, items left
    uninspected, and received requests no item of was inspected."""
    return [
        lambda start, upto: holds(
            conn, inspections, items, latest, counted, since, start, upto
        ),
        lambda start, upto: not_inspected(
            conn, inspections, items, requests, counted, since, start, upto
        ),
        lambda start, upto: received_untouched(
            conn, inspections, items, requests, counted, since, start, upto
        ),
    ]  # fmt: skip


def stuck_page(
    kinds: Iterable[StuckKindRead], limit: int | None, after: StuckKey | None
) -> list[StuckLine]:
    """One page of every kind's lines together, oldest first, after the key `after` (the
    previous page's last line) when given: each kind reads at most a page of lines from
    the key's time on, in the same order, and the lists are merged."""
    want = fetch_limit(limit)
    merged = heapq.merge(
        *(lines_after(read, after, want) for read in kinds), key=lambda line: line.key
    )
    return list(itertools.islice(merged, want))


def lines_after(read: StuckKindRead, after: StuckKey | None, want: int | None) -> list[StuckLine]:
    """A kind's first `want` lines after the key: read from the key's time on, less the
    lines of that very time the previous page showed. When those fill the read, the kind
    has more lines of that time than a page: read further."""
    if after is None:
        return read(None, want)
    upto = want
    while True:
        lines = read(after[0], upto)
        later = [line for line in lines if line.key > after]
        if upto is None or want is None or len(lines) < upto or len(later) >= want:
            return later
        upto += len(lines) - len(later)


def settlement_page(
    request_ids: Callable[[str | None, int], list[str]],
    settled: Callable[[list[str]], list[SettlementLine]],
    status: str | None,
    limit: int | None,
    offset: int,
) -> list[SettlementLine]:
    """A page of settlements of one status (or any), in request order.

    The settlement rules need every item's latest inspection, so a status cannot be
    looked up by index: requests are settled a chunk at a time, in id order (keyset on
    `request_ids(after, chunk)`), until the page is full. Cheap for a common status;
    a rare one reads further.
    """
    want = None if limit is None else offset + limit + 1
    found: list[SettlementLine] = []
    after: str | None = None
    while want is None or len(found) < want:
        chunk = request_ids(after, SETTLEMENT_CHUNK)
        if not chunk:
            break
        found += [line for line in settled(chunk) if status in (None, line.status)]
        after = chunk[-1]
    return found[offset:want]


# --- second gradings ----------------------------------------------------------------

# The answers of inspections, by id, as (question, value) in recording order.
AnswersOf = Callable[[Connection, list[str]], dict[str, list[tuple[str, str]]]]


def grading_pairs(
    conn: Connection,
    table: Table,
    counted: Counted,
    answers_of: AnswersOf,
    since: datetime,
    until: datetime,
) -> list[GradingPair]:
    """Second gradings finished in [since, until), each with the inspection it graded
    again, in the order they were finished."""
    first = table.alias("first")
    query = (
        select(
            table.c.id, table.c.request_item_id, table.c.inspector_id, table.c.outcome,
            table.c.final_cents, first.c.id.label("first_id"),
            first.c.inspector_id.label("first_inspector"), first.c.outcome.label("first_outcome"),
            first.c.final_cents.label("first_cents"),
        )
        .join(first, first.c.id == table.c.second_of)
        .where(*counted(table), *counted(first), table.c.finished_at >= since,
               table.c.finished_at < until)
        .order_by(table.c.finished_at, table.c.id)
    )  # fmt: skip
    found = conn.execute(query).mappings().all()
    ids = [str(i) for row in found for i in (row["first_id"], row["id"])]
    answers = answers_of(conn, ids)

    def graded(inspection_id: Any, inspector: str, outcome: str, cents: int) -> Graded:
        key = str(inspection_id)
        return Graded(key, inspector, latest_answers(answers.get(key, ())), outcome, int(cents))

    return [
        GradingPair(
            row["request_item_id"],
            graded(row["first_id"], row["first_inspector"], row["first_outcome"],
                   row["first_cents"]),
            graded(row["id"], row["inspector_id"], row["outcome"], row["final_cents"]),
        )
        for row in found
    ]  # fmt: skip
