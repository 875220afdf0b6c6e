"""The supervisor's figures as a station's screens read them: central's, or this bench's
own when central cannot be reached.

`StationFigures` is the `bench.supervision.FigureSource` the station opener hands the
session. Each read asks central first; when central is unavailable it answers from the
station's file instead and says why (`Figures.unreachable`). After a failure it does not
knock again for `RETRY_AFTER`: every tab refreshes every 30 s, and each knock on a dead
server waits out the connect timeout.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from bench.disputes import Disputed, SearchKey, merged
from bench.grading import GradingPair
from bench.supervision import (
    CENTRAL,
    PAGE,
    THIS_BENCH,
    Figures,
    FigureSource,
    HourlyCount,
    QuoteDeadline,
    SettlementLine,
    Source,
    StationHealth,
    StuckKey,
    StuckLine,
    ThroughputRow,
)
from store.errors import CentralUnavailable

log = logging.getLogger(__name__)

Row = TypeVar("Row")

RETRY_AFTER = timedelta(seconds=25)
"""How long reads go straight to this bench's file after central failed one."""


class StationFigures:
    """Central's figures when it answers, this bench's when it does not; `as_of` on the
    station's clock, so the screens say the same time as the header."""

    def __init__(
        self,
        central: FigureSource | None,
        local: FigureSource,
        clock: Callable[[], datetime],
        station_id: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._central = central
        self._local = local
        self._station_id = station_id
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._failed: tuple[float, str] | None = None  # when central last failed, and why

    @property
    def source(self) -> Source:
        return CENTRAL if self._central is not None else THIS_BENCH

    def _read(self, read: Callable[[FigureSource], Figures[Row]]) -> Figures[Row]:
        why = self._recent_failure()
        if self._central is not None and why is None:
            try:
                found = read(self._central)
            except CentralUnavailable as error:
                why = str(error)
                log.warning("supervisor's figures from this bench: %s", why)
                with self._lock:
                    self._failed = (self._monotonic(), why)
            else:
                with self._lock:
                    self._failed = None
                return dataclasses.replace(found, as_of=self._clock())
        found = read(self._local)
        return dataclasses.replace(found, as_of=self._clock(), unreachable=why)

    def _recent_failure(self) -> str | None:
        with self._lock:
            failed = self._failed
        if failed is None or self._monotonic() - failed[0] > RETRY_AFTER.total_seconds():
            return None
        return failed[1]

    def throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        return self._read(lambda source: source.throughput(since, until))

    def station_throughput(self, since: datetime, until: datetime) -> Figures[ThroughputRow]:
        return self._read(lambda source: source.station_throughput(since, until))

    def hourly(self, since: datetime, until: datetime) -> Figures[HourlyCount]:
        return self._read(lambda source: source.hourly(since, until))

    def stations(self, now: datetime) -> Figures[StationHealth]:
        return self._read(lambda source: source.stations(now))

    def stuck(
        self,
        now: datetime,
        limit: int | None = PAGE,
        after: StuckKey | None = None,
        since: datetime | None = None,
    ) -> Figures[StuckLine]:
        return self._read(lambda source: source.stuck(now, limit, after, since))

    def quotes(
        self, today: date, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[QuoteDeadline]:
        return self._read(lambda source: source.quotes(today, limit, offset))

    def settlements(
        self, status: str | None = None, limit: int | None = PAGE, offset: int = 0
    ) -> Figures[SettlementLine]:
        return self._read(lambda source: source.settlements(status, limit, offset))

    def grading(self, since: datetime, until: datetime) -> Figures[GradingPair]:
        return self._read(lambda source: source.grading(since, until))

    def disputes(self, key: SearchKey, limit: int = PAGE) -> Figures[Disputed]:
        """Central's inspections, with this bench's results central has not received yet
        and its own audit entries (`bench.disputes.merged`)."""
        found = self._read(lambda source: source.disputes(key, limit))
        if found.source != CENTRAL:
            return found
        here = self._local.disputes(key, limit)
        rows = merged(found.rows, here.rows, self._station_id)
        more = found.more or len(rows) > limit
        return dataclasses.replace(found, rows=tuple(rows[:limit]), more=more)
