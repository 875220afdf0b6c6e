"""The supervisor's screens (F12, supervisors only): one tab per part of the floor's work.

The frame is a `TabbedContent`; each tab is a `SupervisorTab` listed in
`SupervisorScreen.TABS`, so a new one is a class and a line there; keys 1, 2, 3… show
them in that order. The figures' tabs (Throughput, Stuck, Deadlines) are in
`screens.dashboards`; each says where its figures come from and as of when.

The Disputes tab finds every inspection a request id, item id, serial, IMEI or tracking
number names (scanned or typed) and shows one in full: each answer with who and when,
from the data or overridden and why, how the device was identified, the outcome, what it
replaced or was replaced by, and the item's audit trail. Keyboard only; Esc closes.
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

from bench.commands import Command as Cmd
from bench.disputes import Disputes, detail_lines, short_id, summary
from bench.problems import Problem
from bench.scans import Classified
from bench.session import Session
from bench.text import shown
from screens.base import BenchScreen
from screens.dashboards import DeadlinesTab, StuckTab, ThroughputTab
from screens.supervisor_tab import LookUpWanted, SupervisorTab
from screens.widgets import ID_CELLS, literal

SUMMARY_CELLS = 40
"""A cell of the list of inspections found: an id, or "latest · replaces 1a2b3c4d"."""
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
        yield Label(
            "Scan or type a request id, item id, serial, IMEI or tracking number",
            id="dispute-hint",
            classes="muted",
        )
        yield Input(placeholder="and press Enter", id="dispute-code")
        yield Label(id="dispute-source", classes="muted", markup=False)
        yield DataTable[Text](id="dispute-found", cursor_type="row", zebra_stripes=True)
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
        source.update(f"From {found.source}, as of {found.as_of.astimezone():%H:%M}: {what}")
        for record in found.records:
            table.add_row(
                *(
                    literal(cell, SUMMARY_CELLS)
                    for cell in summary(
                        record, found.audit.get(record.done.started.request_item_id, ())
                    )
                )
            )
        if not found.records:
            self._show_detail(
                "No inspection of it at this bench. Another bench that inspected it has it in "
                "its own records, and central has them all."
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
        lines = detail_lines(record, found.audit.get(item, ()), found.names)
        self._show_detail("\n".join(shown(line, DETAIL_CELLS) for line in lines))
        self.query_one(
            "#dispute-detail-box", VerticalScroll
        ).border_title = f"Inspection {short_id(record.done.started.id)} · Tab to scroll"

    def _show_detail(self, text: str) -> None:
        self.query_one("#dispute-detail", Static).update(text)
        self.query_one("#dispute-detail-box", VerticalScroll).scroll_home(animate=False)


def tab_keys(tabs: list[type[SupervisorTab]]) -> list[BindingType]:
    """1, 2, 3… for the tabs in order; the key bar says "1-4 Tabs" once (the tab bar names
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
