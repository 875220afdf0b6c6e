"""A blind second grading, through the real app with `[grading] second_share = 1`: the
inspector who confirms TI-000001's Pan v2 (dirty: a reject) is told to shelve it for a
second grading and its label says so; the same inspector is refused; another inspector
grades it blind (nothing of the first outcome, value or disposition on any screen); the
second inspection names the first as `second_of` and the request's settlement stays the
first's; the supervisor's Grading tab shows the agreement and the disagreement, whose
Enter opens the item in Disputes.
"""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, Static, TabbedContent

from bench.domain import FinishedInspection
from bench.labels import SECOND_GRADING
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.items import ItemList
from screens.outcome import OutcomeView
from screens.request import RequestView
from screens.supervisor import SupervisorScreen
from store.local import inspections
from tests.support.station import (
    ACCEPT_KEYS,
    PAN_V2_SERIAL,
    SIZE,
    SeededStation,
    Station,
    count_bells,
    log_in,
    log_out,
    on_screen,
    painted_in,
    problem_text,
    scan,
    showing,
    shown,
    station_store,
    wait_until,
    walk_to_outcome,
)

ITEM = "TI-000001-01"
# Not broken, dirty: on trade-up a reject; then reset and owned are still asked.
DIRTY_KEYS = ("enter", "n", "y", "y", "y")
# What the first inspection decided, which the second grader must not see.
FIRST_SAID = ("REJECT", "RECYCLE", "$0.00")


def every_screens_text(app: App[None]) -> str:
    """What every screen of the stack shows: its labels, statics and table cells."""
    parts = []
    for screen in app.screen_stack:
        for widget in screen.query("*"):
            if isinstance(widget, Label | Static):
                parts.append(str(widget.render()))
            elif isinstance(widget, DataTable):
                parts += [str(c) for r in range(widget.row_count) for c in widget.get_row_at(r)]
            elif isinstance(widget, ItemList):
                parts += [str(c) for key in widget.row_keys for c in widget.get_row(key)]
    return "\n".join(parts)


async def grade_and_get_picked(pilot: Pilot[None], app: BenchApp) -> FinishedInspection:
    """EMP-0001 finds the item dirty and confirms: its inspection, picked for a second one."""
    await walk_to_outcome(pilot, DIRTY_KEYS)
    await pilot.press("enter")
    await on_screen(pilot, RequestView)
    first = app.session.last_saved
    assert first is not None and app.session.last_picked
    return first


class TestASecondGrading(SeededStation):
    async def test_is_picked_refused_to_the_first_graded_blind_and_compared(
        self, station: Station
    ) -> None:
        app = station.app(second_share=1.0)
        async with app.run_test(size=SIZE) as pilot:
            # EMP-0001 finds it dirty and confirms: picked, and told so.
            first = await grade_and_get_picked(pilot, app)
            saved = shown(app.screen.query_one("#request-saved", Label))
            assert "Picked for a second grading: put it on the second-grading shelf" in saved
            assert painted_in(app.screen.query_one("#request-saved"), "text-warning")
            label = station_store(app).last_label()
            assert label is not None and label.label is not None
            assert label.label.headline == SECOND_GRADING
            assert label.label.value_text != "$0.00"  # the value is kept off it
            settled = app.session.settlement()

            # The same inspector may not grade it again.
            bells = count_bells(app)
            await scan(pilot, PAN_V2_SERIAL)
            assert "Another inspector must grade it" in problem_text(app)
            assert len(bells) == 1
            assert not isinstance(showing(app), ChecklistView)

            # EMP-0003 grades it blind.
            await log_out(pilot)
            await log_in(pilot, "EMP-0003")
            await scan(pilot, "TI-000001")
            await on_screen(pilot, RequestView)
            row = app.screen.query_one("#items", ItemList).get_row(ITEM)
            assert str(row[-1]) == "second grading due"
            for said in FIRST_SAID:
                assert said not in every_screens_text(app), said
            await scan(pilot, PAN_V2_SERIAL)
            await on_screen(pilot, ChecklistView)
            banner = app.screen.query_one("#second-grading", Label)
            assert banner.has_class("-visible")
            assert shown(banner) == (
                "Second grading of TI-000001-01: grade it without looking at the first"
            )
            for key in ACCEPT_KEYS:
                for said in FIRST_SAID:
                    assert said not in every_screens_text(app), (key, said)
                await pilot.press(key)
            await on_screen(pilot, OutcomeView)
            await pilot.press("enter")
            await on_screen(pilot, RequestView)

            second = app.session.last_saved
            assert second is not None
            assert second.started.second_of == first.started.id
            with station_store(app).engine.connect() as conn:
                recorded = inspections.records(conn, [ITEM], None, 50)
            assert {r.done.started.id: r.done.started.second_of for r in recorded} == {
                first.started.id: None,
                second.started.id: first.started.id,
            }
            assert app.session.settlement() == settled  # the first's reject still counts
            assert str(app.screen.query_one("#items", ItemList).get_row(ITEM)[-1]) == "REJECT"

            # The supervisor's Grading tab: agreement per question and inspector.
            await log_out(pilot)
            await log_in(pilot, "EMP-0002")
            await pilot.press("f12")
            await on_screen(pilot, SupervisorScreen)
            app.screen.query_one(TabbedContent).active = "grading"
            questions = app.screen.query_one("#grading-questions", DataTable)
            await wait_until(pilot, lambda: questions.row_count > 0)
            lines = [questions.get_row_at(n) for n in range(questions.row_count)]
            rows = {str(line[0]): [str(c) for c in line[1:]] for line in lines}
            # One pair: yes against no is no better than chance (0); no against no, with
            # no other answer ever given, tells nothing (—).
            assert rows["Dirty"] == ["1", "0%", "0.00"]
            assert rows["Broken or damaged"] == ["1", "100%", "—"]
            assert rows["Outcome"] == ["1", "0%", "0.00"]
            explained = shown(app.screen.query_one("#grading-explained", Static))
            assert "1 = they always agree, 0 = no better than chance" in explained
            inspectors = app.screen.query_one("#grading-inspectors", DataTable)
            firsts = [str(c) for c in inspectors.get_row_at(0)]
            assert firsts[:2] == ["EMP-0001", "first"]
            waiting = shown(app.screen.query_one("#grading-waiting", Label))
            assert waiting == "Nothing waits for a second grading (picked at this bench)"
            differing = app.screen.query_one("#grading-disagreements", DataTable)
            cells = [[str(c) for c in differing.get_row_at(n)] for n in range(differing.row_count)]
            assert ["TI-000001-01", "Dirty", "EMP-0001: yes", "EMP-0003: no"] in cells
            assert ["TI-000001-01", "Outcome", "EMP-0001: reject", "EMP-0003: accept"] in cells

            # Enter on a disagreement opens the item in Disputes.
            differing.focus()
            await pilot.press("enter")
            tabs = app.screen.query_one(TabbedContent)
            await wait_until(pilot, lambda: tabs.active == "disputes")
            found = app.screen.query_one("#dispute-found", DataTable)
            await wait_until(pilot, lambda: found.row_count == 2)

    async def test_a_pick_not_graded_yet_waits_on_the_grading_tab(self, station: Station) -> None:
        app = station.app(second_share=1.0)
        async with app.run_test(size=SIZE) as pilot:
            first = await grade_and_get_picked(pilot, app)
            await log_out(pilot)
            await log_in(pilot, "EMP-0002")
            await pilot.press("f12")
            await on_screen(pilot, SupervisorScreen)
            app.screen.query_one(TabbedContent).active = "grading"
            table = app.screen.query_one("#grading-waiting-table", DataTable)
            await wait_until(pilot, lambda: table.row_count > 0)
            assert shown(app.screen.query_one("#grading-waiting", Label)) == (
                "1 waits for its second grading (picked at this bench)"
            )
            picked = first.finished_at.astimezone(app.session.time_zone)
            assert [str(c) for c in table.get_row_at(0)] == [
                ITEM,
                f"{picked:%Y-%m-%d %H:%M}",
                "EMP-0001",
            ]
            source = shown(app.screen.query_one("#grading-source", Label))
            assert "0 second gradings since" in source
