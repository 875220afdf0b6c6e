"""The supervisor's figures from central: every bench's inspections, heartbeats and the
settlement view. Read only, so it works for a `bench_supervisor` login.

`CentralFigures` is `bench.supervision.FigureSource` for central; its queries are those
of `store.figures` on central's tables, where an item's latest inspection is the one no
other inspection supersedes. Every read is wrapped in `central_errors`, so an
unreachable central raises `CentralUnavailable` with the reason in plain words.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Engine,
    Integer,
    Text,
    bindparam,
    column,
    exists,
    func,
    or_,
    select,
    table,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from bench.disputes import Disputed, SearchKey
from bench.grading import GradingPair
from bench.supervision import (
    CENTRAL,
    LAPSED_QUOTES_SHOWN_DAYS,
    PAGE,
    Figures,
    HourlyCount,
    QuoteDeadline,
    SettlementLine,
    Source,
    StationHealth,
    StuckKey,
    StuckKind,
    StuckLine,
    SupervisionSettings,
    ThroughputRow,
    fetch_limit,
    page,
    station_health,
)
from store import figures
from store.central import disputes
from store.central.engine import central_errors
from store.central.schema import (
    conflict_table,
    heartbeat_table,
    inspection_table,
    item_table,
    request_table,
)

Row = TypeVar("Row")

# Compiling a query (JIT) costs PostgreSQL 0.1 s on a screen's read and over 1 s on a
# year's throughput, more than it saves on either.
SCREEN_SETTINGS = {"jit": "off"}
# A year's throughput sorts millions of durations for its medians, which can take longer
# than the 15 s a bench's statement is allowed (store.central.engine) on a busy server.
REPORT_SETTINGS = SCREEN_SETTINGS | {"statement_timeout": "10min"}

# The view of migration 0006, as much of it as the figures read.
settlement_view = table(
    "request_settlements",
    column("request_id", Text),
    column("program_code", Text),
    column("kind", Text),
    column("items", Integer),
    column("items_inspected", Integer),
    column("items_held", Integer),
    column("items_revised", Integer),
    column("amount_cents", BigInteger),
    column("status", Text),
    column("ready_on", Date),
)


def latest(inspections: FromClause) -> ColumnElement[bool]:
    """No other inspection supersedes this one (an index lookup on `supersedes`), and it is
    no second grading (which never counts)."""
    later = inspection_table.alias("later")
    return inspections.c.second_of.is_(None) & ~exists().where(
        later.c.supersedes == inspections.c.id
    )


def answers_of(conn: Connection, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The answers central holds for these inspections, from their `answers` documents."""
    if not ids:
        return {}
    found = conn.execute(
        select(inspection_table.c.id, inspection_table.c.answers).where(
            inspection_table.c.id.in_([uuid.UUID(i) for i in ids])
        )
    )
    return {
        str(inspection): [(a["question"], a["value"]) for a in answers]
        for inspection, answers in found
    }


def every_row(_inspections: FromClause) -> Sequence[ColumnElement[bool]]:
    """Central holds finished inspections only: every row counts."""
    return ()


class CentralFigures:
    """The figures of every bench, from central."""

    def __init__(
        self,
        engine: Engine | Callable[[], Engine],
        settings: SupervisionSettings,
        report: bool = False,
    ) -> None:
        """`engine`: central's, or what makes it at the first read (a station opens without
        touching central; a URL it cannot use is then said on the supervisor's screen).
        `report`: reads of a whole year at once (`bench report`), which on PostgreSQL lift
        the statement timeout of a bench (see REPORT_SETTINGS)."""
        self._engine = engine if isinstance(engine, Engine) else None
        self._make_engine = None if isinstance(engine, Engine) else engine
        self._settings = settings
        self._report = report

    @property
    def source(self) -> Source:
        return CENTRAL

    def _read(
        self, doing: str, read: Callable[[Connection], list[Row]], limit: int | None = None
    ) -> Figures[Row]:
        as_of = datetime.now(UTC).astimezone(self._settings.time_zone)
        if self._engine is None and self._make_engine is not None:
            self._engine = self._make_engine()
        assert self._engine is not None
        with central_errors(self._engine, doing), self._engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                settings = REPORT_SETTINGS if self._report else SCREEN_SETTINGS
                for setting, value in settings.items():
                    # SET LOCAL: for this read's transaction only, not the pooled connection.
                    conn.execute(select(func.set_config(setting, value, True)))
            rows, more = page(read(conn), limit)
        return Figures(rows=rows, source=CENTRAL, as_of=as_of, more=more)

    def throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        return self._read(
            "read throughput from",
            lambda conn: figures.throughput(conn, inspection_table, every_row, since, until),
        )

    def station_throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        return self._read(
            "read throughput from",
            lambda conn: figures.throughput(
                conn, inspection_table, every_row, since, until, by_inspector=False
            ),
        )

    def hourly(self, since: datetime, until: datetime) -> Figures[HourlyCount]:
        return self._read(
            "read hourly counts from",
            lambda conn: figures.hourly(
                conn, inspection_table, every_row, since, until, self._settings
            ),
        )

    def stations(self, now: datetime) -> Figures[StationHealth]:
        def read(conn: Connection) -> list[StationHealth]:
            beats = conn.execute(select(heartbeat_table).order_by(heartbeat_table.c.station_id))
            stale_after = self._settings.heartbeat_stale_after
            return [
                station_health(beat.station_id, beat.last_seen, beat.queue_depth,
                               beat.previous_queue_depth, beat.app_version, now, stale_after)
                for beat in beats
            ]  # fmt: skip

        return self._read("read station heartbeats from", read)

    def stuck(
        self,
        now: datetime,
        limit: int | None = PAGE,
        after: StuckKey | None = None,
        since: datetime | None = None,
    ) -> Figures[StuckLine]:
        """Holds, late parcels, conflicts and items left uninspected, oldest first.
        (Dead letters and refused pulls are a station's own: `LocalFigures` lists them.)"""

        def read(conn: Connection) -> list[StuckLine]:
            kinds = figures.shared_stuck_kinds(
                conn, inspection_table, item_table, request_table, latest, every_row, since
            )
            # Read after the holds, as the list names them: holds, conflicts, the rest.
            kinds.insert(1, lambda start, upto: conflicts(conn, since, start, upto))
            return figures.stuck_page(kinds, limit, after)

        return self._read("read what is stuck from", read, limit)

    def quotes(
        self, today: date, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[QuoteDeadline]:
        return self._read(
            "read revised quotes from",
            lambda conn: figures.quotes(
                conn, inspection_table, item_table, latest, every_row, today, self._settings,
                LAPSED_QUOTES_SHOWN_DAYS, fetch_limit(limit), offset,
            ),
            limit,
        )  # fmt: skip

    def grading(self, since: datetime, until: datetime) -> Figures[GradingPair]:
        return self._read(
            "read second gradings from",
            lambda conn: figures.grading_pairs(
                conn, inspection_table, every_row, answers_of, since, until
            ),
        )

    def disputes(self, key: SearchKey, limit: int = PAGE) -> Figures[Disputed]:
        return self._read(
            "look the dispute up in", lambda conn: disputes.disputed(conn, key, limit + 1), limit
        )

    def settlements(
        self, status: str | None = None, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[SettlementLine]:
        """Rows of the view `request_settlements`, in request order, of one status when
        given. The view is asked one request at a time: PostgreSQL pushes
        `request_id = ...` down into its aggregates (not `IN (...)`), and the whole view
        over millions of inspections takes seconds."""

        def read(conn: Connection) -> list[SettlementLine]:
            return figures.settlement_page(
                lambda after, chunk: request_ids(conn, after, chunk, status),
                lambda ids: settled(conn, ids),
                status,
                limit,
                offset,
            )

        return self._read("read settlements from", read, limit)


def request_ids(
    conn: Connection, after: str | None, chunk: int, status: str | None = None
) -> list[str]:
    """The next `chunk` requests owed something (not cancelled), in id order; of those
    that may have `status`, when given (the view decides; this only skips the requests
    that cannot, with a few index lookups each instead of the whole view's plan)."""
    query = select(request_table.c.id).where(
        request_table.c.status != "cancelled", *could_be(status)
    )
    if after is not None:
        query = query.where(request_table.c.id > after)
    return list(conn.scalars(query.order_by(request_table.c.id).limit(chunk)))


def could_be(status: str | None) -> list[ColumnElement[bool]]:
    """What a request of `status` must have: a held or conflicting item to be on hold, a
    revision still due to be awaiting its customer, an item without an inspection (or no
    item at all) to be pending. Nothing is required to be ready."""
    items = item_table
    of_request = items.c.request_id == request_table.c.id
    inspected = inspection_table.c.request_item_id == items.c.id

    def an_item(*condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(of_request, *condition)

    if status == "on_hold":
        held = exists().where(inspected, figures.outcome_is(inspection_table, "hold"),
                              latest(inspection_table))  # fmt: skip
        conflicting = exists().where(conflict_table.c.request_item_id == items.c.id)
        return [an_item(or_(held, conflicting))]
    if status == "awaiting_customer":
        due = exists().where(
            inspected, figures.outcome_is(inspection_table, "revise"),
            inspection_table.c.response_due_on >= func.current_date(), latest(inspection_table),
        )  # fmt: skip
        return [an_item(due)]
    if status == "pending":
        return [or_(~an_item(), an_item(~exists().where(inspected)))]
    return []


def settled(conn: Connection, ids: Sequence[str]) -> list[SettlementLine]:
    """The view's rows of these requests, asked one by one: the same statement each time,
    which psycopg prepares after a few, so each costs an index lookup, not a plan."""
    query = select(settlement_view).where(settlement_view.c.request_id == bindparam("id"))
    return [
        settlement_line(row)
        for request_id in ids
        for row in conn.execute(query, {"id": request_id}).mappings()
    ]


def conflicts(
    conn: Connection, since: datetime | None, not_before: datetime | None, limit: int | None
) -> list[StuckLine]:
    """Items the push flagged as inspected twice that still have two latest inspections
    (a supervisor's reopen that superseded one settles it), oldest first."""
    inspections = inspection_table
    still_latest = (
        select(func.count())
        .where(
            inspections.c.request_item_id == conflict_table.c.request_item_id,
            latest(inspections),
        )
        .scalar_subquery()
    )
    query = (
        select(conflict_table.c.request_item_id, item_table.c.request_id,
               conflict_table.c.detected_at, still_latest)
        .select_from(
            conflict_table.outerjoin(item_table,
                                     item_table.c.id == conflict_table.c.request_item_id)
        )
        .where(still_latest > 1,
               *figures.from_time(conflict_table.c.detected_at, since, not_before))
        .order_by(conflict_table.c.detected_at, conflict_table.c.request_item_id)
        .limit(limit)
    )  # fmt: skip
    return [
        StuckLine(
            StuckKind.CONFLICT,
            request_id or figures.request_of(item_id),
            item_id,
            detected_at,
            f"{count} inspections, none replacing the other",
        )
        for item_id, request_id, detected_at, count in conn.execute(query)
    ]


def settlement_line(row: Any) -> SettlementLine:
    ready_on = row["ready_on"]
    return SettlementLine(
        request_id=row["request_id"],
        program_code=row["program_code"],
        kind=row["kind"],
        items=int(row["items"]),
        items_inspected=int(row["items_inspected"]),
        items_held=int(row["items_held"]),
        items_revised=int(row["items_revised"]),
        amount_cents=int(row["amount_cents"]),
        status=row["status"],
        # SQLite's view computes dates as text.
        ready_on=date.fromisoformat(ready_on) if isinstance(ready_on, str) else ready_on,
    )
