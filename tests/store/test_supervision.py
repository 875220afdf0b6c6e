"""The supervisor's figures, from central (SQLite and PostgreSQL) and from a station's own
file, each checked against the same site recounted by hand (tests/support/supervision.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from bench import __version__
from bench.supervision import CENTRAL, THIS_BENCH, FigureSource, StuckKind, StuckLine
from store.central import central_engine, init_central
from store.central.supervision import CentralFigures
from store.errors import CentralUnavailable
from store.figures import StuckKindRead, stuck_page
from store.local import LocalStore
from store.local.supervision import LocalFigures
from store.sync import SyncEngine
from tests.support import supervision as site
from tests.support.explain import indexes_used
from tests.support.inspections import finished


@pytest.fixture
def central(central_url: str) -> Iterator[tuple[Engine, list[dict[str, Any]]]]:
    init_central(central_url)
    engine = central_engine(central_url)
    rows = site.seed_central(engine)
    yield engine, rows
    engine.dispose()


def as_dicts(figures: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{name: getattr(row, name) for name in fields} for row in figures.rows]


THROUGHPUT_FIELDS = (
    "station_id", "inspector_id", "inspections", "accept", "revise", "reject", "hold",
    "median_seconds", "items_per_hour", "last_hour",
)  # fmt: skip


def stuck_tuples(
    lines: tuple[StuckLine, ...],
) -> list[tuple[str, str | None, str | None, datetime]]:
    return [(line.kind.value, line.request_id, line.item_id, line.since) for line in lines]


def keyset_pages(figures: FigureSource, now: datetime, size: int) -> list[StuckLine]:
    """The stuck list read as the Stuck tab reads it: pages of `size`, each after the key
    of the last line so far, until one says there is no more."""
    lines: list[StuckLine] = []
    while True:
        page = figures.stuck(now, limit=size, after=lines[-1].key if lines else None)
        lines += page.rows
        if not page.more:
            return lines


def test_a_page_after_a_key_reads_past_more_lines_of_its_time_than_a_page() -> None:
    """Six holds of one minute and pages of two: each page after a hold reads from that
    minute again, finds lines already shown first and must read further."""
    minute = datetime(2026, 11, 24, 9, tzinfo=UTC)
    holds = [StuckLine(StuckKind.ON_HOLD, "TI-000001", f"TI-000001-0{n}", minute)
             for n in range(1, 7)]  # fmt: skip
    later = StuckLine(StuckKind.CONFLICT, "TI-000002", "TI-000002-01", minute + timedelta(1))
    reads: list[tuple[datetime | None, int | None]] = []

    def kind(lines: list[StuckLine]) -> StuckKindRead:
        def read(not_before: datetime | None, limit: int | None) -> list[StuckLine]:
            if lines is holds:
                reads.append((not_before, limit))
            found = [line for line in lines if not_before is None or line.since >= not_before]
            return found[:limit]

        return read

    kinds = [kind(holds), kind([later])]
    pages: list[StuckLine] = []
    while True:
        page = stuck_page(kinds, 2, pages[-1].key if pages else None)
        pages += page[:2]
        if len(page) <= 2:
            break
    assert pages == [*holds, later]
    # Each page reads a page and one of that minute; lines already shown among them, it
    # reads as many more, until the read comes back short or has enough new lines.
    assert reads == [
        (None, 3), (minute, 3), (minute, 5), (minute, 3), (minute, 6), (minute, 10),
        (minute, 3), (minute, 6), (minute, 12),
    ]  # fmt: skip


class TestCentral:
    def test_throughput_is_the_recount(self, central: tuple[Engine, list[dict[str, Any]]]) -> None:
        engine, rows = central
        found = CentralFigures(engine, site.SETTINGS).throughput(site.SINCE, site.UNTIL)
        assert found.source == CENTRAL
        assert as_dicts(found, THROUGHPUT_FIELDS) == site.recount_throughput(
            rows, site.SINCE, site.UNTIL
        )
        per_station = CentralFigures(engine, site.SETTINGS).station_throughput(
            site.SINCE, site.UNTIL
        )
        assert as_dicts(per_station, THROUGHPUT_FIELDS) == site.recount_throughput(
            rows, site.SINCE, site.UNTIL, by_inspector=False
        )
        # The reopened item's three inspections all count, the old hold does not.
        counted = sum(row.inspections for row in found.rows)
        assert counted == len(site.in_window(rows, site.SINCE, site.UNTIL)) == 40
        # B-03/EMP-0002's median is 310.5 s: half up, not to even (310).
        by_key = {(row.station_id, row.inspector_id): row for row in found.rows}
        assert by_key[("B-03", "EMP-0002")].median_seconds == 311
        assert {row.station_id for row in found.rows} == set(site.STATIONS)
        assert {row.inspector_id for row in found.rows} == set(site.INSPECTORS)

    def test_hourly_counts_are_in_the_site_zone(
        self, central: tuple[Engine, list[dict[str, Any]]]
    ) -> None:
        engine, rows = central
        found = CentralFigures(engine, site.SETTINGS).hourly(site.SINCE, site.UNTIL)
        counts = [(c.hour, c.station_id, c.count) for c in found.rows]
        assert counts == site.recount_hourly(rows, site.SINCE, site.UNTIL)
        assert counts[0][0] == datetime(2026, 11, 24, 8, tzinfo=site.NEW_YORK)
        assert all(hour.utcoffset() == timedelta(hours=-5) for hour, _, _ in counts)

    def test_stuck_lists_holds_late_parcels_conflicts_and_left_out_items(
        self, central: tuple[Engine, list[dict[str, Any]]]
    ) -> None:
        engine, rows = central
        figures = CentralFigures(engine, site.SETTINGS)
        now = site.UNTIL
        everything = figures.stuck(now, limit=None)
        assert stuck_tuples(everything.rows) == site.recount_stuck(rows, by_supersedes=True)
        kinds = {line.item_id: line.kind for line in everything.rows}
        assert kinds[site.LATE] is StuckKind.ARRIVED_LATE
        assert kinds[site.TWICE] is StuckKind.CONFLICT
        assert kinds[site.LEFT_OUT] is StuckKind.NOT_INSPECTED
        assert site.REOPENED not in kinds  # held, then reopened and accepted
        assert kinds[site.item_ids()[38]] is StuckKind.ON_HOLD  # held three days ago
        # Received by the portal's word, and no bench touched it: since the portal's update.
        untouched = [line for line in everything.rows if line.request_id == site.UNTOUCHED]
        assert [(u.kind, u.item_id, u.since) for u in untouched] == [
            (StuckKind.RECEIVED, None, site.PORTAL_UPDATED)
        ]
        assert untouched[0].next_step.startswith(f"The portal says {site.UNTOUCHED} was received")
        late = next(line for line in everything.rows if line.item_id == site.LATE)
        assert late.detail == "Arrived after the shipping window"
        assert site.LATE in late.next_step and late.next_step.endswith(".")
        assert keyset_pages(figures, now, 4) == list(everything.rows)
        # From a time on: only lines since then (a left-out item: since its request's
        # first inspection in that window).
        cutoff = site.SHIFT + timedelta(hours=3)
        later = stuck_tuples(figures.stuck(now, limit=None, since=cutoff).rows)
        assert all(line[3] >= cutoff for line in later)
        assert [line for line in later if line[0] != "not_inspected"] == [
            line for line in site.recount_stuck(rows, True)
            if line[3] >= cutoff and line[0] != "not_inspected"
        ]  # fmt: skip

    def test_an_item_of_a_request_the_portal_closed_is_not_stuck(
        self, central: tuple[Engine, list[dict[str, Any]]]
    ) -> None:
        engine, _ = central
        figures = CentralFigures(engine, site.SETTINGS)
        assert site.LEFT_OUT in {line.item_id for line in figures.stuck(site.UNTIL).rows}
        with engine.begin() as conn:
            conn.execute(text("UPDATE requests SET status = 'inspected' WHERE id = :id"),
                         {"id": site.LEFT_OUT[:9]})  # fmt: skip
        assert site.LEFT_OUT not in {line.item_id for line in figures.stuck(site.UNTIL).rows}

    def test_quotes_count_working_days_and_lapse_into_acceptance(
        self, central: tuple[Engine, list[dict[str, Any]]]
    ) -> None:
        engine, rows = central
        found = CentralFigures(engine, site.SETTINGS).quotes(site.TODAY, limit=None)
        assert [
            (q.item_id, q.response_due_on, q.working_days_left, q.past_due) for q in found.rows
        ] == site.recount_quotes(rows, True, site.TODAY)
        by_due = {q.response_due_on: q for q in found.rows}
        lapsed = by_due[site.TODAY - timedelta(days=2)]
        assert (lapsed.working_days_left, lapsed.state.value) == (0, "accepted by silence")
        assert by_due[site.TODAY].working_days_left == 1  # the last day is today
        # Wed 25 and Fri 27 Nov: Thanksgiving and the weekend are not working days.
        assert by_due[site.TODAY + timedelta(days=3)].working_days_left == 2
        first_two = CentralFigures(engine, site.SETTINGS).quotes(site.TODAY, limit=2)
        assert (list(first_two.rows), first_two.more) == (list(found.rows[:2]), True)

    def test_settlements_are_the_views_rows_by_status_and_page(
        self, central: tuple[Engine, list[dict[str, Any]]]
    ) -> None:
        engine, _ = central
        with engine.connect() as conn:
            view = conn.execute(
                text("SELECT request_id, status, amount_cents FROM request_settlements")
            ).all()
        expected = sorted((r, s, a) for r, s, a in view)
        figures = CentralFigures(engine, site.SETTINGS)
        every = figures.settlements(limit=None)
        assert [(s.request_id, s.status, s.amount_cents) for s in every.rows] == expected
        statuses = {s for _, s, _ in expected}
        assert statuses == {"pending", "on_hold", "awaiting_customer", "ready"}
        for status in statuses:
            of_status = figures.settlements(status, limit=None)
            assert [s.request_id for s in of_status.rows] == [
                r for r, s, _ in expected if s == status
            ], status
        held = figures.settlements("on_hold", limit=None)
        held_ids = {s.request_id for s in held.rows}
        # The conflict holds its request; the reopen (a hold superseded) no longer does.
        assert "TI-000002" in held_ids and "TI-000001" not in held_ids
        page = figures.settlements(limit=3, offset=2)
        assert ([s.request_id for s in page.rows], page.more) == (
            [r for r, _, _ in expected][2:5],
            True,
        )

    def test_stations_stale_and_growing(
        self, central: tuple[Engine, list[dict[str, Any]]], central_url: str, tmp_path: Path
    ) -> None:
        """Stale by the heartbeat's time; growing by the depth the real heartbeat replaced,
        which central keeps: a screen opened afresh sees it in its first reading."""
        engine, _ = central
        now = datetime.now(UTC)
        beat = (
            "INSERT INTO station_heartbeats (station_id, last_seen, queue_depth, app_version) "
            "VALUES (:s, :seen, 4, '0.1.0')"
        )
        with engine.begin() as conn:  # as a portal or an older bench writes the contract's
            conn.execute(text(beat), {"s": "B-02", "seen": now - timedelta(minutes=30)})
        local = LocalStore.open(tmp_path / "station.db")
        try:
            sync = SyncEngine(local, central_url, "B-03", app_version=__version__)
            readings = []
            for queued in (0, 2, 2):
                for n in range(local.queued_count(), queued):
                    local.finish_inspection(finished(n, station="B-03"))
                sync.heartbeat()
                fresh = CentralFigures(engine, site.SETTINGS).stations(now).rows
                readings.append({s.station_id: (s.queue_depth, s.stale, s.queue_growing)
                                 for s in fresh})  # fmt: skip
        finally:
            local.close()
        assert [r["B-03"] for r in readings] == [(0, False, False), (2, False, True),
                                                 (2, False, False)]  # fmt: skip
        assert readings[-1]["B-02"] == (4, True, False)  # no earlier reading: not growing

    def test_an_unreachable_central_says_so(self) -> None:
        engine = central_engine("postgresql://bench@127.0.0.1:9/nowhere?connect_timeout=1")
        with pytest.raises(CentralUnavailable, match="Cannot read throughput from the central"):
            CentralFigures(engine, site.SETTINGS).throughput(site.SINCE, site.UNTIL)


def test_the_screens_queries_can_use_the_supervisor_indexes(pg_url: str) -> None:
    """EXPLAIN on PostgreSQL, with sequential scans priced out (the table is small here):
    each query names an index of migration 0007, so its predicate matches the index's."""
    init_central(pg_url)
    engine = central_engine(pg_url)
    try:
        site.seed_central(engine)
    finally:
        engine.dispose()
    engine = central_engine(pg_url)
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("SET enable_seqscan = off"))
    figures = CentralFigures(engine, site.SETTINGS)
    reads = {
        "ix_inspections_finished_at": lambda: figures.throughput(site.SINCE, site.UNTIL),
        "ix_inspections_revise_due_on": lambda: figures.quotes(site.TODAY),
        "ix_inspections_hold_finished_at": lambda: figures.stuck(site.UNTIL),
    }
    try:
        for index, read in reads.items():
            with indexes_used(engine) as plans:
                read()
            assert index in set().union(*plans), (index, plans)
    finally:
        engine.dispose()


def test_the_stuck_kinds_can_use_the_indexes_of_0011(pg_url: str) -> None:
    """EXPLAIN on PostgreSQL, sequential scans priced out: with no window, the items left
    uninspected and the requests received untouched are read from the open requests'
    partial indexes of migration 0011 (and the items' from 0014's), holds and conflicts
    by their own, so no kind reads the whole year."""
    init_central(pg_url)
    engine = central_engine(pg_url)
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("SET enable_seqscan = off"))
    try:
        site.seed_central(engine)
        with indexes_used(engine) as plans:
            assert CentralFigures(engine, site.SETTINGS).stuck(site.UNTIL).rows
    finally:
        engine.dispose()
    holds, conflicts, left_out, received = plans[-4:]
    assert "ix_inspections_hold_finished_at" in holds, plans
    assert "ix_item_conflicts_detected_at" in conflicts, plans
    assert "ix_requests_open" in left_out, plans
    # 0014's: a request's items and their inspections' times from the indexes alone.
    assert {"ix_request_items_request_id_id", "ix_inspections_request_item_id_finished_at"} <= (
        left_out
    ), plans
    assert "ix_requests_received_updated_at" in received, plans


class TestThisBench:
    @pytest.fixture
    def station(self, local: LocalStore) -> site.Station:
        return site.seed_station(local, "B-01")

    def test_throughput_and_hours_of_this_bench_alone(
        self, local: LocalStore, station: site.Station
    ) -> None:
        figures = LocalFigures(local.engine, "B-01", site.SETTINGS)
        found = figures.throughput(site.SINCE, site.UNTIL)
        assert found.source == THIS_BENCH
        assert as_dicts(found, THROUGHPUT_FIELDS) == site.recount_throughput(
            station.rows, site.SINCE, site.UNTIL
        )
        assert {row.station_id for row in found.rows} == {"B-01"}
        per_station = figures.station_throughput(site.SINCE, site.UNTIL)
        assert as_dicts(per_station, THROUGHPUT_FIELDS) == site.recount_throughput(
            station.rows, site.SINCE, site.UNTIL, by_inspector=False
        )
        hourly = figures.hourly(site.SINCE, site.UNTIL)
        assert [(c.hour, c.station_id, c.count) for c in hourly.rows] == site.recount_hourly(
            station.rows, site.SINCE, site.UNTIL
        )

    def test_stuck_adds_dead_letters_and_refused_rows(
        self, local: LocalStore, station: site.Station
    ) -> None:
        figures = LocalFigures(local.engine, "B-01", site.SETTINGS)
        found = figures.stuck(site.UNTIL, limit=None)
        expected = site.recount_stuck(station.rows, by_supersedes=False)
        expected += [("dead_letter", item[:9], item, at) for item, (at, _) in station.dead.items()]
        expected += [
            ("quarantined", key if table == "requests" else key[:9],
             key if table == "request_items" else None, at)
            for table, key, at in station.quarantined
        ]  # fmt: skip
        assert stuck_tuples(found.rows) == sorted(
            expected, key=lambda line: (line[3], line[0], line[2] or "")
        )
        assert keyset_pages(figures, site.UNTIL, 3) == list(found.rows)
        dead = [line for line in found.rows if line.kind is StuckKind.DEAD_LETTER]
        assert dead[0].detail == "central refused: check constraint"
        assert "REFUSED" in dead[0].next_step

    def test_quotes_settlements_and_this_station(
        self, local: LocalStore, station: site.Station
    ) -> None:
        figures = LocalFigures(local.engine, "B-01", site.SETTINGS)
        quotes = figures.quotes(site.TODAY, limit=None)
        assert [
            (q.item_id, q.response_due_on, q.working_days_left, q.past_due) for q in quotes.rows
        ] == site.recount_quotes(station.rows, False, site.TODAY)
        now = datetime.now(UTC)
        (me,) = figures.stations(now).rows
        assert (me.station_id, me.queue_depth, me.stale) == ("B-01", station.queued, False)
        settled = figures.settlements(limit=None)
        inspected = sorted({r["request_item_id"][:9] for r in station.rows})
        assert [s.request_id for s in settled.rows] == inspected
        # B-01 saw TI-000002-01 once (its own accept), so the request is not held here.
        pending = figures.settlements("pending", limit=None)
        assert all(s.status == "pending" for s in pending.rows) and pending.rows
