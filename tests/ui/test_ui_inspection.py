"""A whole inspection by scanner alone or keyboard alone; overrides; resuming after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from bench.checklist import OVERRIDE_REASONS, Question, Step
from bench.domain import AnswerSource, Outcome
from screens.app import BenchApp
from screens.checklist import ChecklistView, _keys_text
from screens.dialogs import ConfirmScreen, ReasonScreen
from screens.home import HomeView
from screens.items import ItemList
from screens.outcome import OutcomeView
from screens.package import PackageScreen
from screens.request import RequestView
from store.local import LocalStore, inspection_table
from tests.core.test_checklist import checklist_for, facts
from tests.support.station import (
    ACCEPT_KEYS,
    PAN_V2_SERIAL,
    REVISE,
    SIZE,
    SeededStation,
    Station,
    after_each_frame,
    log_in,
    on_screen,
    on_show,
    open_checklist,
    open_request,
    painted_in,
    painted_on,
    press_or_scan,
    problem_text,
    rendered,
    scan,
    screen_lines,
    showing,
    shown,
    station_store,
    wait_until,
    walk_to_outcome,
)
from tests.support.store_helpers import audit_events, finished_inspection


def status_of(store: LocalStore, inspection_id: str) -> str:
    with store.engine.connect() as conn:
        status: str = conn.execute(
            select(inspection_table.c.status).where(inspection_table.c.id == inspection_id)
        ).scalar_one()
    return status


def restyles_noted(app: BenchApp) -> list[DOMNode]:
    """The nodes whose styles are re-applied from now on, as they are."""
    restyled: list[DOMNode] = []
    update_nodes = app.stylesheet.update_nodes

    def noted(nodes: Iterable[DOMNode], animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.extend(nodes)
        update_nodes(nodes, animate=animate)

    app.stylesheet.update_nodes = noted  # type: ignore[method-assign]
    return restyled


class TestViewsAndFocus(SeededStation):
    async def test_moving_between_checklist_and_outcome_restyles_neither_view(
        self, station: Station
    ) -> None:
        """No style of theirs depends on their focus: Textual would re-apply the styles of
        the view and all it holds at each move, for nothing."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            views = [app.screen.query_one(ChecklistView), app.screen.query_one(OutcomeView)]
            restyled = restyles_noted(app)
            await pilot.press(*ACCEPT_KEYS)
            await on_screen(pilot, OutcomeView)
            await pilot.press("backspace")
            await on_screen(pilot, ChecklistView)
            await pilot.press("y")
            await on_screen(pilot, OutcomeView)
            assert not [view for view in views if view in restyled]
            # And what they hold looks as a restyle would have it.
            nodes = [node for view in views for node in view.walk_children(with_self=True)]
            styled = [node._css_styles.css for node in nodes]
            app.stylesheet.update_nodes(nodes)
            assert [node._css_styles.css for node in nodes] == styled

    async def test_a_field_alone_in_its_view_looks_focused_and_is_never_restyled_for_it(
        self, station: Station
    ) -> None:
        """The items table and home's code field have the focus whenever their view is on
        show: home → request → home restyles neither, and each looks the same focused or
        not, its own styles and its component classes' (the table's cursor row) alike."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            screen = app.screen
            table, code = screen.query_one("#items", ItemList), screen.query_one("#code")
            restyled = restyles_noted(app)
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            assert app.focused is code
            await pilot.press(*"TI-000001", "enter")
            await on_screen(pilot, RequestView)
            await pilot.pause()
            assert app.focused is table
            assert table not in restyled and code not in restyled

            def look(field: Widget) -> tuple[object, ...]:
                app.stylesheet.update_nodes([field])
                cursor = table.get_component_rich_style("item-list--cursor")
                return (field._css_styles.css, field.rich_style, cursor)

            for field in (table, code):
                field.focus()
                await pilot.pause()
                focused = look(field)
                screen.set_focus(None)
                await pilot.pause()
                assert not field.has_focus
                assert look(field) == focused

    async def test_the_focus_moving_repaints_what_gains_and_loses_it_not_the_screen(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            screen, table = app.screen, app.screen.query_one("#items")
            refreshed: list[tuple[object, ...]] = []
            refresh = screen.refresh

            def noted(*regions: Any, **flags: Any) -> Any:
                refreshed.append(regions)
                return refresh(*regions, **flags)

            screen.refresh = noted  # type: ignore[method-assign]
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            await pilot.pause()
            assert app.focused is screen.query_one("#code")
            assert () not in refreshed  # no whole-screen repaint for the focus
            await pilot.press(*"TI-000001", "enter")
            await on_screen(pilot, RequestView)
            await pilot.pause()
            assert app.focused is table and table.has_focus
            assert () not in refreshed
            # The table shows it has the focus: its styles are a focused table's.
            styled = table._css_styles.css
            app.stylesheet.update_nodes([table])
            assert table._css_styles.css == styled

    async def test_a_view_shown_again_paints_its_blank_lines_from_before(
        self, station: Station
    ) -> None:
        """A view paints only its background: the lines Textual painted anew at each
        showing are kept, until a new theme paints them in its colours."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            view = app.screen.query_one(RequestView)
            painted: list[int] = []
            render_widget = view._styles_cache.render_widget

            def noted(widget: Widget, crop: Any) -> Any:
                painted.append(len(painted))
                return render_widget(widget, crop)

            view._styles_cache.render_widget = noted  # type: ignore[method-assign]
            for request in ("TI-000002", "TI-000001"):
                await pilot.press("escape")
                await on_screen(pilot, HomeView)
                await pilot.press(*request, "enter")
                await on_screen(pilot, RequestView)
                await pilot.pause()
            assert painted == []
            before = view.render_lines(view.size.region)
            app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
            await pilot.pause()
            after = view.render_lines(view.size.region)
            assert painted and len(after) == len(before) and after != before

    async def test_the_outcome_left_is_emptied_once_the_saved_request_is_painted(
        self, station: Station
    ) -> None:
        """The outcome is emptied as it is hidden, for a blind second grader, and that
        lays its lines out again: it is done after the frame that shows the save, which
        nobody waits for; and never while it is on show."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_outcome(pilot, ACCEPT_KEYS)
            screen = app.screen
            assert isinstance(screen, PackageScreen)
            word = screen.query_one("#outcome-word", Static)
            screen.forget_hidden()  # as after the frame that showed it
            await pilot.pause()
            assert shown(word) == "ACCEPT"

            at_the_save: list[str] = []

            def noted() -> None:
                if not at_the_save and isinstance(showing(app), RequestView):
                    at_the_save.append(shown(word))

            after_each_frame(app, noted)
            await pilot.press("enter")
            await on_screen(pilot, RequestView)
            await wait_until(pilot, lambda: shown(word) == "")
            assert at_the_save == ["ACCEPT"]

    async def test_an_answer_repaints_what_it_changes_not_the_checklist_view_whole(
        self, station: Station
    ) -> None:
        """The view keeps the focus from one question to the next: focusing it again
        would repaint all of it; its line saying which item it is stays as it is; and a
        scan that finds no problem shown clears none."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.pause()
            view, panel = app.screen.query_one(ChecklistView), app.screen.query_one("ProblemPanel")
            context = view.query_one("#context")
            whole: list[Widget] = []
            for widget in (view, panel, context):

                def noted(*regions: Any, widget: Widget = widget, **flags: Any) -> Widget:
                    if not regions:
                        whole.append(widget)
                    return type(widget).refresh(widget, *regions, **flags)

                widget.refresh = noted  # type: ignore[method-assign]
            position = shown(app.screen.query_one("#position"))
            await pilot.press("enter")  # the data's facts kept: the next question
            await wait_until(pilot, lambda: shown(app.screen.query_one("#position")) != position)
            await scan(pilot, "CMD:NO")
            await pilot.pause()
            assert app.focused is view
            assert whole == []

    async def test_a_save_and_the_next_request_restyle_no_line_and_colour_them_anew(
        self, station: Station
    ) -> None:
        """The prompt, the saved line and the settlement change colour at every save and
        every request: drawn in the theme's colours, not by CSS classes whose change would
        re-apply each line's styles."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            view = app.screen.query_one(RequestView)
            restyled = restyles_noted(app)
            prompt, saved = view.query_one("#request-prompt"), view.query_one("#request-saved")
            assert painted_on(prompt, "primary") and not saved.display
            await scan(pilot, PAN_V2_SERIAL)
            await pilot.press(*ACCEPT_KEYS, "enter")  # the one item accepted and saved
            await wait_until(pilot, lambda: "ALL DONE" in shown(prompt))
            await pilot.pause()
            assert painted_on(prompt, "success")
            assert saved.display and painted_in(saved, "text-success")
            assert painted_in(view.query_one("#request-settlement"), "text-success")  # ready
            await pilot.press("escape")
            await on_screen(pilot, HomeView)
            await pilot.press(*"TI-000002", "enter")
            await on_screen(pilot, RequestView)
            await pilot.pause()
            assert painted_on(prompt, "primary") and not saved.display
            assert not painted_in(view.query_one("#request-settlement"), "text-success")
            assert not [node for node in view.walk_children(with_self=True) if node in restyled]


class TestAudit(SeededStation):
    async def test_an_opened_request_is_audited_once_it_is_on_screen(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            store = station_store(app)
            await wait_until(
                pilot, lambda: [e.event for e in audit_events(store, 1)] == ["request_opened"]
            )

    async def test_a_device_begun_is_written_once_its_checklist_is_painted(
        self, station: Station
    ) -> None:
        """The checklist's first frame does not wait on the commit of its beginning."""
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot)
            store = station_store(app)
            begun_at_the_frame: list[int] = []

            def noted() -> None:
                if not begun_at_the_frame and isinstance(showing(app), ChecklistView):
                    begun_at_the_frame.append(len(store.unfinished_inspections("B-07")))

            after_each_frame(app, noted)
            await scan(pilot, PAN_V2_SERIAL)
            await on_screen(pilot, ChecklistView)
            await wait_until(pilot, lambda: store.unfinished_inspections("B-07") != [])
            assert begun_at_the_frame == [0]
            (begun,) = store.unfinished_inspections("B-07")
            assert app.session.active is not None
            assert begun.started == app.session.active.started


class TestScannerAlone(SeededStation):
    async def test_whole_inspection_by_scans(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)  # the badge is scanned; only the PIN is typed
            assert app.session.active is not None
            inspection_id = app.session.active.started.id

            # Model listed, serial matches, age: the data's answers, kept with one scan.
            await scan(pilot, "CMD:CONFIRM")
            # Broken? no. Dirty? no. Factory reset? yes. Owned outright? yes.
            for code in ("CMD:NO", "CMD:NO", "CMD:YES", "CMD:YES"):
                await scan(pilot, code)
            await on_screen(pilot, OutcomeView)
            assert problem_text(app) == ""
            await scan(pilot, "CMD:CONFIRM")
            await on_screen(pilot, RequestView)

            saved = finished_inspection(app.session.store, inspection_id)
            assert saved is not None
            assert saved.decision.outcome is Outcome.ACCEPT
            assert [a.source for a in saved.answers] == [AnswerSource.PREFILLED] * 3 + [
                AnswerSource.INSPECTOR
            ] * 4
            assert [a.value for a in saved.answers][3:] == ["no", "no", "yes", "yes"]
            assert status_of(app.session.store, inspection_id) == "finished"
            assert "ALL DONE" in shown(app.screen.query_one("#request-prompt"))


class TestEachAnswerIsShown(SeededStation):
    async def test_the_last_recorded_answer_shows_under_the_context(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            last = app.screen.query_one("#last-answer")
            assert shown(last) == ""

            await scan(pilot, "CMD:CONFIRM")
            assert shown(last) == "✓ Model listed YES · Serial matches YES · Over 4 years old NO"
            await scan(pilot, "CMD:NO")
            assert shown(last) == "✓ Is it broken or damaged? NO"

    async def test_after_backspace_no_later_answer_shows_above_the_question(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter", "n", "n")  # on "Was it factory reset?"
            last = app.screen.query_one("#last-answer")
            assert shown(last) == "✓ Is it dirty? NO"

            await pilot.press("backspace")  # on "Is it dirty?"
            assert shown(app.screen.query_one("#question")) == "Is it dirty?"
            assert shown(last) == "✓ Is it broken or damaged? NO"
            await pilot.press("backspace")  # on "Is it broken or damaged?"
            assert shown(app.screen.query_one("#question")) == "Is it broken or damaged?"
            assert shown(last) == "✓ Model listed YES · Serial matches YES · Over 4 years old NO"
            await pilot.press("backspace")  # on the data's answers, the first step
            assert shown(last) == ""


class TestKeyboardAlone(SeededStation):
    async def test_pick_an_item_with_arrows_and_enter(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_request(pilot, "TI-000002")
            table = app.screen.query_one("#items", ItemList)
            assert app.focused is table
            assert table.cursor_row == 0

            await pilot.press("down", "down", "up", "enter")
            await on_screen(pilot, ChecklistView)

            assert app.session.active is not None
            assert app.session.active.started.request_item_id == "TI-000002-02"
            assert "TI-000002-02" in shown(app.screen.query_one("#context"))

    async def test_backspace_goes_back_and_the_answer_can_change(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter", "n")
            active = app.session.active
            assert active is not None
            assert active.checklist.current == Step((Question.DIRTY,), 3)

            await pilot.press("backspace")
            assert active.checklist.position == (2, 5)
            assert shown(app.screen.query_one("#question")) == "Is it broken or damaged?"
            assert shown(app.screen.query_one("#keys")).endswith("[Enter] Keep NO")
            await pilot.press("y")

            # Broken: a trade-up rejects it, so the defect and dirty are not asked; the
            # factory reset is, and the total stays 5.
            assert active.checklist.value(Question.BROKEN) == "yes"
            assert active.checklist.current == Step((Question.FACTORY_RESET,), 4)
            assert shown(app.screen.query_one("#position")) == (
                "Question 4 of 5 · not asked: 3, it cannot change the outcome"
            )
            stored = app.session.store.unfinished_inspections("B-07")[0].answers
            assert [(a.question, a.value) for a in stored][-2:] == [
                ("broken", "no"),
                ("broken", "yes"),
            ]

    async def test_esc_then_y_cancels_the_inspection(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter")
            assert app.session.active is not None
            inspection_id = app.session.active.started.id

            await pilot.press("escape")
            await on_screen(pilot, ConfirmScreen)
            await pilot.press("y")
            await on_screen(pilot, RequestView)

            assert app.session.active is None
            store = app.session.store
            assert finished_inspection(store, inspection_id) is None
            assert status_of(store, inspection_id) == "cancelled"
            assert store.unfinished_inspections("B-07") == []
            assert store.queued_count() == 0

    async def test_esc_then_n_keeps_the_inspection(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter")

            await pilot.press("escape")
            await on_screen(pilot, ConfirmScreen)
            await pilot.press("n")
            await on_screen(pilot, ChecklistView)

            assert app.session.active is not None
            assert app.session.active.checklist.current == Step((Question.BROKEN,), 2)
            assert status_of(app.session.store, app.session.active.started.id) == "in_progress"


class TestOverridingAPrefilledAnswer(SeededStation):
    async def test_its_number_asks_a_reason_and_records_it(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            active = app.session.active
            assert active is not None
            step = active.checklist.current
            assert step is not None and step.facts
            assert step.questions == (
                Question.MODEL_LISTED,
                Question.SERIAL_MATCHES,
                Question.OLDER_THAN_LIMIT,
            )
            assert app.screen.query_one("#notice", Static).display

            await pilot.press("1")
            await on_screen(pilot, ReasonScreen)
            message = rendered(app.screen.query_one("#reason-message"))
            assert "The data says YES" in message
            assert message.endswith("give a reason to override")  # wrapped, not cut
            await pilot.press("2")
            await on_screen(pilot, ChecklistView)

            record = active.checklist.records[-1]
            assert (record.question, record.value) == ("model_listed", "no")
            assert record.source is AnswerSource.OVERRIDDEN
            assert record.reason == OVERRIDE_REASONS[1]
            stored = app.session.store.unfinished_inspections("B-07")[0].answers
            assert [(a.value, a.source, a.reason) for a in stored] == [
                ("no", AnswerSource.OVERRIDDEN, OVERRIDE_REASONS[1])
            ]
            # Still on the data's answers: the other two are kept with Enter.
            assert active.checklist.current == step
            notice = rendered(app.screen.query_one("#notice"))
            assert "Model listed     NO  overridden (The record or catalog is wrong)" in notice
            await pilot.press("enter")
            assert [r.question for r in active.checklist.records] == [
                "model_listed",
                "serial_matches",
                "older_than_limit",
            ]
            # Not listed: rejected whatever broken and dirty say, so they are not asked.
            assert active.checklist.position == (4, 5)

    async def test_esc_in_the_reason_dialog_keeps_the_question_open(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)

            await pilot.press("1")
            await on_screen(pilot, ReasonScreen)
            await pilot.press("escape")
            await on_screen(pilot, ChecklistView)

            active = app.session.active
            assert active is not None
            assert active.checklist.current is not None and active.checklist.current.facts
            assert active.checklist.records == ()
            assert app.session.store.unfinished_inspections("B-07")[0].answers == ()

    async def test_fact_and_reason_by_scan(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)

            await scan(pilot, "CMD:FACT-2")
            await on_screen(pilot, ReasonScreen)
            await scan(pilot, "CMD:REASON-4")
            await on_screen(pilot, ChecklistView)

            assert app.session.active is not None
            record = app.session.active.checklist.records[-1]
            assert (record.question, record.value) == ("serial_matches", "no")
            assert record.source is AnswerSource.OVERRIDDEN
            assert record.reason == OVERRIDE_REASONS[3]

    async def test_a_yes_scan_on_the_data_s_answers_says_what_to_do(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)

            await scan(pilot, "CMD:YES")

            said = problem_text(app)
            assert "CMD:CONFIRM keeps the data's answers" in said
            assert "CMD:FACT-1…3 changes one" in said  # whole, not cut
            assert app.session.active is not None and app.session.active.checklist.records == ()


class TestSkippedQuestions(SeededStation):
    async def test_too_old_asks_reset_and_owned_under_a_steady_total(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot, "TI-000003", "2100300000118")  # bought 5 years ago
            position = app.screen.query_one("#position")
            assert shown(position) == "Question 1 of 5"

            await pilot.press("enter")
            assert shown(app.screen.query_one("#question")) == "Was it factory reset?"
            assert shown(position) == (
                "Question 4 of 5 · not asked: 2 and 3, they cannot change the outcome"
            )
            await pilot.press("n")  # the wipe follows, under the same number
            assert shown(app.screen.query_one("#question")) == (
                "Wipe it now at the bench. Did the wipe succeed?"
            )
            assert shown(position).startswith("Question 4 of 5, continued · not asked: 2 and 3")
            await pilot.press("y")
            assert shown(position).startswith("Question 5 of 5 · not asked: 2 and 3")
            await pilot.press("y")
            await on_screen(pilot, OutcomeView)
            assert app.session.decision().outcome is Outcome.REJECT


class TestGradeMeanings(SeededStation):
    async def test_the_grade_question_says_what_each_grade_means(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot, *REVISE)
            await pilot.press("enter", "n", "n", "y")
            assert shown(app.screen.query_one("#question")) == "What is its cosmetic grade?"
            assert app.session.program is not None
            for grade, meaning in app.session.program.grade_meanings.items():
                assert on_show(app, f"[{grade.value}] {meaning}")
            assert on_show(app, "[A] like new: no marks on the screen or the body")


class TestResumeAfterRestart(SeededStation):
    async def answer_three_and_quit(self, station: Station) -> str:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            await pilot.press("enter")
            assert app.session.active is not None
            assert app.session.active.checklist.current == Step((Question.BROKEN,), 2)
            return app.session.active.started.id

    @asynccontextmanager
    async def restarted(
        self, station: Station
    ) -> AsyncIterator[tuple[BenchApp, Pilot[None], Static, str]]:
        """Keep the data's three answers and quit; start again and log in: the notice
        offers it."""
        inspection_id = await self.answer_three_and_quit(station)

        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            notice = app.screen.query_one("#unfinished", Static)
            assert notice.has_class("-visible")
            yield app, pilot, notice, inspection_id

    async def test_f5_resumes_at_question_two_and_finishing_stores_it(
        self, station: Station
    ) -> None:
        async with self.restarted(station) as (app, pilot, notice, inspection_id):
            assert "TI-000001-01" in shown(notice)

            await pilot.press("f5")
            await on_screen(pilot, ChecklistView)

            active = app.session.active
            assert active is not None
            assert active.started.id == inspection_id
            assert active.checklist.position == (2, 5)
            assert active.checklist.current == Step((Question.BROKEN,), 2)
            assert [r.question for r in active.checklist.records] == [
                "model_listed",
                "serial_matches",
                "older_than_limit",
            ]
            assert shown(app.screen.query_one("#position")) == "Question 2 of 5"

            await pilot.press("n", "n", "y", "y")
            await on_screen(pilot, OutcomeView)
            await pilot.press("enter")
            await on_screen(pilot, RequestView)

            saved = finished_inspection(app.session.store, inspection_id)
            assert saved is not None
            assert saved.decision.outcome is Outcome.ACCEPT
            assert len(saved.answers) == 7
            assert app.session.store.unfinished_inspections("B-07") == []

    @pytest.mark.parametrize("how", ["f8", "CMD:CANCEL"])
    async def test_discard_instead(self, station: Station, how: str) -> None:
        async with self.restarted(station) as (app, pilot, notice, inspection_id):
            await press_or_scan(pilot, how)

            assert not notice.has_class("-visible")
            assert isinstance(showing(app), HomeView)
            assert app.session.active is None
            store = app.session.store
            assert store.unfinished_inspections("B-07") == []
            assert status_of(store, inspection_id) == "cancelled"
            assert finished_inspection(store, inspection_id) is None


class TestModelNames(SeededStation):
    async def test_a_graded_model_is_named_once_with_its_brand(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot, *REVISE)  # an Amazfit GTR 2, brand Amazfit

            assert on_show(app, "Amazfit GTR 2: the program takes Amazfit")
            assert not any("Amazfit Amazfit" in line for line in screen_lines(app))


@pytest.mark.parametrize(
    ("prefilled", "keys"),
    [
        ({"model_listed": "yes"}, "[Enter] Keep it      [1] Change it (a reason is asked)"),
        (
            {"model_listed": "yes", "older_than_limit": "no"},
            "[Enter] Keep them      [1] [2] Change one (a reason is asked)",
        ),
    ],
)
def test_the_facts_keys_say_it_for_one_fact_and_one_of_them_for_several(
    prefilled: dict[str, str], keys: str
) -> None:
    checklist = checklist_for(prefilled=facts(**prefilled))
    assert checklist.current is not None
    assert _keys_text(checklist, checklist.current) == keys
