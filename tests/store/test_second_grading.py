"""A blind second grading, through the store and the real push: the second inspection's
`second_of` is kept in the station's column and its outbox payload and written to
central's column (SQLite, and PostgreSQL by COPY); central's `request_settlements` and
`item_conflicts` ignore it, and both figure sources pair it with its first.

The inspections are made by the inspection session, as the bench makes them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from bench.domain import Outcome
from bench.grading import OUTCOME, SecondGradingWaiting, agreement
from bench.problems import Problem
from bench.reasons import REOPEN_REASONS
from bench.supervision import SupervisionSettings
from store.central import conflict_table, inspection_table
from store.central.supervision import CentralFigures
from store.local import LocalStore
from store.local.supervision import LocalFigures
from store.sync import SyncEngine
from tests.support.demo_site import ITEM, PAN_V2_SERIAL, settlement
from tests.support.sessions import DIRTY, NOW, inspect, session_of, write_demo_replica
from tests.support.store_helpers import outbox_rows

SETTINGS = SupervisionSettings(NOW.tzinfo, "US", None, timedelta(minutes=5))  # type: ignore[arg-type]
WINDOW = (NOW - timedelta(days=1), NOW + timedelta(days=1))


def graded_twice(local: LocalStore) -> tuple[str, str]:
    """TI-000001 accepted by EMP-0001 and picked (share 1), then graded again, blind, by
    EMP-0003, who finds it dirty: (the first inspection's id, the second's)."""
    first = inspect(session_of(local, "EMP-0001", second_share=1.0), "TI-000001", PAN_V2_SERIAL)
    second = inspect(session_of(local, "EMP-0003", second_share=1.0), "TI-000001",
                     PAN_V2_SERIAL, DIRTY)  # fmt: skip
    assert second.started.second_of == first.started.id
    assert (first.decision.outcome, second.decision.outcome) == (Outcome.ACCEPT, Outcome.REJECT)
    return first.started.id, second.started.id


class TestTheStation:
    def test_keeps_second_of_in_its_column_and_the_outbox_payload(self, local: LocalStore) -> None:
        write_demo_replica(local)
        first, second = graded_twice(local)
        with local.engine.connect() as conn:
            column = dict(conn.exec_driver_sql("SELECT id, second_of FROM inspections").all())
        assert column == {first: None, second: first}
        payloads = {row.inspection_id: row.payload for row in outbox_rows(local)}
        assert (payloads[first]["second_of"], payloads[second]["second_of"]) == (None, first)

    def test_the_second_grading_is_due_until_it_is_done_and_then_not_again(
        self, local: LocalStore
    ) -> None:
        write_demo_replica(local)
        first = inspect(session_of(local, "EMP-0001", second_share=1.0), "TI-000001",
                        PAN_V2_SERIAL)  # fmt: skip
        (due,) = local.request_inspections("TI-000001").second_due.values()
        assert (due.inspection_id, due.first_inspector_id) == (first.started.id, "EMP-0001")
        inspect(session_of(local, "EMP-0003", second_share=1.0), "TI-000001", PAN_V2_SERIAL)
        assert local.request_inspections("TI-000001").second_due == {}
        # Done: to anyone, the item is inspected again, and the first still counts.
        third = session_of(local, "EMP-0002", second_share=1.0)
        third.open_request("TI-000001")
        refused = third.inspect_item(ITEM)
        assert isinstance(refused, Problem) and refused.title == "Already inspected"
        assert local.request_inspections("TI-000001").decisions[ITEM] == first.decision

    def test_a_pick_waits_until_graded_again_or_reopened(self, local: LocalStore) -> None:
        write_demo_replica(local)
        assert local.second_gradings_waiting() == []
        first = inspect(session_of(local, "EMP-0001", second_share=1.0), "TI-000001",
                        PAN_V2_SERIAL)  # fmt: skip
        (waiting,) = local.second_gradings_waiting()
        assert waiting == SecondGradingWaiting(
            ITEM, first.started.id, "EMP-0001", first.finished_at
        )
        inspect(session_of(local, "EMP-0003", second_share=1.0), "TI-000001", PAN_V2_SERIAL)
        assert local.second_gradings_waiting() == []
        # Picked again after a reopen, then reopened: set aside, nothing to grade again.
        supervisor = session_of(local, "EMP-0002")
        supervisor.open_request("TI-000001")
        assert not isinstance(supervisor.reopen_item(ITEM, REOPEN_REASONS[0]), Problem)
        again = inspect(session_of(local, "EMP-0001", second_share=1.0), "TI-000001",
                        PAN_V2_SERIAL)  # fmt: skip
        assert [w.inspection_id for w in local.second_gradings_waiting()] == [again.started.id]
        supervisor.open_request("TI-000001")
        assert not isinstance(supervisor.reopen_item(ITEM, REOPEN_REASONS[0]), Problem)
        assert local.second_gradings_waiting() == []

    def test_this_benchs_figures_pair_the_two(self, local: LocalStore) -> None:
        write_demo_replica(local)
        first, second = graded_twice(local)
        (pair,) = LocalFigures(local.engine, "B-07", SETTINGS).grading(*WINDOW).rows
        assert (pair.first.inspection_id, pair.second.inspection_id) == (first, second)
        assert (pair.first.answers["dirty"], pair.second.answers["dirty"]) == ("no", "yes")


class TestCentral:
    def test_takes_second_of_and_settles_and_flags_without_it(
        self, local: LocalStore, sync: SyncEngine, demo_central: Engine
    ) -> None:
        first = inspect(session_of(local, "EMP-0001", second_share=1.0), "TI-000001",
                        PAN_V2_SERIAL)  # fmt: skip
        assert sync.run_once().pushed == 1
        before = settlement(demo_central, "TI-000001")
        assert (before["status"], before["amount_cents"]) == ("ready", first.decision.final_cents)
        second = inspect(session_of(local, "EMP-0003", second_share=1.0), "TI-000001",
                         PAN_V2_SERIAL, DIRTY)  # fmt: skip
        assert second.decision.outcome is Outcome.REJECT
        assert sync.run_once().pushed == 1

        with demo_central.connect() as conn:
            found = conn.execute(
                select(inspection_table.c.id, inspection_table.c.second_of).where(
                    inspection_table.c.request_item_id == ITEM
                )
            )
            assert {str(i): s and str(s) for i, s in found} == {
                first.started.id: None,
                second.started.id: first.started.id,
            }
            # Two inspections of one item, but the second only grades again: no conflict.
            assert conn.execute(select(conflict_table)).all() == []
        # The reject of the second grading changes nothing: the first's accept counts.
        assert settlement(demo_central, "TI-000001") == before

    def test_centrals_figures_pair_the_two(
        self, local: LocalStore, sync: SyncEngine, demo_central: Engine
    ) -> None:
        first, second = graded_twice(local)
        assert sync.run_once().pushed == 2
        found = CentralFigures(demo_central, SETTINGS).grading(*WINDOW)
        (pair,) = found.rows
        assert (pair.item_id, pair.first.inspector_id, pair.second.inspector_id) == (
            ITEM, "EMP-0001", "EMP-0003",
        )  # fmt: skip
        assert (pair.first.inspection_id, pair.second.inspection_id) == (first, second)
        disagreements = {(d.question, d.first_answer, d.second_answer)
                         for d in agreement(found.rows).disagreements}  # fmt: skip
        assert disagreements == {("dirty", "no", "yes"), (OUTCOME, "accept", "reject")}
