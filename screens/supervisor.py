"""The supervisor's screens (F12, supervisors only): one tab per part of the floor's work.

The frame is a `TabbedContent`; each tab is a `SupervisorTab` listed in
`SupervisorScreen.TABS`, so a new one is a class and a line there; keys 1, 2, 3… show
them in that order. The figures' tabs (Throughput, Stuck, Deadlines) are in
`screens.dashboards`; each says where its figures come from and as of when.

The Disputes tab finds every inspection a request id, item id, serial, IMEI or tracking
number names (scanned or typed) and shows one in full: each answer with who and when,
from the data or overridden and why, how the device was identified, the outcome, what it
replaced or was replaced by, and the item's audit trail. Keyboard only; Esc closes.

The Grading tab shows how often blind second gradings agreed with the first, per
question and per inspector, with a paragraph saying what the figures mean, and the
disagreements to look at; Enter on one opens its item in the Disputes tab.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TabPane

from bench.checklist import QUESTION_WORDS
from bench.commands import Command as Cmd
from bench.disputes import (
    ONLY_AT_ITS_BENCH,
    Disputes,
    detail_lines,
    short_id,
    summary,
)
from bench.grading import EXPLANATION, OUTCOME, GradingFigures, SecondGradingWaiting
from bench.moments import DAY, MINUTE, at_site
from bench.problems import Problem
from bench.scans import Classified
from bench.session import Session
from bench.supervision import CENTRAL
from bench.text import shown
from screens.base import BenchScreen
from screens.dashboards import DeadlinesTab, StuckTab, ThroughputTab
from screens.supervisor_tab import LookUpWanted, SupervisorTab
from screens.tables import FiguresTable
from screens.widgets import ID_CELLS, literal

SUMMARY_CELLS = 40
"""A cell of the list of inspections found: an id, or "latest · replaces 1a2b3c4d"."""
SEARCH_HINT = "Scan or type a request, item, serial, IMEI or tracking no., then Enter"
"""The search field's placeholder: the whole hint, within the field at 80 columns (72 cells)."""
DETAIL_CELLS = 300
"""A line of an inspection's detail: it quotes scans and reasons, and wraps on screen."""


class DisputesTab(SupervisorTab):
    """Search by any code a customer or a parcel carries; read one inspection in full."""

    TITLE = "Disputes"
    TAB_ID = "disputes"

    class Found(Message, bubble=False):
        """A search ended: what it found (or why it could not look)."""

        def __init__(self, found: Disputes | Problem) -> None:
            super().__init__()
            self.found = found

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._found: Disputes | None = None
        self._code: str | None = None  # the last code looked up, for F5

    def compose(self) -> ComposeResult:
        yield Input(placeholder=SEARCH_HINT, id="dispute-code")
        yield Label(id="dispute-source", classes="muted", markup=False)
        yield FiguresTable(id="dispute-found")
        with VerticalScroll(id="dispute-detail-box"):
            yield Static(id="dispute-detail", markup=False)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#dispute-found", DataTable)
        table.add_columns("Item", "Finished", "Bench, inspector", "Outcome", "Counts")

    @property
    def scan_hint(self) -> str:
        return "Scan a request id, item id, serial, IMEI or tracking number."

    def handle_scan(self, scan: Classified) -> None:
        self.search(scan.value)

    @on(Input.Submitted, "#dispute-code")
    def code_typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.search(event.value.strip())

    def search(self, code: str) -> None:
        self._code = code
        self.query_one("#dispute-code", Input).value = code
        self.query_one("#dispute-source", Label).update(f"Looking up {shown(code, ID_CELLS)}…")
        self._look_up(code)

    def reload(self) -> None:
        if self._code is not None:
            self.search(self._code)

    @work(thread=True, exclusive=True, exit_on_error=False, group="disputes")
    def _look_up(self, code: str) -> None:
        # Off the UI thread: a serial is looked for in every scanned code of the station.
        self.post_message(self.Found(self.session.find_inspections(code)))

    @on(Found)
    def found(self, message: Found) -> None:
        table: DataTable[Text] = self.query_one("#dispute-found", DataTable)
        table.clear()
        source = self.query_one("#dispute-source", Label)
        if isinstance(message.found, Problem):
            self._found = None
            source.update("")
            self._show_detail("")
            self.show_problem(message.found)
            return
        self.clear_problem()
        found = self._found = message.found
        count = len(found.records)
        what = f"{count} inspection{'' if count == 1 else 's'} of {shown(str(found.key), 64)}"
        if found.unsent:
            what += f" ({found.unsent} of this bench, not at central yet)"
        self.say_where(source, found, what)
        for record in found.records:
            table.add_row(
                *(
                    literal(cell, SUMMARY_CELLS)
                    for cell in summary(
                        record,
                        found.audit.get(record.done.started.request_item_id, ()),
                        self.session.time_zone,
                    )
                )
            )
        if not found.records:
            self._show_detail(
                f"No inspection of it at central, nor queued here. {ONLY_AT_ITS_BENCH}"
                if found.source == CENTRAL
                else "No inspection of it at this bench. Another bench that inspected it has "
                "it in its own records, and central has them all once it can be reached."
            )
            return
        table.move_cursor(row=0)
        self._show_record(0)
        table.focus()

    @on(DataTable.RowHighlighted, "#dispute-found")
    def record_picked(self, event: DataTable.RowHighlighted) -> None:
        self._show_record(event.cursor_row)

    def _show_record(self, index: int) -> None:
        found = self._found
        if found is None or not 0 <= index < len(found.records):
            return
        record = found.records[index]
        item = record.done.started.request_item_id
        lines = detail_lines(record, found.audit.get(item, ()), found.names, self.session.time_zone)
        if found.source == CENTRAL:
            lines.append(ONLY_AT_ITS_BENCH)
        self._show_detail("\n".join(shown(line, DETAIL_CELLS) for line in lines))
        self.query_one(
            "#dispute-detail-box", VerticalScroll
        ).border_title = f"Inspection {short_id(record.done.started.id)} · Tab to scroll"

    def _show_detail(self, text: str) -> None:
        self.query_one("#dispute-detail", Static).update(text)
        self.query_one("#dispute-detail-box", VerticalScroll).scroll_home(animate=False)


class GradingTab(SupervisorTab):
    """How often a blind second grading agreed with the first: per question and per
    inspector, explained in plain words, and the disagreements to look at."""

    TITLE = "Grading"
    TAB_ID = "grading"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._items: list[str] = []
        """The item of each row of the disagreements."""

    class Read(Message, bubble=False):
        """The second gradings were read (or why they could not be)."""

        def __init__(self, figures: GradingFigures | Problem) -> None:
            super().__init__()
            self.figures = figures

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="grading-box"):
            yield Label(id="grading-source", classes="muted", markup=False)
            yield Label(id="grading-waiting", classes="prompt", markup=False)
            yield FiguresTable(id="grading-waiting-table")
            yield Static(EXPLANATION, id="grading-explained", classes="muted", markup=False)
            yield FiguresTable(id="grading-questions")
            yield FiguresTable(id="grading-inspectors")
            yield Label(
                "Disagreements to look at (Enter opens the item in Disputes)",
                classes="muted",
                markup=False,
            )
            yield FiguresTable(id="grading-disagreements")

    def on_mount(self) -> None:
        self.query_one("#grading-questions", DataTable).add_columns(
            "Question", "Compared", "Agree", "Kappa"
        )
        self.query_one("#grading-inspectors", DataTable).add_columns(
            "Inspector", "As", "Pairs", "Compared", "Agree"
        )
        self.query_one("#grading-disagreements", DataTable).add_columns(
            "Item", "Question", "First", "Second"
        )
        self.query_one("#grading-waiting-table", DataTable).add_columns(
            "Item", "Picked", "First inspector"
        )

    def on_show(self) -> None:
        # Read each time the tab is shown: gradings are finished while it is closed.
        self.query_one("#grading-source", Label).update("Reading the second gradings…")
        self._read()

    @property
    def scan_hint(self) -> str:
        return "Scan an item id to open it in Disputes."

    def handle_scan(self, scan: Classified) -> None:
        self._open_dispute(scan.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="grading")
    def _read(self) -> None:
        self.post_message(self.Read(self.session.grading()))

    @on(Read)
    def read(self, message: Read) -> None:
        if isinstance(message.figures, Problem):
            self.query_one("#grading-source", Label).update("")
            self.show_problem(message.figures)
            return
        figures = message.figures
        found = figures.agreement
        self.say_where(
            self.query_one("#grading-source", Label),
            figures,
            f"{found.pairs} second grading{'' if found.pairs == 1 else 's'} since "
            f"{at_site(figures.since, self.session.time_zone, DAY)}",
        )
        self._show_waiting(figures.waiting)
        questions: DataTable[Text] = self.query_one("#grading-questions", DataTable)
        questions.clear()
        for q in found.questions:
            kappa = "—" if q.kappa is None else f"{q.kappa:.2f}"
            questions.add_row(
                *map(Text, (_question(q.question), str(q.compared), f"{q.rate:.0%}", kappa))
            )
        inspectors: DataTable[Text] = self.query_one("#grading-inspectors", DataTable)
        inspectors.clear()
        for i in found.inspectors:
            inspectors.add_row(
                literal(i.inspector_id, ID_CELLS),
                *map(Text, (i.role.value, str(i.pairs), str(i.compared), f"{i.rate:.0%}")),
            )
        differing: DataTable[Text] = self.query_one("#grading-disagreements", DataTable)
        differing.clear()
        # By row: an item has a row for each question its graders answered differently.
        self._items = [d.pair.item_id for d in found.disagreements]
        for d in found.disagreements:
            differing.add_row(
                literal(d.pair.item_id, ID_CELLS),
                Text(_question(d.question)),
                literal(f"{d.pair.first.inspector_id}: {d.first_answer}", ID_CELLS),
                literal(f"{d.pair.second.inspector_id}: {d.second_answer}", ID_CELLS),
            )

    def _show_waiting(self, waiting: tuple[SecondGradingWaiting, ...]) -> None:
        """What waits for its second grading: only this bench knows what it picked."""
        count = len(waiting)
        self.query_one("#grading-waiting", Label).update(
            f"{count} wait{'s' if count == 1 else ''} for {'its' if count == 1 else 'their'} "
            "second grading (picked at this bench)"
            if count
            else "Nothing waits for a second grading (picked at this bench)"
        )
        table: DataTable[Text] = self.query_one("#grading-waiting-table", DataTable)
        table.clear()
        table.display = bool(waiting)
        zone = self.session.time_zone
        for due in waiting:
            table.add_row(
                literal(due.item_id, ID_CELLS),
                Text(at_site(due.picked_at, zone, MINUTE)),
                literal(due.first_inspector_id, ID_CELLS),
            )

    @on(DataTable.RowSelected, "#grading-disagreements")
    def disagreement_chosen(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self._items):
            self._open_dispute(self._items[event.cursor_row])

    def _open_dispute(self, code: str) -> None:
        self.post_message(LookUpWanted(code))

    def reload(self) -> None:
        self._read()


def _question(question: str) -> str:
    return "Outcome" if question == OUTCOME else QUESTION_WORDS.get(question, question)


def tab_keys(tabs: list[type[SupervisorTab]]) -> list[BindingType]:
    """1, 2, 3… for the tabs in order; the key bar says "1-5 Tabs" once (the tab bar names
    them), so it fits 80 columns."""
    return [
        Binding(str(key), f"show_tab('{tab.TAB_ID}')", "Tabs", show=key == 1,
                key_display=f"1-{len(tabs)}", id=f"tab-{tab.TAB_ID}")
        for key, tab in enumerate(tabs, start=1)
    ]  # fmt: skip


class SupervisorScreen(BenchScreen):
    """The supervisor's tabs under the station header; 1, 2, 3… pick a tab, F5 reads the
    one on show again, Esc (or CMD:CANCEL) closes."""

    # One tab a line, in the order of their keys.
    TABS: ClassVar[list[type[SupervisorTab]]] = [
        ThroughputTab,
        StuckTab,
        DeadlinesTab,
        DisputesTab,
        GradingTab,
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        *tab_keys(TABS),
        Binding("f5", "reload", "Refresh", id="refresh"),
        Binding("escape", "close", "Close", id="close"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with TabbedContent(id="supervisor-tabs"):
            for tab in self.TABS:
                with TabPane(tab.TITLE, id=tab.TAB_ID):
                    yield tab(self.session)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.tab.focus_first()

    @property
    def tab(self) -> SupervisorTab:
        """The tab on show."""
        active = self.query_one(TabbedContent).active_pane
        assert active is not None
        return active.query_one(SupervisorTab)

    def handle_scan(self, scan: Classified) -> None:
        if scan.command in (Cmd.CANCEL, Cmd.BACK):
            self.action_close()
        else:
            self.tab.handle_scan(scan)

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id
        self.tab.focus_first()

    def action_reload(self) -> None:
        self.tab.reload()

    @on(LookUpWanted)
    def look_up(self, message: LookUpWanted) -> None:
        """Another tab's item, or a scan on a figures' tab: its inspections in Disputes."""
        self.action_show_tab(DisputesTab.TAB_ID)
        self.query_one(DisputesTab).search(message.code)

    def action_close(self) -> None:
        self.dismiss()
