"""The bench driven through its real UI: log in, scan, inspect, confirm, find it stored."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from bench.domain import AnswerSource, Disposition, IdentifiedBy, Outcome
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.outcome import OutcomeView
from screens.request import RequestView
from screens.widgets import ProblemPanel
from tests.support.inputs import logged_in, typical_accepted_item
from tests.support.station import (
    PAN_V2_SERIAL,
    SIZE,
    SeededStation,
    Station,
    confirm_outcome,
    on_screen,
    open_request,
    scan,
    showing,
    wait_until,
)
from tests.support.store_helpers import finished_inspection, outbox_rows


def problem_text(app: BenchApp) -> str:
    panel = app.screen.query_one(ProblemPanel)
    return str(panel.render()) if panel.has_class("-visible") else ""


async def inspect(pilot: Pilot[None], request: str, device: str, keys: list[str]) -> None:
    app = pilot.app
    await scan(pilot, request)
    assert isinstance(showing(app), RequestView), problem_text(app)  # type: ignore[arg-type]
    await scan(pilot, device)
    assert isinstance(showing(app), ChecklistView), problem_text(app)  # type: ignore[arg-type]
    for key in keys:
        await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(showing(app), OutcomeView))


class TestInspectionToEachOutcome(SeededStation):
    @pytest.mark.parametrize(
        ("request_id", "device", "keys", "outcome", "cents", "disposition"),
        [
            pytest.param(
                "TI-000001", "WYZECP22301595691", ["enter", "n", "n", "y", "y"],
                Outcome.ACCEPT, 1500, Disposition.REFURBISH, id="accept",
            ),
            pytest.param(
                "TI-000005", "A19522929179284", ["enter", "n", "n", "y", "b", "y"],
                # GTR 2 (2020, base $42.00) at grade B, 6 years on: 4200 x 80% x 40%.
                Outcome.REVISE, 1344, Disposition.REFURBISH, id="revise",
            ),
            pytest.param(
                # Bought over 4 years ago: broken and dirty are not asked.
                "TI-000003", "2100300000118", ["enter", "y", "y"],
                Outcome.REJECT, 0, Disposition.RECYCLE, id="reject",
            ),
            pytest.param(
                # Not the declared serial: held, only the factory reset is asked.
                "TI-000004", "WYZECP23687093963", ["enter", "y"],
                Outcome.HOLD, 0, Disposition.HOLD, id="hold",
            ),
        ],
    )  # fmt: skip
    async def test_inspection_is_stored_with_its_outbox_row(
        self,
        station: Station,
        request_id: str,
        device: str,
        keys: list[str],
        outcome: Outcome,
        cents: int,
        disposition: Disposition,
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await logged_in(pilot)
            await inspect(pilot, request_id, device, keys)
            decision = app.session.decision()
            assert (decision.outcome, decision.disposition) == (outcome, disposition)
            inspection_id = app.session.active.started.id  # type: ignore[union-attr]
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(showing(app), RequestView))
            store = app.session.store
            saved = finished_inspection(store, inspection_id)
            assert saved is not None
            assert saved.decision.outcome is outcome
            assert saved.decision.final_cents == cents
            assert saved.decision.disposition is disposition
            assert saved.started.inspector_id == "EMP-0001"
            assert saved.started.station_id == "B-07"
            outbox = [row for row in outbox_rows(store) if row.inspection_id == inspection_id]
            assert len(outbox) == 1
            assert outbox[0].payload["outcome"] == outcome.value
            assert outbox[0].payload["final_cents"] == cents


class TestItemPickedByHand(SeededStation):
    async def test_is_recorded_as_picked_by_hand_not_as_a_scan_of_its_id(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot, "TI-000001")
            await pilot.press("enter")  # the highlighted item, picked from the list
            await on_screen(pilot, ChecklistView)
            context = str(app.screen.query_one("#context").render())
            assert "picked by hand" in context and "scanned" not in context
            active = app.session.active
            assert active is not None
            inspection_id = active.started.id
            # Nothing scanned gives the serial: the inspector reads it off the device.
            await pilot.press("enter", "y", "n", "n", "y", "y")
            await on_screen(pilot, OutcomeView)
            await confirm_outcome(pilot)
            saved = finished_inspection(app.session.store, inspection_id)
            assert saved is not None
            assert saved.started.identified_by is IdentifiedBy.HAND
            assert saved.started.scanned_code == ""
            [row] = [r for r in outbox_rows(app.session.store) if r.inspection_id == inspection_id]
            assert (row.payload["identified_by"], row.payload["scanned_code"]) == ("hand", "")


class TestInputsPerItem(SeededStation):
    async def test_a_typical_accepted_trade_up_item_takes_8_inputs(self, station: Station) -> None:
        """From the package label to the saved outcome (the README quotes the figure)."""
        given, saved = await typical_accepted_item(station)

        assert len(given) <= 8
        assert given == ["TI-000001", PAN_V2_SERIAL, "enter", "n", "n", "y", "y", "enter"]
        [done] = saved
        assert done.done.decision.outcome is Outcome.ACCEPT
        # Still one record per question, as central's answers keep them.
        assert [(a.question, a.source) for a in done.done.answers] == [
            ("model_listed", AnswerSource.PREFILLED),
            ("serial_matches", AnswerSource.PREFILLED),
            ("older_than_limit", AnswerSource.PREFILLED),
            ("broken", AnswerSource.INSPECTOR),
            ("dirty", AnswerSource.INSPECTOR),
            ("factory_reset", AnswerSource.INSPECTOR),
            ("owned_outright", AnswerSource.INSPECTOR),
        ]
