"""The supervisor's Throughput, Stuck and Deadlines tabs through the real app: every figure
on screen is the recount of the seeded site (tests/support/supervision.py), from central
on SQLite and PostgreSQL, and from the station's own file when central is unreachable.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Sparkline, TabbedContent

from bench.money import dollars
from bench.problems import Problem
from screens import dashboards
from screens.app import BenchApp
from screens.supervisor import SupervisorScreen
from screens.tables import FiguresTable
from store.local import LocalStore
from store.local.supervision import LocalFigures
from tests.support import dashboards as desk
from tests.support import supervision as site
from tests.support.sessions import session_of, write_demo_replica
from tests.support.station import log_in, on_show, screen_lines, shown, wait_until

SIZE = (120, 40)
SITE_TODAY = desk.NOW.astimezone(site.NEW_YORK).date()
STUCK_WORDS = {"not_inspected": "not inspected", "arrived_late": "arrived late",
               "on_hold": "on hold", "conflict": "conflict",
               "received": "received, nothing inspected"}  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def central(request: pytest.FixtureRequest, tmp_path: Path) -> desk.Site:
    url = (
        request.getfixturevalue("pg_url")
        if request.param == "postgres"
        else f"sqlite:///{tmp_path / 'central.db'}"
    )
    return desk.central_site(tmp_path, url)


def cells(app: BenchApp, table_id: str) -> list[list[str]]:
    table: DataTable[Any] = app.screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


def source(app: BenchApp, tab: str) -> str:
    return shown(app.screen.query_one(f"#{tab}-tab .figures-source", Label))


async def open_tab(pilot: Pilot[None], key: str, tab: str, table: str) -> None:
    """Log the supervisor in, open F12 and the tab `key` shows; wait for its figures."""
    app = pilot.app
    assert isinstance(app, BenchApp)
    await log_in(pilot, desk.SUPERVISOR, desk.PIN)
    await pilot.press("f12")
    await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
    await pilot.press(key)
    await wait_until(pilot, lambda: app.screen.query_one(TabbedContent).active == tab)
    await wait_until(pilot, lambda: not source(app, tab).startswith("Reading"))
    await wait_until(pilot, lambda: app.screen.query_one(f"#{table}", DataTable).row_count > 0)


def throughput_lines(rows: list[dict[str, Any]]) -> list[list[str]]:
    """The table as the recount has it: each station's totals, then its inspectors."""
    since, until = site.SHIFT, desk.NOW  # the first hour anything was inspected, to now
    hours = (until - since).total_seconds() / 3600
    found = site.recount_throughput(rows, since, until)
    lines = []
    for total in site.recount_throughput(rows, since, until, by_inspector=False):
        station = total["station_id"]
        for r in [total, *(r for r in found if r["station_id"] == station)]:
            median = r["median_seconds"]
            lines.append([station, r["inspector_id"] or "all", str(r["inspections"]),
                          str(r["last_hour"]), f"{r['inspections'] / hours:.1f}",
                          f"{median // 60}:{median % 60:02d}",
                          *(str(r[o]) for o in site.OUTCOMES)])  # fmt: skip
    return lines


def stuck_lines(rows: list[dict[str, Any]], by_supersedes: bool) -> list[list[str]]:
    """Every line still stuck, however old (the tab has no window)."""
    return [
        [f"{at.astimezone(site.NEW_YORK):%m-%d %H:%M}", STUCK_WORDS[kind], item or request or ""]
        for kind, request, item, at in site.recount_stuck(rows, by_supersedes)
    ]


def quote_lines(rows: list[dict[str, Any]], by_supersedes: bool) -> list[list[str]]:
    return [
        [item, dollars(1344), f"{due:%a %m-%d}", str(left),
         "accepted by silence" if past else "awaiting the customer"]
        for item, due, left, past in site.recount_quotes(rows, by_supersedes, SITE_TODAY)
    ]  # fmt: skip


def settlement_lines(rows: list[dict[str, Any]]) -> list[list[str]]:
    """request_settlements recounted: each item's latest inspections (not superseded),
    statuses as of central's today (UTC here, as CURRENT_DATE of SQLite and the test
    server's session)."""
    today = datetime.now(UTC).date()
    latest: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in site.latest(rows, by_supersedes=True):
        latest[r["request_item_id"]].append(r)
    words = {"ready": "ready", "awaiting_customer": "awaiting customer",
             "on_hold": "on hold", "pending": "pending"}  # fmt: skip
    lines = []
    for request in sorted({item[:9] for item in site.item_ids()}):
        items = [item for item in site.item_ids() if item.startswith(request)]
        inspected = [item for item in items if latest[item]]
        held = [i for i in items if len(latest[i]) > 1 or any(r["outcome"] == "hold"
                                                               for r in latest[i])]  # fmt: skip
        single = [latest[i][0] for i in items if len(latest[i]) == 1]
        amount = sum(r["final_cents"] for r in single if r["outcome"] in ("accept", "revise"))
        due = max((r["response_due_on"] for r in single if r["outcome"] == "revise"), default=None)
        if len(inspected) < len(items):
            status, ready_on = "pending", ""
        elif held:
            status, ready_on = "on_hold", ""
        else:
            status = "awaiting_customer" if due is not None and due >= today else "ready"
            last = max(r["finished_at"] for i in items for r in latest[i]).astimezone(UTC).date()
            ready = max(last, due + timedelta(days=1)) if due else last
            ready_on = f"{ready:%m-%d}"
        lines.append([request, "WYZE-UP", "refund", f"{len(inspected)}/{len(items)}",
                      str(len(held)), dollars(amount), words[status], ready_on])  # fmt: skip
    return lines


class TestFromCentral:
    async def test_throughput_is_the_recount_and_a_stale_station_says_so(
        self, central: desk.Site
    ) -> None:
        app = central.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "1", "throughput", "throughput-table")
            assert source(app, "throughput") == "From central, as of 16:00"
            assert cells(app, "throughput-table") == throughput_lines(central.rows)
            states = {
                shown(label).split()[0]: label for label in app.screen.query(".station-state")
            }
            assert set(states) == set(site.STATIONS)
            stale = states[desk.STALE]
            assert stale.has_class("-stale") and "STALE since 15:30" in shown(stale)
            assert not any(states[s].has_class("-stale") for s in ("B-01", "B-03"))
            assert "ok (3 queued)" in shown(states["B-03"])
            # The chart's hours per station are the recount's, from 08:00 to 15:00.
            hourly: dict[str, dict[datetime, int]] = defaultdict(dict)
            for hour, station, n in site.recount_hourly(central.rows, site.SHIFT, desk.NOW):
                hourly[station][hour] = n
            hours = [site.SHIFT + timedelta(hours=h) for h in range(8)]
            sparks = list(app.screen.query(Sparkline))
            assert [list(s.data or []) for s in sparks] == [
                [float(hourly[station].get(hour, 0)) for hour in hours] for station in site.STATIONS
            ]

    async def test_stuck_is_the_recount_and_enter_looks_the_item_up(
        self, central: desk.Site
    ) -> None:
        app = central.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "2", "stuck", "stuck-table")
            assert source(app, "stuck") == "From central, as of 16:00"
            expected = stuck_lines(central.rows, by_supersedes=True)
            assert [line[:3] for line in cells(app, "stuck-table")] == expected
            # The oldest first: a hold of three days ago, still on the shelf, and the other
            # item of its request, waiting since.
            old_hold, left_out = site.item_ids()[38:40]
            assert [line[1:3] for line in cells(app, "stuck-table")[:2]] == [
                ["not inspected", left_out],
                ["on hold", old_hold],
            ]
            await pilot.press("down")
            next_step = shown(app.screen.query_one("#stuck-next"))
            assert next_step.startswith(f"Next step: Review {old_hold} on the hold shelf")
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen.query_one(TabbedContent).active
                             == "disputes")  # fmt: skip
            assert app.screen.query_one("#dispute-code", Input).value == old_hold

    async def test_stuck_pages_with_pgdn_at_the_end_and_m(
        self, central: desk.Site, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(dashboards, "PAGE_ROWS", 4)
        app = central.app()
        expected = stuck_lines(central.rows, by_supersedes=True)
        assert len(expected) == 14
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "2", "stuck", "stuck-table")
            table = app.screen.query_one("#stuck-table", DataTable)
            assert table.row_count == 4
            assert "4 shown" in shown(app.screen.query_one("#stuck-count"))
            await pilot.press("pagedown")  # not yet at the end: the page moves, nothing read
            table.move_cursor(row=3)
            await pilot.press("pagedown")
            await wait_until(pilot, lambda: table.row_count == 8)
            await pilot.press("m")
            await wait_until(pilot, lambda: table.row_count == 12)
            await pilot.press("m")
            await wait_until(pilot, lambda: table.row_count == 14)
            assert [line[:3] for line in cells(app, "stuck-table")] == expected
            assert "14 still stuck" in shown(app.screen.query_one("#stuck-count"))

    async def test_deadlines_are_the_recount_and_filter_by_status(self, central: desk.Site) -> None:
        app = central.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "3", "deadlines", "quotes-table")
            assert source(app, "deadlines") == "From central, as of 16:00"
            assert cells(app, "quotes-table") == quote_lines(central.rows, by_supersedes=True)
            assert cells(app, "quotes-table")[0][4] == "accepted by silence"
            everything = settlement_lines(central.rows)
            await wait_until(pilot, lambda: cells(app, "settlements-table") == everything)
            for key, word in (("h", "on hold"), ("p", "pending"), ("r", "ready"), ("a", None)):
                await pilot.press(key)
                wanted = [line for line in everything if word is None or line[6] == word]
                assert wanted, key
                await wait_until(pilot, lambda w=wanted: cells(app, "settlements-table") == w)
                title = shown(app.screen.query_one("#settlements-title"))
                assert f"[{key}] {(word or 'all').upper()}" in title


class TestCentralUnreachable:
    async def test_the_tabs_show_this_benchs_records_and_say_so(self, tmp_path: Path) -> None:
        offline = desk.offline_site(tmp_path)
        assert offline.local is not None
        app = offline.app()
        said = "Central unreachable: from this bench's records, as of 16:00"
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "1", "throughput", "throughput-table")
            assert source(app, "throughput") == said
            assert app.screen.query_one("#throughput-tab .figures-source").has_class("-unreachable")
            assert cells(app, "throughput-table") == throughput_lines(offline.rows)
            await pilot.press("2")
            await wait_until(pilot, lambda: source(app, "stuck") == said)
            await wait_until(pilot, lambda: cells(app, "stuck-table") != [])
            lines = cells(app, "stuck-table")
            assert [line[:3] for line in lines if line[1] in STUCK_WORDS.values()] == (
                stuck_lines(offline.rows, by_supersedes=False)
            )
            refused = {line[2] for line in lines if line[1] == "refused by central"}
            assert set(offline.local.dead) <= refused
            assert [line[2] for line in lines if line[1] == "skipped from central"] == [
                "TI-000099",
                "TI-000098-01",
            ]
            await pilot.press("3")
            await wait_until(pilot, lambda: source(app, "deadlines") == said)
            await wait_until(pilot, lambda: cells(app, "quotes-table") != [])
            assert cells(app, "quotes-table") == quote_lines(offline.rows, by_supersedes=False)


class TestTheDesk:
    async def test_a_supervisor_goes_straight_to_throughput(self, central: desk.Site) -> None:
        from bench.cli.station import station_app

        app = station_app(central.config(), clock=lambda: desk.NOW, desk=True)
        async with app.run_test(size=(80, 24)) as pilot:
            from tests.support.station import station_open

            await station_open(pilot)
            await pilot.press(*desk.SUPERVISOR, "enter")
            await pilot.press(*desk.PIN, "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
            assert app.screen.query_one(TabbedContent).active == "throughput"
            await wait_until(pilot, lambda: on_show(app, "B-02 STALE since 15:30"))
            assert on_show(app, "1-5 Tabs")


def test_an_inspector_gets_none_of_the_figures(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "station.db")
    try:
        write_demo_replica(store)
        session = session_of(store, "EMP-0001")  # an inspector
        session.figures = LocalFigures(store.engine, "B-07", site.SETTINGS)
        for read in (session.shift_figures, session.stuck_lines, session.quote_deadlines,
                     session.settlement_lines):  # fmt: skip
            refused = read()
            assert isinstance(refused, Problem) and refused.title == "Supervisors only", read
        supervisor = session_of(store, "EMP-0002")
        supervisor.figures = session.figures
        assert not isinstance(supervisor.shift_figures(), Problem)
    finally:
        store.close()


class ListApp(App[None]):
    # A list of a fixed size, as on the tabs: rows measured later do not resize it.
    CSS = "FiguresTable { height: 6; width: 40; }"

    def compose(self) -> ComposeResult:
        yield FiguresTable(id="list")


async def test_a_list_drawn_before_its_rows_were_measured_shows_whole_cells() -> None:
    # A frame can land between adding rows and the table's measuring them when idle; the
    # rows it drew at the header's widths must not stay on screen.
    app = ListApp()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(FiguresTable)
        table.add_columns("Item", "Due")
        await pilot.pause()
        table.add_row(Text("TI-000001-02"), Text("Mon 11-23"))
        table.render_line(1)  # the frame drawn before the table was idle
        await pilot.pause()
        drawn = "".join(segment.text for segment in table.render_line(1))
        assert "TI-000001-02" in drawn and "Mon 11-23" in drawn, drawn


@pytest.fixture
def station_on_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The station's clock on UTC, the site in New York: five hours apart."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class TestTheSitesClock:
    @pytest.mark.usefixtures("station_on_utc")
    async def test_every_time_on_the_tabs_is_the_sites_not_the_stations(
        self, tmp_path: Path
    ) -> None:
        central = desk.central_site(tmp_path, f"sqlite:///{tmp_path / 'central.db'}")
        item = site.TWICE
        finished = sorted(
            (r["finished_at"] for r in central.rows if r["request_item_id"] == item),
            reverse=True,
        )
        app = central.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "1", "throughput", "throughput-table")
            assert source(app, "throughput") == "From central, as of 16:00"
            await pilot.press("4")
            field = app.screen.query_one("#dispute-code", Input)
            field.focus()
            await pilot.press(*item, "enter")
            await wait_until(pilot, lambda: cells(app, "dispute-found") != [])
            said = shown(app.screen.query_one("#dispute-source", Label))
            assert said.startswith("From central, as of 16:00: 2 inspections")
            assert [line[1] for line in cells(app, "dispute-found")] == [
                f"{at.astimezone(site.NEW_YORK):%Y-%m-%d %H:%M}" for at in finished
            ]
            detail = shown(app.screen.query_one("#dispute-detail"))
            assert f"finished {finished[0].astimezone(site.NEW_YORK):%Y-%m-%d %H:%M:%S}" in detail
            await pilot.press("5")
            grading = app.screen.query_one("#grading-source", Label)
            await wait_until(pilot, lambda: shown(grading).startswith("From central"))
            assert shown(grading).startswith("From central, as of 16:00")


class TestTheChart:
    async def test_one_hour_of_work_is_one_narrow_bar_on_the_last_eight_hours(
        self, tmp_path: Path
    ) -> None:
        from bench.cli.station import station_app

        central = desk.central_site(tmp_path, f"sqlite:///{tmp_path / 'central.db'}")
        early = site.SHIFT + timedelta(minutes=40)  # 08:40: only the 08:00 hour worked
        assert any(site.SHIFT <= r["finished_at"] < early for r in central.rows)
        app = station_app(central.config(), clock=lambda: early)
        async with app.run_test(size=SIZE) as pilot:
            await open_tab(pilot, "1", "throughput", "throughput-table")
            plot = app.screen.query_one("#throughput-plot")
            await wait_until(pilot, lambda: "08h" in "".join(plot_lines(app, plot)))
            lines = plot_lines(app, plot)
            ticks = next(line for line in lines if "08h" in line)
            assert [f"{h:02d}h" for h in range(1, 9)] == [w for w in ticks.split() if "h" in w]
            widest = max(len(run) for line in lines for run in re.findall("█+", line))
            # Eight hours share the width: one bar is under an hour's eighth, not the chart.
            assert 0 < widest < plot.size.width // 8, widest


def plot_lines(app: BenchApp, plot: Widget) -> list[str]:
    """The lines the chart paints on screen."""
    region = plot.region
    lines = screen_lines(app)[region.y : region.bottom]
    return [line[region.x : region.right] for line in lines]
