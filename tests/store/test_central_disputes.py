"""A dispute looked up at one bench finds what another bench did, once central has it.

Two stations, B-01 and B-02, share a central seeded with the demo warehouse (SQLite and
PostgreSQL) and push through the real sync. At B-02 an inspector inspects TI-000001's
device (changing one of the data's answers, with a reason), a supervisor reopens it and it
is inspected again; TI-000005 is inspected with the device picked by hand. At B-01 a
supervisor searches: every answer, how the device was identified, the outcome and value,
which inspection replaced which and the item's audit trail must be exactly what B-02's own
file holds (the recount: read from B-02's file directly). With central unreachable the
same search answers from B-01's records alone and says why; a result B-01 has not sent is
added to central's answer. The Grading tab's figures are the whole site's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from bench.checklist import Question
from bench.disputes import Disputes, KeyKind, SearchKey
from bench.domain import AnswerSource, IdentifiedBy, Outcome
from bench.grading import agreement
from bench.problems import Problem
from bench.scans import classify
from bench.session import Reopened, Session
from bench.supervision import CENTRAL, THIS_BENCH, SupervisionSettings
from store.central import central_engine
from store.central.supervision import CentralFigures
from store.errors import CentralUnavailable
from store.local import LocalStore, audit, inspections
from store.local.supervision import LocalFigures, grading_pairs
from store.supervision import StationFigures
from store.sync import SyncEngine
from tests.support.demo_site import ITEM, PAN_V2_SERIAL, pushed_station
from tests.support.explain import indexes_used
from tests.support.sessions import ALL_WELL, DIRTY, NOW, inspect, session_of

SETTINGS = SupervisionSettings(NOW.tzinfo, "US", None, timedelta(minutes=5))  # type: ignore[arg-type]
HAND_ITEM = "TI-000005-01"
OVERRIDE_REASON = "Box label differs"
# A device picked by hand: the bench asks whether its serial is the declared one.
BY_HAND = {**ALL_WELL, Question.SERIAL_MATCHES: "yes"}


def supervisor_at(local: LocalStore, station_id: str, central: Engine | None) -> Session:
    """EMP-0002 logged in at `station_id`, reading central's figures (None: unreachable)
    and falling back on the station's own."""

    def unreachable() -> Engine:
        raise CentralUnavailable("central is down for the test")

    session = session_of(local, "EMP-0002", station_id)
    session.figures = StationFigures(
        CentralFigures(central if central is not None else unreachable, SETTINGS),
        LocalFigures(local.engine, station_id, SETTINGS),
        lambda: NOW,
        station_id,
    )
    return session


def disputes(session: Session, code: str) -> Disputes:
    found = session.find_inspections(code)
    assert not isinstance(found, Problem), found
    return found


def b02_work(local: LocalStore) -> dict[str, str]:
    """What B-02 does: TI-000001 with the model-listed answer changed, reopened and
    inspected again; TI-000005 picked by hand. The inspections' ids by role."""
    session = session_of(local, "EMP-0001", "B-02")
    assert not isinstance(session.open_request("TI-000001"), Problem)
    active = session.inspect_device(classify(PAN_V2_SERIAL))
    assert not isinstance(active, Problem)
    assert session.change_fact(0, OVERRIDE_REASON) is None
    assert session.keep() is None
    while (step := active.checklist.current) is not None:
        assert session.answer(ALL_WELL[step.question]) is None
    first = session.confirm()
    assert not isinstance(first, Problem)
    supervisor = session_of(local, "EMP-0002", "B-02")
    supervisor.open_request("TI-000001")
    assert isinstance(supervisor.reopen_item(ITEM, "Customer dispute"), Reopened)
    second = inspect(session_of(local, "EMP-0003", "B-02"), "TI-000001", PAN_V2_SERIAL, DIRTY)
    by_hand = inspect(
        session_of(local, "EMP-0001", "B-02"), "TI-000005", HAND_ITEM, BY_HAND, by_hand=True
    )
    return {"first": first.started.id, "second": second.started.id, "hand": by_hand.started.id}


def b02_records(local: LocalStore, item: str) -> tuple[list[object], list[object]]:
    """The recount: B-02's own records of the item and its audit trail, from its file."""
    with local.engine.connect() as conn:
        found = inspections.records(conn, [item], None, 50)
        first = inspections.first_started(conn, item)
        assert first is not None
        return list(found), list(audit.about_item(conn, item, first))


@pytest.fixture
def two_benches(
    tmp_path: Path, central_url: str, demo_central: Engine
) -> Iterator[Callable[[str], tuple[LocalStore, SyncEngine]]]:
    opened: list[tuple[LocalStore, SyncEngine]] = []

    def open_station(station_id: str) -> tuple[LocalStore, SyncEngine]:
        opened.append(pushed_station(tmp_path / f"{station_id}.db", central_url, station_id))
        return opened[-1]

    yield open_station
    for local, sync in opened:
        sync.close()
        local.close()


class TestAnotherBenchsInspection:
    def test_is_found_at_this_bench_as_its_bench_recorded_it(
        self,
        two_benches: Callable[[str], tuple[LocalStore, SyncEngine]],
        demo_central: Engine,
    ) -> None:
        here, _ = two_benches("B-01")
        there, there_sync = two_benches("B-02")
        ids = b02_work(there)
        assert there_sync.run_once().pushed == 3
        there_sync.run_once()  # the chain's entries after the last inspection
        records, trail = b02_records(there, ITEM)

        supervisor = supervisor_at(here, "B-01", demo_central)
        for code in ("TI-000001", ITEM, PAN_V2_SERIAL):
            found = disputes(supervisor, code)
            assert (found.source, found.unreachable, found.unsent) == (CENTRAL, None, 0), code
            assert list(found.records) == records, code
            assert list(found.audit[ITEM]) == trail, code

        # What the recount holds, said plainly: both inspections, the newer replacing the
        # older, the changed answer with its reason, the audit trail of both and the reopen.
        latest, replaced = found.records
        assert latest.done.started.id == ids["second"] == replaced.superseded_by
        assert latest.done.started.supersedes == ids["first"] == replaced.done.started.id
        assert latest.done.decision.outcome is Outcome.REJECT
        overridden = [a for a in replaced.done.answers if a.source is AnswerSource.OVERRIDDEN]
        assert [(a.reason, a.inspector_id) for a in overridden] == [(OVERRIDE_REASON, "EMP-0001")]
        assert [line.event for line in found.audit[ITEM]] == [
            "inspection_started", "inspection_finished", "item_reopened",
            "inspection_started", "inspection_finished",
        ]  # fmt: skip
        assert {line.station_id for line in found.audit[ITEM]} == {"B-02"}
        assert found.names["EMP-0003"]

        (hand,) = disputes(supervisor, HAND_ITEM).records
        assert hand.done.started.id == ids["hand"]
        assert hand.done.started.identified_by is IdentifiedBy.HAND
        assert [hand] == b02_records(there, HAND_ITEM)[0]

    def test_central_unreachable_answers_from_this_bench_and_says_why(
        self, two_benches: Callable[[str], tuple[LocalStore, SyncEngine]]
    ) -> None:
        here, _ = two_benches("B-01")
        there, there_sync = two_benches("B-02")
        b02_work(there)
        there_sync.run_once()
        mine = inspect(session_of(here, "EMP-0001", "B-01"), "TI-000002", "TI-000002-01",
                       BY_HAND, by_hand=True)  # fmt: skip

        found = disputes(supervisor_at(here, "B-01", None), "TI-000001")
        assert (found.source, found.unreachable) == (THIS_BENCH, "central is down for the test")
        assert found.records == ()  # B-02's work is at central alone
        (own,) = disputes(supervisor_at(here, "B-01", None), "TI-000002-01").records
        assert own.done == mine

    def test_a_result_this_bench_has_not_sent_is_added_to_centrals(
        self,
        two_benches: Callable[[str], tuple[LocalStore, SyncEngine]],
        demo_central: Engine,
    ) -> None:
        here, _ = two_benches("B-01")
        there, there_sync = two_benches("B-02")
        b02_work(there)
        there_sync.run_once()
        # Later, B-01 inspects the same item (a conflict) and has not pushed it yet.
        inspector = session_of(here, "EMP-0001", "B-01")
        inspector.clock = lambda: NOW + timedelta(minutes=5)
        mine = inspect(inspector, "TI-000001", PAN_V2_SERIAL)

        found = disputes(supervisor_at(here, "B-01", demo_central), ITEM)
        assert (found.source, found.unsent) == (CENTRAL, 1)
        assert [r.done.started.station_id for r in found.records] == ["B-01", "B-02", "B-02"]
        assert found.records[0].done == mine
        stations = [line.station_id for line in found.audit[ITEM]]
        assert stations.count("B-01") == 2 and stations.count("B-02") == 5  # started, finished


class TestGrading:
    def test_the_figures_are_the_whole_sites_from_central_and_this_benchs_offline(
        self,
        two_benches: Callable[[str], tuple[LocalStore, SyncEngine]],
        demo_central: Engine,
    ) -> None:
        benches = {}
        for station_id, request, device in (
            ("B-01", "TI-000001", PAN_V2_SERIAL),
            ("B-02", "TI-000002", "TI-000002-01"),
        ):
            local, sync = benches[station_id] = two_benches(station_id)
            by_hand = device.startswith("TI-")
            inspect(session_of(local, "EMP-0001", station_id, second_share=1.0), request, device,
                    BY_HAND, by_hand=by_hand)  # fmt: skip
            inspect(session_of(local, "EMP-0003", station_id, second_share=1.0), request, device,
                    {**BY_HAND, **DIRTY}, by_hand=by_hand)  # fmt: skip
            assert sync.run_once().pushed == 2

        # The recount: every bench's pairs, from each bench's own file.
        window = (NOW - timedelta(days=30), NOW + timedelta(seconds=1))
        pairs = {}
        for station_id, (local, _) in benches.items():
            with local.engine.connect() as conn:
                pairs[station_id] = grading_pairs(conn, *window)
        assert [len(found) for found in pairs.values()] == [1, 1]

        here = benches["B-01"][0]
        online = supervisor_at(here, "B-01", demo_central).grading()
        assert not isinstance(online, Problem)
        assert (online.source, online.unreachable) == (CENTRAL, None)
        both = sorted([*pairs["B-01"], *pairs["B-02"]], key=lambda pair: pair.second.inspection_id)
        assert online.agreement == agreement(both)
        assert online.agreement.pairs == 2

        offline = supervisor_at(here, "B-01", None).grading()
        assert not isinstance(offline, Problem)
        assert offline.source == THIS_BENCH and offline.unreachable is not None
        assert offline.agreement == agreement(pairs["B-01"])
        assert offline.agreement.pairs == 1


def test_the_dispute_lookups_can_use_the_indexes_of_0010(
    central_url: str,
    demo_central: Engine,
    two_benches: Callable[[str], tuple[LocalStore, SyncEngine]],
) -> None:
    """EXPLAIN on PostgreSQL, sequential scans priced out (the tables are small here): the
    serial lookup and the audit trail name the expression indexes of migration 0010."""
    if demo_central.dialect.name != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    there, there_sync = two_benches("B-02")
    b02_work(there)
    there_sync.run_once()
    engine = central_engine(central_url)
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("SET enable_seqscan = off"))
    figures = CentralFigures(engine, SETTINGS)
    try:
        with indexes_used(engine) as plans:
            assert figures.disputes(SearchKey(KeyKind.SERIAL, PAN_V2_SERIAL)).rows
        used = set().union(*plans)
        for index in (
            "ix_request_items_declared_serial_upper",
            "ix_inspections_scanned_code_trgm",
            "ix_evidence_chain_audit_item",
            "ix_evidence_chain_audit_inspection",
        ):
            assert index in used, (index, plans)
    finally:
        engine.dispose()
