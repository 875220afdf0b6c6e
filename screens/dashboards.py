"""The supervisor's figures on screen: the Throughput, Stuck and Deadlines tabs.

Each tab asks the session (`Session.shift_figures`, `stuck_lines`, `quote_deadlines`,
`settlement_lines`) in a worker thread, since central is a network away, and shows the
answer when it comes with where it came from and as of when: "From central, as of 14:05",
or "Central unreachable: from this bench's records, as of 14:05". A tab reads again on
F5, when it is shown, and every 30 s while it is on show. Lists come a page at a time:
PgDn on the last line, or M, reads the next page below.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Sparkline, Static, TabbedContent
from textual_plotext import PlotextPlot

from bench.moments import at_site
from bench.money import dollars
from bench.problems import Problem
from bench.scans import Classified
from bench.supervision import (
    PAGE,
    Figures,
    HourlyCount,
    QuoteDeadline,
    SettlementLine,
    ShiftFigures,
    StationHealth,
    StuckKind,
    StuckLine,
    ThroughputRow,
)
from bench.text import shown
from screens.supervisor_tab import LookUpWanted, SupervisorTab
from screens.tables import FiguresTable
from screens.widgets import ID_CELLS, literal

log = logging.getLogger(__name__)

REFRESH_EVERY = 30.0
"""Seconds between reads of the tab on show."""
PAGE_ROWS = PAGE
"""Rows a list reads at a time."""
DETAIL_CELLS = 120

STUCK_WORDS = {
    StuckKind.NOT_INSPECTED: "not inspected",
    StuckKind.RECEIVED: "received, nothing inspected",
    StuckKind.ARRIVED_LATE: "arrived late",
    StuckKind.ON_HOLD: "on hold",
    StuckKind.CONFLICT: "conflict",
    StuckKind.DEAD_LETTER: "refused by central",
    StuckKind.QUARANTINED: "skipped from central",
}
STATUS_WORDS = {
    "ready": "ready",
    "awaiting_customer": "awaiting customer",
    "on_hold": "on hold",
    "pending": "pending",
}
# The Deadlines tab's filter keys: key -> (status, or None for all; the word shown).
STATUS_KEYS: dict[str, tuple[str | None, str]] = {
    "a": (None, "all"),
    "r": ("ready", "ready"),
    "w": ("awaiting_customer", "awaiting"),
    "h": ("on_hold", "on hold"),
    "p": ("pending", "pending"),
}


def minutes_seconds(seconds: int) -> str:
    """A median time as 5:10 (minutes and seconds)."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def per_hour(count: int, since: datetime, until: datetime) -> str:
    hours = (until - since).total_seconds() / 3600
    return f"{count / hours:.1f}" if hours > 0 else "0.0"


def station_word(health: StationHealth, zone: tzinfo | None) -> str:
    """A station's state in words (the colour only repeats them)."""
    words = [shown(health.station_id, ID_CELLS)]
    if health.stale:
        words.append(f"STALE since {at_site(health.last_seen, zone)}")
    if health.queue_growing:
        words.append(f"QUEUE GROWING ({health.queue_depth:,})")
    if not health.stale and not health.queue_growing:
        words.append(f"ok ({health.queue_depth:,} queued)")
    return " ".join(words)


class FiguresRead(Message, bubble=False):
    """A tab's read ended: what it asked (`what`), the answer or why there is none, and
    whether the rows go below those shown (a next page) or in their place."""

    def __init__(self, what: str, found: Any, append: bool) -> None:
        super().__init__()
        self.what = what
        self.found = found
        self.append = append


class PagedTable(FiguresTable):
    """A list read a page at a time: PgDn on its last line asks for the next page."""

    class MoreWanted(Message):
        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.more = False
        """The source has rows after those shown."""

    def action_page_down(self) -> None:
        if self.more and self.cursor_row >= self.row_count - 1:
            self.post_message(self.MoreWanted(self))
        else:
            super().action_page_down()


class FiguresTab(SupervisorTab):
    """A tab of figures: read in a thread when shown, on F5 and every 30 s on show."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "more", "More", id="more", show=False),
    ]

    def on_mount(self) -> None:
        self.set_interval(REFRESH_EVERY, self._tick)

    def on_show(self) -> None:
        self.reload()

    def _tick(self) -> None:
        tabs = self.screen.query_one(TabbedContent)
        if self.screen.is_current and tabs.active == self.TAB_ID:
            self.reload()

    @property
    def scan_hint(self) -> str:
        return "Scan a request id, item id, serial or tracking number to look it up."

    def handle_scan(self, scan: Classified) -> None:
        # A code scanned over the figures is looked up, as in the Disputes tab.
        self.post_message(LookUpWanted(scan.value))

    @work(thread=True, exit_on_error=False, group="figures")
    def read(self, what: str, ask: Callable[[], Any], append: bool = False) -> None:
        """Ask the session off the UI thread (central is a network away); post the answer."""
        try:
            found = ask()
        except Exception as error:  # a worker's error would vanish: say it, log it
            log.exception("the supervisor's %s could not be read", what)
            found = Problem(
                "Figures not read",
                f"The {what} could not be read: {error}",
                "Press F5 to try again; the log has the details.",
            )
        self.post_message(FiguresRead(what, found, append))

    @on(FiguresRead)
    def figures_read(self, message: FiguresRead) -> None:
        if isinstance(message.found, Problem):
            self.show_problem(message.found)
            return
        self.show_figures(message.what, message.found, message.append)

    def show_figures(self, what: str, found: Any, append: bool) -> None:
        raise NotImplementedError

    def show_source(self, found: Figures[Any]) -> None:
        self.say_where(self.query_one(".figures-source", Label), found)

    def fill(
        self, table: PagedTable, found: Figures[Any], rows: Iterable[tuple[Text, ...]],
        append: bool,
    ) -> None:  # fmt: skip
        """Put a page of rows in a list (below those shown, or in their place)."""
        if not append:
            cursor = table.cursor_row
            table.clear()
        for row in rows:
            table.add_row(*row)
        table.more = found.more
        if not append and table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def action_more(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, PagedTable) and focused.more:
            self.read_more(focused)

    @on(PagedTable.MoreWanted)
    def more_wanted(self, message: PagedTable.MoreWanted) -> None:
        self.read_more(message.table)

    def read_more(self, table: PagedTable) -> None:
        """Read the page after the rows `table` shows."""
        raise NotImplementedError


# --- Throughput -----------------------------------------------------------------------


SHIFT_HOURS = 8
"""The chart spans at least this many hours to now: one hour's data is one narrow bar."""
BAR_WIDTH = 0.5
"""A bar's share of its hour on the chart's x axis."""


def hours_of(counts: Iterable[HourlyCount], now: datetime) -> list[datetime]:
    """Every hour of the chart, in the zone of `now` (the site's): from the first counted
    today, or the last `SHIFT_HOURS` if they reach back further (but not before midnight:
    yesterday is not read), to the hour now."""
    last = (now - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first = min((c.hour for c in counts), default=last)
    hour = max(midnight, min(first, last - timedelta(hours=SHIFT_HOURS - 1)))
    hours = []
    while hour < now:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours


class ThroughputTab(FiguresTab):
    """Today per station and inspector, the site's inspections per hour, the stations."""

    TITLE = "Throughput"
    TAB_ID = "throughput"

    def compose(self) -> ComposeResult:
        yield Label("Reading…", classes="figures-source muted", markup=False)
        yield Horizontal(id="station-states")
        yield DataTable[Text](id="throughput-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="throughput-chart"):
            yield PlotextPlot(id="throughput-plot")
            yield Vertical(id="throughput-sparks")

    def on_mount(self) -> None:
        super().on_mount()
        table: DataTable[Text] = self.query_one("#throughput-table", DataTable)
        table.add_columns(
            "Station", "Inspector", "Today", "Last h", "Per h", "Median", "Acc", "Rev", "Rej",
            "Hold",
        )  # fmt: skip

    def reload(self) -> None:
        self.read("throughput", self.session.shift_figures)

    def show_figures(self, what: str, found: Any, append: bool) -> None:
        assert isinstance(found, ShiftFigures)
        self.clear_problem()
        self.show_source(found.throughput)
        now = found.throughput.as_of
        self._show_stations(found.stations.rows)
        self._show_table(found.per_station.rows, found.throughput.rows, found.since, now)
        self._show_chart(found.hourly.rows, now.astimezone(self.session.time_zone))

    def _show_stations(self, stations: Iterable[StationHealth]) -> None:
        box = self.query_one("#station-states", Horizontal)
        box.remove_children()
        badges = []
        for health in stations:
            badge = Label(station_word(health, self.session.time_zone), classes="station-state",
                          markup=False)  # fmt: skip
            badge.set_class(health.stale, "-stale")
            badge.set_class(health.queue_growing, "-growing")
            badges.append(badge)
        box.mount_all(badges or [Label("No station has reported yet.", classes="muted")])

    def _show_table(
        self,
        stations: tuple[ThroughputRow, ...],
        rows: tuple[ThroughputRow, ...],
        since: datetime,
        now: datetime,
    ) -> None:
        table: DataTable[Text] = self.query_one("#throughput-table", DataTable)
        table.clear()
        for total in stations:
            table.add_row(
                *(Text(cell, style="bold") for cell in (
                    shown(total.station_id, ID_CELLS), "all", str(total.inspections),
                    str(total.last_hour), per_hour(total.inspections, since, now),
                    minutes_seconds(total.median_seconds), str(total.accept), str(total.revise),
                    str(total.reject), str(total.hold),
                ))
            )  # fmt: skip
            for row in rows:
                if row.station_id == total.station_id:
                    table.add_row(
                        literal(row.station_id, ID_CELLS), literal(row.inspector_id, ID_CELLS),
                        Text(str(row.inspections)), Text(str(row.last_hour)),
                        Text(per_hour(row.inspections, since, now)),
                        Text(minutes_seconds(row.median_seconds)), Text(str(row.accept)),
                        Text(str(row.revise)), Text(str(row.reject)), Text(str(row.hold)),
                    )  # fmt: skip

    def _show_chart(self, counts: tuple[HourlyCount, ...], now: datetime) -> None:
        hours = hours_of(counts, now)
        site = dict.fromkeys(hours, 0)
        per_station: dict[str, dict[datetime, int]] = defaultdict(lambda: dict.fromkeys(hours, 0))
        for count in counts:
            site[count.hour] = site.get(count.hour, 0) + count.count
            per_station[count.station_id][count.hour] = count.count
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Inspections per hour, whole site")
        zone = self.session.time_zone
        if hours:
            plt.bar([at_site(hour, zone, "%Hh") for hour in hours], list(site.values()),
                    width=BAR_WIDTH)  # fmt: skip
        # At least SHIFT_HOURS slots wide, so an early morning's few bars stay narrow too.
        plt.xlim(1 - BAR_WIDTH, max(len(hours), SHIFT_HOURS) + BAR_WIDTH)
        plot.refresh()
        sparks = self.query_one("#throughput-sparks", Vertical)
        sparks.remove_children()
        lines = []
        for station, by_hour in sorted(per_station.items()):
            values = [float(n) for n in by_hour.values()]
            lines.append(
                Horizontal(
                    Label(f"{shown(station, ID_CELLS)} {int(sum(values)):>4}", markup=False),
                    Sparkline(values, summary_function=max),
                    classes="station-spark",
                )
            )
        title = (
            f"Per hour since {at_site(hours[0], zone)}, by station"
            if counts
            else "Nothing inspected today."
        )
        sparks.mount_all([Label(title, classes="muted"), *lines])


# --- Stuck ----------------------------------------------------------------------------


class StuckTab(FiguresTab):
    """What waits for a person, oldest first, with its next step; Enter looks an item up."""

    TITLE = "Stuck"
    TAB_ID = "stuck"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lines: list[StuckLine] = []

    def compose(self) -> ComposeResult:
        yield Label("Reading…", classes="figures-source muted", markup=False)
        yield PagedTable(id="stuck-table")
        yield Static(id="stuck-next", markup=False)
        yield Label(id="stuck-count", classes="muted", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#stuck-table", PagedTable)
        table.add_columns("Since", "What", "Item or request", "Detail")

    def reload(self) -> None:
        # In place of what is shown, as many lines as are shown: a refresh keeps the place.
        shown_rows = max(PAGE_ROWS, len(self._lines))
        self.read("stuck lines", lambda: self.session.stuck_lines(None, shown_rows))

    def read_more(self, table: PagedTable) -> None:
        # After the last line shown, by its key: a deep page costs what the first does.
        after = self._lines[-1].key if self._lines else None
        self.read("stuck lines", lambda: self.session.stuck_lines(after, PAGE_ROWS), True)

    def show_figures(self, what: str, found: Any, append: bool) -> None:
        self.clear_problem()
        self.show_source(found)
        self._lines = [*self._lines, *found.rows] if append else list(found.rows)
        zone = self.session.time_zone
        rows = (
            (
                Text(at_site(line.since, zone, "%m-%d %H:%M")),
                Text(STUCK_WORDS[line.kind]),
                literal(line.item_id or line.request_id or "", ID_CELLS),
                literal(line.detail, DETAIL_CELLS),
            )
            for line in found.rows
        )
        table = self.query_one("#stuck-table", PagedTable)
        self.fill(table, found, rows, append)
        count = len(self._lines)
        self.query_one("#stuck-count", Label).update(
            f"{count} shown, oldest first · PgDn on the last line or M for more"
            if found.more
            else f"{count} still stuck, oldest first"
            if count
            else "Nothing is stuck."
        )
        self._show_next(table.cursor_row)

    @on(DataTable.RowHighlighted, "#stuck-table")
    def line_picked(self, event: DataTable.RowHighlighted) -> None:
        self._show_next(event.cursor_row)

    def _show_next(self, index: int) -> None:
        line = self._lines[index] if 0 <= index < len(self._lines) else None
        self.query_one("#stuck-next", Static).update(
            ""
            if line is None
            else f"Next step: {shown(line.next_step, DETAIL_CELLS * 2)}"
            + (" (Enter: its inspections)" if line.item_id else "")
        )

    @on(DataTable.RowSelected, "#stuck-table")
    def line_chosen(self, event: DataTable.RowSelected) -> None:
        line = self._lines[event.cursor_row] if event.cursor_row < len(self._lines) else None
        if line is not None and line.item_id:
            self.post_message(LookUpWanted(line.item_id))


# --- Deadlines ------------------------------------------------------------------------


class DeadlinesTab(FiguresTab):
    """Revised quotes and the customer's last day; below, requests by settlement status."""

    TITLE = "Deadlines"
    TAB_ID = "deadlines"
    BINDINGS: ClassVar[list[BindingType]] = [
        *FiguresTab.BINDINGS,
        *(Binding(key, f"filter('{key}')", word, show=False) for key, (_, word) in
          STATUS_KEYS.items()),
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status: str | None = None
        """The settlements shown: of this status, or all."""
        self._quotes = 0
        self._settlements = 0

    def compose(self) -> ComposeResult:
        yield Label("Reading…", classes="figures-source muted", markup=False)
        yield Label("Revised quotes: the customer's last day to reject", classes="prompt")
        yield PagedTable(id="quotes-table")
        yield Label(id="settlements-title", classes="prompt", markup=False)
        yield PagedTable(id="settlements-table")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#quotes-table", PagedTable).add_columns(
            "Item", "Amount", "Due", "Days left", "State"
        )
        self.query_one("#settlements-table", PagedTable).add_columns(
            "Request", "Program", "Kind", "Items", "Held", "Amount", "Status", "Ready on"
        )
        self._title()

    def _title(self) -> None:
        keys = "  ".join(
            f"[{key}] {word}" if status != self.status else f"[{key}] {word.upper()}"
            for key, (status, word) in STATUS_KEYS.items()
        )
        self.query_one("#settlements-title", Label).update(f"Settlements  {keys}")

    def reload(self) -> None:
        quotes, settlements = max(PAGE_ROWS, self._quotes), max(PAGE_ROWS, self._settlements)
        self.read("revised quotes", lambda: self.session.quote_deadlines(0, quotes))
        status = self.status
        self.read("settlements", lambda: self.session.settlement_lines(status, 0, settlements))

    def action_filter(self, key: str) -> None:
        self.status = STATUS_KEYS[key][0]
        self._settlements = 0
        self._title()
        status = self.status
        self.read("settlements", lambda: self.session.settlement_lines(status, 0, PAGE_ROWS))

    def read_more(self, table: PagedTable) -> None:
        if table.id == "quotes-table":
            offset = self._quotes
            self.read("revised quotes", lambda: self.session.quote_deadlines(offset, PAGE_ROWS),
                      True)  # fmt: skip
        else:
            offset, status = self._settlements, self.status
            self.read(
                "settlements",
                lambda: self.session.settlement_lines(status, offset, PAGE_ROWS),
                True,
            )

    def show_figures(self, what: str, found: Any, append: bool) -> None:
        self.clear_problem()
        if what == "revised quotes":
            self.show_source(found)
            self._quotes = (self._quotes if append else 0) + len(found.rows)
            self.fill(self.query_one("#quotes-table", PagedTable), found,
                      map(quote_cells, found.rows), append)  # fmt: skip
        else:
            self._settlements = (self._settlements if append else 0) + len(found.rows)
            self.fill(self.query_one("#settlements-table", PagedTable), found,
                      map(settlement_cells, found.rows), append)  # fmt: skip


def quote_cells(quote: QuoteDeadline) -> tuple[Text, ...]:
    state = Text(quote.state.value, style="bold" if quote.past_due else "")
    return (
        literal(quote.item_id, ID_CELLS),
        Text(dollars(quote.final_cents), justify="right"),
        Text(f"{quote.response_due_on:%a %m-%d}"),
        Text(str(quote.working_days_left), justify="right"),
        state,
    )


def settlement_cells(line: SettlementLine) -> tuple[Text, ...]:
    return (
        literal(line.request_id, ID_CELLS),
        literal(line.program_code, ID_CELLS),
        Text(line.kind.replace("_", " ")),
        Text(f"{line.items_inspected}/{line.items}"),
        Text(str(line.items_held)),
        Text(dollars(line.amount_cents), justify="right"),
        Text(STATUS_WORDS.get(line.status, line.status)),
        Text(f"{line.ready_on:%m-%d}" if line.ready_on else ""),
    )
