"""The supervisor's figures from this station's own file, for when central is unreachable.

What a station knows: its own finished inspections, its outbox (queued results, and dead
letters central refused), the rows its pull refused, and its replica of requests and
items. So the figures are this bench's alone, and each answer says so (`this bench`).
The queries are those of `store.figures`; an item's latest inspection here is the last
one this bench finished (the station has no `supersedes`: a reopen is central's).
Read only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, Engine, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from bench import __version__
from bench.disputes import Disputed, KeyKind, SearchKey
from bench.domain import AuditLine, ProgramKind
from bench.grading import GradingPair
from bench.settlement import SettlementStatus, settle
from bench.supervision import (
    LAPSED_QUOTES_SHOWN_DAYS,
    PAGE,
    THIS_BENCH,
    Figures,
    HourlyCount,
    QuoteDeadline,
    SettlementLine,
    Source,
    StationHealth,
    StationWatch,
    StuckKey,
    StuckKind,
    StuckLine,
    SupervisionSettings,
    ThroughputRow,
    fetch_limit,
    page,
)
from store import figures
from store.local import audit, inspections, outbox, replica
from store.local.schema import (
    FINISHED,
    inspection_table,
    item_table,
    outbox_table,
    program_table,
    quarantine_table,
    request_table,
)

Row = TypeVar("Row")


def finished(inspections: FromClause) -> Sequence[ColumnElement[bool]]:
    """A station's table also holds inspections in progress and cancelled ones."""
    return (inspections.c.status == FINISHED,)


def latest_here(inspections: FromClause) -> ColumnElement[bool]:
    """No inspection this bench finished after it for the same item (ties by id, as the
    request screen orders them); a second grading is never the latest, and no later one."""
    later = inspection_table.alias("later")
    return inspections.c.second_of.is_(None) & ~exists().where(
        later.c.request_item_id == inspections.c.request_item_id,
        later.c.status == FINISHED,
        later.c.second_of.is_(None),
        or_(
            later.c.finished_at > inspections.c.finished_at,
            and_(later.c.finished_at == inspections.c.finished_at, later.c.id > inspections.c.id),
        ),
    )


class LocalFigures:
    """This bench's figures from its own file; `station_id` is the bench's own id."""

    def __init__(self, engine: Engine, station_id: str, settings: SupervisionSettings) -> None:
        self._engine = engine
        self._station_id = station_id
        self._settings = settings
        self._watch = StationWatch(settings.heartbeat_stale_after)

    @property
    def source(self) -> Source:
        return THIS_BENCH

    def _read(
        self, read: Callable[[Connection], list[Row]], limit: int | None = None
    ) -> Figures[Row]:
        as_of = datetime.now(UTC).astimezone(self._settings.time_zone)
        with self._engine.connect() as conn:
            rows, more = page(read(conn), limit)
        return Figures(rows=rows, source=THIS_BENCH, as_of=as_of, more=more)

    def throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        return self._read(
            lambda conn: figures.throughput(conn, inspection_table, finished, since, until)
        )

    def station_throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        return self._read(
            lambda conn: figures.throughput(
                conn, inspection_table, finished, since, until, by_inspector=False
            )
        )

    def hourly(self, since: datetime, until: datetime) -> Figures[HourlyCount]:
        return self._read(
            lambda conn: figures.hourly(
                conn, inspection_table, finished, since, until, self._settings
            )
        )

    def stations(self, now: datetime) -> Figures[StationHealth]:
        """This bench alone: it is answering, so it is seen now; its queue is its outbox."""
        return self._read(
            lambda conn: [
                self._watch.health(
                    self._station_id, now, outbox.count(conn, *outbox.PENDING), __version__, now
                )
            ]
        )

    def stuck(
        self,
        now: datetime,
        limit: int | None = PAGE,
        after: StuckKey | None = None,
        since: datetime | None = None,
    ) -> Figures[StuckLine]:
        """Holds, late parcels and uninspected items of this bench, the results central
        refused and the central rows this bench refused, oldest first."""

        def read(conn: Connection) -> list[StuckLine]:
            kinds = figures.shared_stuck_kinds(
                conn, inspection_table, item_table, request_table, latest_here, finished, since
            )
            kinds += [
                lambda start, upto: dead_letters(conn, since, start, upto),
                lambda start, upto: quarantined(conn, since, start, upto),
            ]
            return figures.stuck_page(kinds, limit, after)

        return self._read(read, limit)

    def quotes(
        self, today: date, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[QuoteDeadline]:
        return self._read(
            lambda conn: figures.quotes(
                conn, inspection_table, item_table, latest_here, finished, today, self._settings,
                LAPSED_QUOTES_SHOWN_DAYS, fetch_limit(limit), offset,
            ),
            limit,
        )  # fmt: skip

    def settlements(
        self, status: str | None = None, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[SettlementLine]:
        """The requests this bench inspected, settled by the same rules as central's view
        (`bench.settlement.settle`) from what this bench alone decided."""
        today = datetime.now(UTC).astimezone(self._settings.time_zone).date()

        def read(conn: Connection) -> list[SettlementLine]:
            return figures.settlement_page(
                lambda after, chunk: inspected(conn, after, chunk),
                lambda ids: [
                    line for i in ids if (line := self._settled(conn, i, today)) is not None
                ],
                status,
                limit,
                offset,
            )

        return self._read(read, limit)

    def grading(self, since: datetime, until: datetime) -> Figures[GradingPair]:
        return self._read(lambda conn: grading_pairs(conn, since, until))

    def disputes(self, key: SearchKey, limit: int = PAGE) -> Figures[Disputed]:
        """This bench's finished inspections the code names, newest first, each with the
        trail of its item in this bench's audit log."""
        return self._read(lambda conn: disputed(conn, key, limit + 1), limit)

    def _settled(self, conn: Connection, request_id: str, today: date) -> SettlementLine | None:
        found = conn.execute(
            select(request_table.c.program_code, request_table.c.shipping_cost_cents,
                   request_table.c.status, program_table.c.kind)
            .join(program_table, program_table.c.code == request_table.c.program_code)
            .where(request_table.c.id == request_id)
        ).first()  # fmt: skip
        if found is None or found.status == "cancelled":  # not in the replica, or owed nothing
            return None
        items = conn.execute(select(item_table.c.id).where(item_table.c.request_id == request_id))
        decisions = inspections.finished_decisions(conn, request_id)
        settled = settle(
            ProgramKind(found.kind),
            found.shipping_cost_cents,
            [item_id for (item_id,) in items],
            decisions.items(),
            today,
        )
        ready_on = None
        if settled.status is SettlementStatus.READY:
            last_day = self._last_inspected_on(conn, request_id)
            after_due = settled.awaiting_until and settled.awaiting_until + timedelta(days=1)
            ready_on = max(last_day, after_due) if after_due else last_day
        return SettlementLine(
            request_id=request_id,
            program_code=found.program_code,
            kind=settled.kind.value,
            items=settled.items,
            items_inspected=settled.items_inspected,
            items_held=settled.items_held,
            items_revised=settled.items_revised,
            amount_cents=settled.amount_cents,
            status=settled.status.value,
            ready_on=ready_on,
        )

    def _last_inspected_on(self, conn: Connection, request_id: str) -> date:
        items = select(item_table.c.id).where(item_table.c.request_id == request_id)
        last: datetime = conn.execute(
            select(func.max(inspection_table.c.finished_at)).where(
                *finished(inspection_table), inspection_table.c.request_item_id.in_(items)
            )
        ).scalar_one()
        return last.astimezone(self._settings.time_zone).date()


def answers_of(conn: Connection, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    return {
        inspection: [(a.question, a.value) for a in given]
        for inspection, given in inspections.answers(conn, ids).items()
    }


def grading_pairs(conn: Connection, since: datetime, until: datetime) -> list[GradingPair]:
    """This bench's second gradings finished in [since, until), each with its first."""
    return figures.grading_pairs(conn, inspection_table, finished, answers_of, since, until)


def disputed(conn: Connection, key: SearchKey, limit: int) -> list[Disputed]:
    """A request or a tracking number names the items of its request in the replica; a
    serial or IMEI the devices scanned by it or declared with it."""
    item_ids: list[str] = []
    serial = None
    if key.kind is KeyKind.ITEM:
        item_ids = [key.value]
    elif key.kind in (KeyKind.REQUEST, KeyKind.TRACKING):
        request = replica.find_request(conn, key.value)
        if request is None:
            return []
        item_ids = [item.id for item in request.items]
    else:
        serial = key.value
    found = inspections.records(conn, item_ids, serial, limit)
    trails: dict[str, tuple[AuditLine, ...]] = {}
    for record in found:
        item = record.done.started.request_item_id
        if item not in trails:
            first = inspections.first_started(conn, item)
            trails[item] = () if first is None else tuple(audit.about_item(conn, item, first))
    return [Disputed(record, trails[record.done.started.request_item_id]) for record in found]


def inspected(conn: Connection, after: str | None, chunk: int) -> list[str]:
    """The next `chunk` requests with an item this bench finished an inspection of."""
    query = (
        select(item_table.c.request_id)
        .join(inspection_table, inspection_table.c.request_item_id == item_table.c.id)
        .where(*finished(inspection_table))
        .distinct()
        .order_by(item_table.c.request_id)
        .limit(chunk)
    )
    if after is not None:
        query = query.where(item_table.c.request_id > after)
    return list(conn.scalars(query))


def dead_letters(
    conn: Connection, since: datetime | None, not_before: datetime | None, limit: int | None
) -> list[StuckLine]:
    """Results central refused for good, oldest refusal first."""
    query = (
        select(inspection_table.c.request_item_id, item_table.c.request_id,
               outbox_table.c.dead_at, outbox_table.c.last_error)
        .join(inspection_table, inspection_table.c.id == outbox_table.c.inspection_id)
        .outerjoin(item_table, item_table.c.id == inspection_table.c.request_item_id)
        .where(outbox_table.c.dead_at.is_not(None),
               *figures.from_time(outbox_table.c.dead_at, since, not_before))
        .order_by(outbox_table.c.dead_at, inspection_table.c.request_item_id)
        .limit(limit)
    )  # fmt: skip
    return [
        StuckLine(StuckKind.DEAD_LETTER, request_id or figures.request_of(item_id), item_id,
                  dead_at, error or "")
        for item_id, request_id, dead_at, error in conn.execute(query)
    ]  # fmt: skip


def quarantined(
    conn: Connection, since: datetime | None, not_before: datetime | None, limit: int | None
) -> list[StuckLine]:
    """Central rows this bench refused to pull, first seen first."""
    query = (
        select(quarantine_table)
        .where(*figures.from_time(quarantine_table.c.seen_at, since, not_before))
        .order_by(quarantine_table.c.seen_at, quarantine_table.c.row_key)
        .limit(limit)
    )
    lines = []
    for row in conn.execute(query):
        request_id = item_id = None
        if row.table_name == "requests":
            request_id = row.row_key
        elif row.table_name == "request_items":
            item_id, request_id = row.row_key, figures.request_of(row.row_key)
        detail = f"{row.table_name} {row.row_key}: {row.reason}"
        lines.append(StuckLine(StuckKind.QUARANTINED, request_id, item_id, row.seen_at, detail))
    return lines
