"""What a supervisor watches: throughput, hours, stations, what is stuck, quotes, money.

The figures come from one of two places: central (every bench, the normal case) or the
station's own store (this bench only, for when central is unreachable). Both implement
`FigureSource`, so a screen or the `bench report` command reads either the same way, and
every answer (`Figures`) says where it came from and when it was read.

This module holds only the types and the arithmetic both sources share (rounding a
median, items per hour, working days left on a quote, the next step for a stuck line);
the SQL is in `store.central.supervision` and `store.local.supervision`. Pure Python: no
UI, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Generic, Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bench.config import Config
from bench.disputes import Disputed, SearchKey
from bench.domain import Reason
from bench.grading import GradingPair
from bench.reasons import reason_text
from bench.workdays import is_working_day

Source = Literal["central", "this bench"]
CENTRAL: Source = "central"
THIS_BENCH: Source = "this bench"

# A page of a list a screen scrolls through; `bench report` asks for everything.
PAGE = 50
# How far back a quote the customer let lapse is still listed (as accepted by silence).
LAPSED_QUOTES_SHOWN_DAYS = 7

Row = TypeVar("Row")


@dataclass(frozen=True)
class SupervisionSettings:
    """The site's settings the figures depend on (from config.toml `[site]`, `[station]`)."""

    time_zone: ZoneInfo
    country: str
    subdivision: str | None
    heartbeat_stale_after: timedelta


def settings_of(config: Config) -> SupervisionSettings:
    """The figures' settings from a station's config.toml."""
    return SupervisionSettings(
        time_zone=ZoneInfo(config.site.time_zone),
        country=config.station.country,
        subdivision=config.station.subdivision,
        heartbeat_stale_after=timedelta(minutes=config.site.heartbeat_stale_minutes),
    )


@dataclass(frozen=True)
class Figures(Generic[Row]):
    """One answer: its rows, where they came from and when they were read.

    `more` is True when a paged list has rows after this page; `unreachable` says why
    central could not be read when these are this bench's figures in its stead.
    """

    rows: tuple[Row, ...]
    source: Source
    as_of: datetime
    more: bool = False
    unreachable: str | None = None


@dataclass(frozen=True)
class ThroughputRow:
    """One (station, inspector)'s inspections finished in a window.

    `median_seconds` is the median of finished_at - started_at rounded to whole seconds
    (half up); `items_per_hour` the inspections per hour of the window; `last_hour` those
    finished in its last hour. Superseded inspections count: the work was done.
    """

    station_id: str
    inspector_id: str
    inspections: int
    accept: int
    revise: int
    reject: int
    hold: int
    median_seconds: int
    items_per_hour: float
    last_hour: int


@dataclass(frozen=True)
class HourlyCount:
    """Inspections a station finished in one hour; `hour` starts it, in the site's zone."""

    hour: datetime
    station_id: str
    count: int


@dataclass(frozen=True)
class StationHealth:
    """A station's last heartbeat. `stale`: not heard from for longer than the site's limit;
    `queue_growing`: more queued than at the station's previous heartbeat (central keeps
    it), or than at this source's previous reading (a bench's own figures)."""

    station_id: str
    last_seen: datetime
    queue_depth: int
    app_version: str
    stale: bool
    queue_growing: bool


# Where a line stands in the stuck list, oldest first: (since, kind, item, request).
StuckKey = tuple[datetime, str, str, str]


class StuckKind(StrEnum):
    NOT_INSPECTED = "not_inspected"  # an item of a request whose other items were inspected
    RECEIVED = "received"  # the portal says the request arrived; no bench inspected any of it
    ARRIVED_LATE = "arrived_late"  # the parcel came after the program's ship window
    ON_HOLD = "on_hold"  # the item's latest inspection is a hold
    CONFLICT = "conflict"  # two latest inspections of one item, neither superseding
    DEAD_LETTER = "dead_letter"  # central refused this bench's result for good
    QUARANTINED = "quarantined"  # a central row this bench refused to pull


@dataclass(frozen=True)
class StuckLine:
    """Something that waits for a person. `detail` says what is known (the hold's reasons,
    the refusal); `next_step` says what to do about it, in one sentence."""

    kind: StuckKind
    request_id: str | None
    item_id: str | None
    since: datetime
    detail: str = ""

    @property
    def key(self) -> StuckKey:
        """The list's order: the oldest first, ties by kind, item, then request (of the
        lines that name no item). The Stuck tab reads the next page after the last key."""
        return (self.since, self.kind.value, self.item_id or "", self.request_id or "")

    @property
    def next_step(self) -> str:
        item = self.item_id or "the item"
        request = self.request_id or "its request"
        return {
            StuckKind.NOT_INSPECTED: f"Find {item} in the package of {request} and inspect "
            "it, or hold it as missing if it is not there.",
            StuckKind.RECEIVED: f"The portal says {request} was received: find its package "
            "and inspect it, or ask the portal team if it is not on the shelves.",
            StuckKind.ARRIVED_LATE: f"Check the postmark of {request}: if it shipped in time, "
            f"reopen {item} and inspect it again; otherwise it stays as decided.",
            StuckKind.ON_HOLD: f"Review {item} on the hold shelf and reopen it with a decision.",
            StuckKind.CONFLICT: f"{item} was inspected twice: compare the two results and "
            "reopen the item to keep one.",
            StuckKind.DEAD_LETTER: f"Central refused this bench's result for {item}: read "
            "the reason, fix what central holds, then send it again from the REFUSED list.",
            StuckKind.QUARANTINED: "Ask the portal team to correct this row at central; "
            "the bench pulls it again by itself once it is fixed.",
        }[self.kind]


class QuoteState(StrEnum):
    AWAITING = "awaiting the customer"
    ACCEPTED_BY_SILENCE = "accepted by silence"


@dataclass(frozen=True)
class QuoteDeadline:
    """A revised quote and the customer's last day to reject it.

    `working_days_left` counts the working days from today to the due date, both included
    (so 1 on the last day, 0 once it has passed); `past_due` means the customer said
    nothing in time: the revised quote is accepted by silence.
    """

    inspection_id: str
    request_id: str
    item_id: str
    final_cents: int
    response_due_on: date
    working_days_left: int
    past_due: bool

    @property
    def state(self) -> QuoteState:
        return QuoteState.ACCEPTED_BY_SILENCE if self.past_due else QuoteState.AWAITING


@dataclass(frozen=True)
class SettlementLine:
    """A row of central's `request_settlements` (or the same rules run on this bench)."""

    request_id: str
    program_code: str
    kind: str
    items: int
    items_inspected: int
    items_held: int
    items_revised: int
    amount_cents: int
    status: str
    ready_on: date | None


@dataclass(frozen=True)
class ShiftFigures:
    """The Throughput tab's reads: today's rows from `since` (the first hour anything was
    inspected today, so items per hour are per hour worked), its hours, the stations."""

    throughput: Figures[ThroughputRow]
    hourly: Figures[HourlyCount]
    stations: Figures[StationHealth]
    since: datetime
    per_station: Figures[ThroughputRow]
    """Each station's whole line (`inspector_id` ""), its median over all its inspections."""


SETTLEMENT_STATUSES = ("ready", "awaiting_customer", "on_hold", "pending")
"""The statuses of `request_settlements`, in the order a supervisor filters by them."""


class FigureSource(Protocol):
    """Where the supervisor's figures come from: central, or this bench alone.

    Every method reads only. Times are aware datetimes; windows are [since, until).
    """

    @property
    def source(self) -> Source: ...

    def throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]: ...

    def station_throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        """One row per station (`inspector_id` ""): a median of a station cannot be
        worked out from its inspectors' medians."""
        ...

    def hourly(self, since: datetime, until: datetime) -> Figures[HourlyCount]: ...

    def stations(self, now: datetime) -> Figures[StationHealth]: ...

    def stuck(
        self,
        now: datetime,
        limit: int | None = PAGE,
        after: StuckKey | None = None,
        since: datetime | None = None,
    ) -> Figures[StuckLine]:
        """What waits for a person, oldest first; the lines after the key `after` when
        given (the next page: a key, not an offset, so a deep page reads no more than the
        first); from `since` on when given (`bench report --since`). The Stuck tab passes
        no `since`: everything still stuck, paged."""
        ...

    def quotes(
        self, today: date, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[QuoteDeadline]: ...

    def settlements(
        self, status: str | None = None, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[SettlementLine]:
        """Settlements in request order, of one status when given."""
        ...

    def grading(self, since: datetime, until: datetime) -> Figures[GradingPair]:
        """Second gradings finished in [since, until), each with the inspection it graded
        again (`bench.grading.agreement` works out the figures)."""
        ...

    def disputes(self, key: SearchKey, limit: int = PAGE) -> Figures[Disputed]:
        """The inspections a dispute's code names (request id, item id, serial, IMEI or
        tracking number), newest first, each with its item's audit trail."""
        ...


# --- the arithmetic both sources share ------------------------------------------------


def whole_seconds(seconds: float | None) -> int:
    """A median in whole seconds, half up (PostgreSQL's and Python's `round` would round
    half to even, and the two sources must agree)."""
    return 0 if seconds is None else math.floor(seconds + 0.5)


def throughput_row(
    station_id: str,
    inspector_id: str,
    outcomes: Mapping[str, int],
    median: float | None,
    last_hour: int,
    since: datetime,
    until: datetime,
) -> ThroughputRow:
    """A ThroughputRow from the counts a source read (`outcomes` by outcome name)."""
    total = sum(outcomes.values())
    hours = (until - since).total_seconds() / 3600
    return ThroughputRow(
        station_id=station_id,
        inspector_id=inspector_id,
        inspections=total,
        accept=outcomes.get("accept", 0),
        revise=outcomes.get("revise", 0),
        reject=outcomes.get("reject", 0),
        hold=outcomes.get("hold", 0),
        median_seconds=whole_seconds(median),
        items_per_hour=round(total / hours, 2) if hours > 0 else 0.0,
        last_hour=last_hour,
    )


def working_days_left(
    today: date, due_on: date, country: str, subdivision: str | None = None
) -> int:
    """Working days from `today` to `due_on`, both included; 0 once `due_on` has passed."""
    day, left = today, 0
    while day <= due_on:
        left += is_working_day(day, country, subdivision)
        day += timedelta(days=1)
    return left


def quote_deadline(
    inspection_id: str,
    request_id: str,
    item_id: str,
    final_cents: int,
    due_on: date,
    today: date,
    settings: SupervisionSettings,
) -> QuoteDeadline:
    return QuoteDeadline(
        inspection_id=inspection_id,
        request_id=request_id,
        item_id=item_id,
        final_cents=final_cents,
        response_due_on=due_on,
        working_days_left=working_days_left(today, due_on, settings.country, settings.subdivision),
        past_due=due_on < today,
    )


def hold_detail(reason_codes: Iterable[str]) -> str:
    """A hold's reasons in plain words; a code this bench does not know is shown as is."""
    known = {reason.value: reason for reason in Reason}
    words = [reason_text(known[code]) if code in known else code for code in reason_codes]
    return "; ".join(words) or "no reason recorded"


def station_health(
    station_id: str, last_seen: datetime, queue_depth: int, previous_depth: int | None,
    app_version: str, now: datetime, stale_after: timedelta,
) -> StationHealth:  # fmt: skip
    """A station's health from its heartbeat and the queue depth before it (None: no
    earlier reading, so not growing)."""
    return StationHealth(
        station_id=station_id,
        last_seen=last_seen,
        queue_depth=queue_depth,
        app_version=app_version,
        stale=now - last_seen > stale_after,
        queue_growing=previous_depth is not None and queue_depth > previous_depth,
    )


@dataclass
class StationWatch:
    """Tells a growing queue by comparing each station's depth with the previous reading,
    for a bench's own figures (it has no heartbeat row): the first reading never says
    growing.
    """

    stale_after: timedelta
    _previous: dict[str, int] = field(default_factory=dict)

    def health(
        self, station_id: str, last_seen: datetime, queue_depth: int, app_version: str,
        now: datetime,
    ) -> StationHealth:  # fmt: skip
        before = self._previous.get(station_id)
        self._previous[station_id] = queue_depth
        return station_health(
            station_id, last_seen, queue_depth, before, app_version, now, self.stale_after
        )


def page(rows: list[Row], limit: int | None) -> tuple[tuple[Row, ...], bool]:
    """A page read with one row more than asked for, so `more` costs no COUNT(*)."""
    if limit is None or len(rows) <= limit:
        return tuple(rows), False
    return tuple(rows[:limit]), True


def fetch_limit(limit: int | None) -> int | None:
    """How many rows to read for a page of `limit`: one more, to know if there are more."""
    return None if limit is None else limit + 1
