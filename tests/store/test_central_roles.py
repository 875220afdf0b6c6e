"""Who may do what at central: a station's login and a supervisor's, made the way the
README tells an administrator to, against a real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench import __version__
from bench.demo_data import demo_dataset
from bench.supervision import CENTRAL, SupervisionSettings
from store.central import (
    central_engine,
    conflict_table,
    heartbeat_table,
    init_central,
    inspection_table,
    write_demo_data,
)
from store.central.roles import STATION_ROLE, SUPERVISOR_ROLE
from store.central.supervision import CentralFigures
from store.local import LocalStore
from store.sync import SyncEngine
from tests.support.inspections import finished
from tests.support.store_helpers import central_count

DATASET = demo_dataset(date(2026, 11, 29), request_count=40)
SETTINGS = SupervisionSettings(ZoneInfo("America/New_York"), "US", None, timedelta(minutes=5))


@dataclass(frozen=True)
class Logins:
    """A station's and a supervisor's login URL on one central database."""

    admin: str
    station: str
    supervisor: str
    other_station: str
    """A second bench's login, in bench_station too."""


def conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def central(pg_url: str) -> str:
    init_central(pg_url)
    engine = central_engine(pg_url)
    try:
        write_demo_data(
            engine,
            DATASET.programs,
            DATASET.catalog,
            DATASET.requests,
            [(i, f"hash-{i.id}") for i in DATASET.inspectors],
        )
    finally:
        engine.dispose()
    return pg_url


@pytest.fixture
def logins(central: str) -> Iterator[Logins]:
    """Login roles in each group, as the README's administrator creates them. Roles are the
    whole server's: named uniquely for this run, and dropped after it."""
    suffix = uuid.uuid4().hex[:10]
    groups = {"station": STATION_ROLE, "other_station": STATION_ROLE,
              "supervisor": SUPERVISOR_ROLE}  # fmt: skip
    made = {who: f"bench_test_{who}_{suffix}" for who in groups}
    with psycopg.connect(conninfo(central), autocommit=True) as admin:
        for who, login in made.items():
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'unused-with-trust' IN ROLE {}").format(
                    sql.Identifier(login), sql.Identifier(groups[who])
                )
            )
    url = make_url(central)
    try:
        yield Logins(
            admin=central,
            **{
                who: url.set(username=login).render_as_string(hide_password=False)
                for who, login in made.items()
            },
        )
    finally:
        with psycopg.connect(conninfo(central), autocommit=True) as admin:
            for login in made.values():
                # Its sessions first: a role still connected cannot be dropped.
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                    [login],
                )
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


def sync_as(url: str, store: LocalStore, station: str) -> SyncEngine:
    return SyncEngine(store, url, station, app_version=__version__)


def refused(url: str, statement: str) -> bool:
    """True when central refuses `statement` to this login for want of a privilege."""
    with psycopg.connect(conninfo(url)) as conn:
        try:
            conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege:
            return True
        conn.rollback()
    return False


class TestStation:
    def test_the_real_sync_pushes_pulls_beats_and_flags_conflicts(
        self, logins: Logins, tmp_path: Path
    ) -> None:
        for n, station in enumerate(("B-01", "B-02")):
            store = LocalStore.open(tmp_path / f"{station}.db")
            store.finish_inspection(finished(1, station=station, item="TI-000042-01"))
            store.finish_inspection(finished(10 + n, station=station))
            sync = sync_as(logins.station, store, station)
            state = sync.run_once()
            assert state.online, state.problem
            assert state.pushed == 2 and state.quarantined == 0
            assert store.replica_counts()["requests"] == len(DATASET.requests)
            sync.close()
            store.close()
        engine = central_engine(logins.admin)
        with engine.connect() as conn:
            conflicts = conn.execute(select(conflict_table)).mappings().all()
            beats = conn.execute(select(heartbeat_table)).mappings().all()
        engine.dispose()
        assert [(c["request_item_id"], c["inspections"]) for c in conflicts] == [
            ("TI-000042-01", 2)
        ]
        assert sorted(b["station_id"] for b in beats) == ["B-01", "B-02"]

    def test_a_retried_push_goes_through_the_staging_table(
        self, logins: Logins, local: LocalStore
    ) -> None:
        for n in range(3):
            local.finish_inspection(finished(n))
        sync = sync_as(logins.station, local, "B-07")
        assert sync.run_once().pushed == 3
        # As if the bench died before marking them sent: central has them all already.
        with local.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE outbox SET sent_at = NULL")
        local.finish_inspection(finished(3))
        state = sync.run_once()
        sync.close()
        assert state.online and state.dead == 0, state.problem
        assert central_count(logins.admin) == 4

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE inspections SET final_cents = 999999",
            "DELETE FROM inspections",
            "TRUNCATE inspections",
            "UPDATE evidence_chain SET hash = repeat('0', 64)",
            "DELETE FROM evidence_chain",
            "UPDATE programs SET name = 'changed'",
            "DELETE FROM station_heartbeats",
            "INSERT INTO requests (id) VALUES ('TI-999999')",
        ],
    )
    def test_cannot_change_or_delete_a_result_nor_write_the_portals_tables(
        self, logins: Logins, local: LocalStore, statement: str
    ) -> None:
        local.finish_inspection(finished(1))
        sync = sync_as(logins.station, local, "B-07")
        assert sync.run_once().pushed == 1
        sync.close()
        assert refused(logins.station, statement)
        assert central_count(logins.admin, inspection_table.c.final_cents == 999999) == 0
        assert central_count(logins.admin) == 1

    def test_a_column_with_a_sequence_added_later_gets_its_grant_at_the_next_init(
        self, logins: Logins, local: LocalStore
    ) -> None:
        with psycopg.connect(conninfo(logins.admin), autocommit=True) as admin:
            admin.execute("ALTER TABLE station_heartbeats ADD COLUMN beat bigserial")
        init_central(logins.admin)
        sync = sync_as(logins.station, local, "B-07")
        state = sync.run_once()
        sync.close()
        assert state.online, state.problem

    def test_beats_for_its_own_station_only(self, logins: Logins, tmp_path: Path) -> None:
        # DESIGN.md: the upsert of its *own* heartbeat. The first login to beat as B-07 owns
        # its row; a second bench configured as B-07 by mistake is told, and nothing else
        # of its sync stops.
        first = sync_as(logins.station, LocalStore.open(tmp_path / "first.db"), "B-07")
        assert first.run_once().online
        mistaken_store = LocalStore.open(tmp_path / "second.db")
        mistaken_store.finish_inspection(finished(1, station="B-07"))
        mistaken = sync_as(logins.other_station, mistaken_store, "B-07")
        state = mistaken.run_once()
        assert state.pushed == 1
        assert state.needs_action is not None
        assert "another bench's login already reports as station B-07" in state.needs_action
        assert "Give each bench its own [station] id" in state.needs_action
        assert sync_as(logins.other_station, mistaken_store, "B-08").run_once().online
        assert first.run_once().online  # the owner still beats
        for sync in (first, mistaken):
            sync.close()
        engine = central_engine(logins.admin)
        with engine.connect() as conn:
            owners = dict(
                conn.execute(select(heartbeat_table.c.station_id, heartbeat_table.c.login)).all()
            )
        engine.dispose()
        assert owners == {
            "B-07": make_url(logins.station).username,
            "B-08": make_url(logins.other_station).username,
        }
        # Nor by hand: a row naming another login is refused, another's row is not seen to
        # update.
        assert refused(
            logins.other_station,
            "INSERT INTO station_heartbeats (station_id, last_seen, queue_depth, app_version, "
            "login) VALUES ('B-09', now(), 0, 'v', 'somebody')",
        )
        with psycopg.connect(conninfo(logins.other_station)) as conn:
            changed = conn.execute(
                "UPDATE station_heartbeats SET queue_depth = 99 WHERE station_id = 'B-07'"
            )
            assert changed.rowcount == 0

    def test_every_supervisor_screen_reads_central_through_a_station_login(
        self, logins: Logins, local: LocalStore
    ) -> None:
        # A supervisor's badge opens the screens at any bench, which reads with its own login.
        local.finish_inspection(finished(1))
        sync = sync_as(logins.station, local, "B-07")
        assert sync.run_once().pushed == 1
        sync.close()
        engine = central_engine(logins.station)
        figures = CentralFigures(engine, SETTINGS)
        now = datetime.now(UTC)
        try:
            reads = [
                figures.throughput(now - timedelta(days=2), now),
                figures.hourly(now - timedelta(days=2), now),
                figures.stations(now),
                figures.stuck(now),
                figures.quotes(now.date()),
                figures.settlements(),
                figures.grading(now - timedelta(days=30), now),
            ]
        finally:
            engine.dispose()
        assert all(read.source == CENTRAL for read in reads)
        assert [line.request_id for line in reads[5].rows] == sorted(
            {r.id for r in DATASET.requests if r.status != "cancelled"}
        )[: len(reads[5].rows)]
        assert len(reads[5].rows) > 0


class TestSupervisor:
    def test_reads_results_and_settlements(self, logins: Logins, local: LocalStore) -> None:
        local.finish_inspection(finished(1))
        sync = sync_as(logins.admin, local, "B-07")
        sync.run_once()
        sync.close()
        with psycopg.connect(conninfo(logins.supervisor)) as conn:
            assert conn.execute("SELECT count(*) FROM inspections").fetchone() == (1,)
            settled = conn.execute("SELECT count(*) FROM request_settlements").fetchone()
            assert settled is not None and settled[0] > 0
            conn.execute("SELECT * FROM item_conflicts, station_heartbeats, inspectors")

    @pytest.mark.parametrize(
        ("table", "statement"),
        [
            (
                "station_heartbeats",
                "INSERT INTO station_heartbeats (station_id, last_seen, queue_depth, app_version) "
                "VALUES ('X', now(), 0, 'v')",
            ),
            ("inspections", "UPDATE inspections SET final_cents = 999999"),
            ("inspections", "DELETE FROM inspections"),
            ("requests", "UPDATE requests SET status = 'credited'"),
        ],
    )
    def test_reads_a_table_but_writes_nothing_to_it(
        self, logins: Logins, table: str, statement: str
    ) -> None:
        assert not refused(logins.supervisor, f"SELECT * FROM {table}")
        assert refused(logins.supervisor, statement)


class TestInit:
    def test_twice_is_fine_and_takes_back_what_was_granted_by_hand(
        self, logins: Logins, local: LocalStore
    ) -> None:
        with psycopg.connect(conninfo(logins.admin), autocommit=True) as admin:
            admin.execute(f"GRANT UPDATE, DELETE ON inspections TO {STATION_ROLE}")
        assert not refused(logins.station, "DELETE FROM inspections")
        said: list[str] = []
        init_central(logins.admin, progress=said.append)
        assert (
            f"Granted {STATION_ROLE} and {SUPERVISOR_ROLE} their privileges on schema public"
            in said
        )
        assert refused(logins.station, "DELETE FROM inspections")
        local.finish_inspection(finished(1))
        sync = sync_as(logins.station, local, "B-07")
        assert sync.run_once().pushed == 1
        sync.close()

    def test_the_group_roles_cannot_log_in(self, central: str) -> None:
        with psycopg.connect(conninfo(central)) as conn:
            found = conn.execute(
                "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY(%s) ORDER BY 1",
                [[STATION_ROLE, SUPERVISOR_ROLE]],
            ).fetchall()
        assert found == [(STATION_ROLE, False), (SUPERVISOR_ROLE, False)]

    def test_sqlite_needs_no_roles(self, tmp_path: Path) -> None:
        said: list[str] = []
        init_central(f"sqlite:///{tmp_path / 'central.db'}", progress=said.append)
        assert "SQLite has no roles: nothing to grant" in said
