"""The request on the bench: its program, its items, which are done, what the customer gets;
scan the next device.

A view of `PackageScreen`, beside home: a package label scanned on either shows its
request here in place.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, Static

from bench.commands import Command as Cmd
from bench.domain import Decision, FinishedInspection, Outcome
from bench.labels import SECOND_GRADING
from bench.money import dollars
from bench.printing import PrintJob
from bench.problems import Problem
from bench.scans import Classified, ScanKind
from bench.session import ActiveInspection, ItemRow, Reopened
from bench.settlement import SettlementStatus, described
from bench.text import shown, shown_end
from screens.base import BenchView
from screens.items import CELL_PADDING, ItemList
from screens.messages import InspectionOpened, PrintQueued, RequestClosed, RequestOpened
from screens.widgets import (
    ID_CELLS,
    NAME_CELLS,
    PROBLEM_CELLS,
    PrinterAlert,
    literal,
    say,
    take_focus,
)

# Theme variables, looked up when drawn: an item's cell takes a Rich style, not CSS. The
# lines above the table are coloured the same way, not by CSS classes: a class changed
# re-applies the line's styles (0.6 ms each), and they change at every save and request.
OUTCOME_COLOUR = {
    Outcome.ACCEPT: "text-success",
    Outcome.REVISE: "text-warning",
    Outcome.REJECT: "text-error",
    Outcome.HOLD: "text-primary",
}
SETTLEMENT_COLOUR = {
    SettlementStatus.ON_HOLD: "text-warning",
    SettlementStatus.READY: "text-success",
}

PICKED = "Picked for a second grading: put it on the second-grading shelf"
SETTLEMENT_AFTER_GRADING = "what the customer gets is shown once the second grading is done"

# An outcome that pays shows what it pays; a reject or a hold pays nothing, said by the word.
PAID = frozenset({Outcome.ACCEPT, Outcome.REVISE})

# The table's columns. Every one but the serial is shown whole (model names up to a
# length that covers the catalog's); the serial takes the width that is left, cut at the
# front: at 80 columns the amounts are never behind a horizontal scrollbar.
COLUMNS = ("Item", "Declared model", "Condition", "Offer", "Serial", "Status")
SERIAL = COLUMNS.index("Serial")
BESIDE_SERIAL = COLUMNS[:SERIAL] + COLUMNS[SERIAL + 1 :]
ITEM_NUMBER_CELLS = 4
TABLE_NAME_CELLS = 20


class RequestView(BenchView):
    """Items of one request; a device scan starts its checklist."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "inspect", "Inspect picked item", id="inspect"),
        Binding("escape", "done", "Next package", id="done"),
        Binding("f3", "reprint_item", "Reprint", id="reprint-item"),
        Binding("f4", "reprint_last", "Last label", id="reprint-last"),
        Binding("f10", "reopen", "Reopen item", id="reopen"),
        # An inspector's F10 is not shown, and says why it does nothing.
        Binding("f10", "app.supervisors_only('reopen an item')", show=False),
    ]

    _width = 0
    """The width the table's rows were last cut for."""

    def compose(self) -> ComposeResult:
        yield Label(id="request-prompt", classes="big-prompt", markup=False)
        # The last save is confirmed here, in a place of its own: a toast would cover the
        # problem panel the next scan may need.
        yield Label(id="request-saved", markup=False)
        yield PrinterAlert()
        yield Label(id="request-title", classes="title", markup=False)
        yield Static(id="request-facts", classes="muted", markup=False)
        yield Static(id="request-warnings", classes="notice", markup=False)
        yield ItemList(id="items")
        yield Static(id="request-settlement", markup=False)

    @property
    def scan_hint(self) -> str:
        return "Scan a device of this request, or pick an item with ↑↓ and Enter."

    def refresh_view(self) -> None:
        request = self.session.request
        program = self.session.program
        if request is None or program is None:
            return
        say(
            self.query_one("#request-title", Label),
            f"{shown(request.id, ID_CELLS)}  ·  {shown(program.name, NAME_CELLS)}",
        )
        tracking = request.tracking_number
        tracking = f" · tracking {shown(tracking, ID_CELLS)}" if tracking else ""
        say(
            self.query_one("#request-facts", Static),
            f"customer {shown(request.customer_ref, ID_CELLS)}"
            f" · created {request.created_at:%Y-%m-%d}"
            f" · shipping {dollars(request.shipping_cost_cents)}{tracking}",
        )
        warnings = self.session.request_warnings()
        notice = self.query_one("#request-warnings", Static)
        say(notice, "\n".join(shown(warning, PROBLEM_CELLS) for warning in warnings))
        notice.set_class(bool(warnings), "-visible")
        colours = self.app.theme_variables
        rows = self.session.item_rows()
        table = self._fill_table(rows, colours)
        settlement = self.session.settlement()
        hidden = self.session.settlement_hidden
        # The amount would tell a second grader what the first inspection decided.
        said = SETTLEMENT_AFTER_GRADING if hidden else described(settlement)
        colour = None if hidden else SETTLEMENT_COLOUR.get(settlement.status)
        say(self.query_one("#request-settlement", Static), _coloured(said, colour, colours))
        pending = self.session.pending_items
        if pending:
            table.move_cursor_to(pending[0].id)
            prompt = (
                f"SCAN A DEVICE ({len(pending)} of {len(request.items)} waiting)\n"
                "or pick one with ↑↓ and Enter"
            )
        elif self.session.request_done:
            prompt = "ALL DONE\nScan the next package label"
        else:
            prompt = "ITEMS MISSING: see below\nPut the package aside for a supervisor"
        label = self.query_one("#request-prompt", Label)
        say(label, prompt)
        label.styles.background = colours.get("primary" if pending else "success")
        saved, reopened = self.session.last_saved, self.session.last_reopened
        saved_line = self.query_one("#request-saved", Label)
        picked = self.session.last_picked
        said = _saved(saved, picked) if saved else _reopened(reopened) if reopened else ""
        # Warned of: the item waits to be inspected again, or goes to a second grading.
        warned = "text-warning" if reopened is not None or picked else None
        say(saved_line, _coloured(said, warned, colours))
        saved_line.display = saved is not None or reopened is not None
        take_focus(table)
        self.refresh_bindings()  # F10 is a supervisor's: who is logged in may have changed

    def _fill_table(self, rows: list[ItemRow], colours: dict[str, str]) -> ItemList:
        """The items, one row each, with the serial cut to the width the others leave."""
        table = self.query_one("#items", ItemList)
        lines = [self._cells(row, colours) for row in rows]
        widths = _column_widths(BESIDE_SERIAL, lines)
        self._width = self._table_width()
        padding = 2 * CELL_PADDING * len(COLUMNS)
        room = max(len(COLUMNS[SERIAL]), self._width - sum(widths) - padding)
        for row, cells in zip(rows, lines, strict=True):
            serial = shown_end(row.item.declared_serial or "—", min(room, ID_CELLS))
            cells.insert(SERIAL, Text(serial))
        # Each request's own widths: a column never keeps the widest cell of one before.
        table.show(
            list(zip(COLUMNS, _column_widths(COLUMNS, lines), strict=True)),
            [(row.item.id, cells) for row, cells in zip(rows, lines, strict=True)],
        )
        return table

    @staticmethod
    def _cells(row: ItemRow, colours: dict[str, str]) -> list[Text]:
        """Every cell of an item's row but its serial, as Text: a string would be markup."""
        item, decision = row.item, row.decision
        if row.reopened:
            status = Text("reopened", style=f"bold {colours.get('text-warning', '')}")
        elif row.second_grading and decision is None:
            status = Text("second grading due", style=f"bold {colours.get('text-warning', '')}")
        elif decision is None:
            status = Text("waiting")
        else:
            status = Text(
                _outcome_said(decision),
                style=f"bold {colours.get(OUTCOME_COLOUR[decision.outcome], '')}",
            )
        return [
            literal(item.id.rsplit("-", 1)[-1], ITEM_NUMBER_CELLS),
            literal(row.model_name, TABLE_NAME_CELLS),
            Text(item.declared_condition.value.replace("_", " ")),
            Text(dollars(item.offer_cents)),
            status,
        ]

    def _table_width(self) -> int:
        """The cells the table's columns may take: the screen's width less this view's
        gutter and room for a vertical scrollbar. Not the table's own width: just shown,
        the view is not laid out yet."""
        table = self.query_one("#items", ItemList)
        gutter = self.styles.gutter.width + table.styles.gutter.width
        return self.screen.size.width - gutter - table.styles.scrollbar_size_vertical

    def on_resize(self) -> None:
        # A terminal made wider or narrower: the serials get the room there is now.
        if self.session.request is not None and self._table_width() != self._width:
            self.refresh_view()

    def handle_scan(self, scan: Classified) -> None:
        if scan.kind in (ScanKind.REQUEST_ID, ScanKind.TRACKING_NUMBER):
            opened = self.session.open_request(scan.value)
            if isinstance(opened, Problem):
                self.show_problem(opened)
                return
            self.clear_problem()
            self.app.post_message(RequestOpened(opened))
            return
        if scan.command is Cmd.CANCEL or scan.command is Cmd.BACK:
            self.action_done()
            return
        if scan.command is Cmd.CONFIRM:
            self.action_inspect()
            return
        if scan.command is Cmd.REPRINT:
            self.action_reprint_last()
            return
        if scan.kind in (ScanKind.COMMAND, ScanKind.BADGE):
            super().handle_scan(scan)
            return
        self.start(self.session.inspect_device(scan))

    def start(self, started: ActiveInspection | Problem) -> None:
        if isinstance(started, Problem):
            self.show_problem(started)
            return
        self.clear_problem()
        self.app.post_message(InspectionOpened(started))

    def on_item_list_picked(self, message: ItemList.Picked) -> None:
        self.start(self.session.inspect_item(message.item_id))

    def action_inspect(self) -> None:
        if (item_id := self._picked()) is not None:
            self.start(self.session.inspect_item(item_id))

    def _picked(self) -> str | None:
        """The item id of the row the cursor is on."""
        return self.query_one("#items", ItemList).picked

    def action_reprint_item(self) -> None:
        if (item_id := self._picked()) is not None:
            self.queued(self.session.reprint_item(item_id))

    def action_reprint_last(self) -> None:
        self.queued(self.session.reprint_last())

    def queued(self, job: PrintJob | Problem) -> None:
        if isinstance(job, Problem):
            self.show_problem(job)
            return
        self.clear_problem()
        self.app.post_message(PrintQueued(job))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return self.session.is_supervisor
        return True

    def action_reopen(self) -> None:
        """Reopen the picked item, with a reason from the list (supervisors only)."""
        row = next((r for r in self.session.item_rows() if r.item.id == self._picked()), None)
        if row is None:
            return
        item_id = row.item.id
        reopenable = self.session.reopenable(item_id)
        if isinstance(reopenable, Problem):
            self.show_problem(reopenable)
            return
        from screens.dialogs import ReopenReasonScreen

        def chosen(reason: str | None) -> None:
            if reason is None:
                return
            reopened = self.session.reopen_item(item_id, reason)
            if isinstance(reopened, Problem):
                self.show_problem(reopened)
                return
            self.clear_problem()
            self.refresh_view()

        said = _outcome_said(row.decision) if row.decision else ""
        self.app.push_screen(
            ReopenReasonScreen(
                f"Reopen item {shown(item_id, ID_CELLS)} ({said})? Its inspection stays on "
                "record but no longer counts, and the item is inspected again."
            ),
            chosen,
        )

    def action_done(self) -> None:
        self.session.close_request()
        self.app.post_message(RequestClosed())


def _coloured(text: str, colour: str | None, colours: dict[str, str]) -> Text:
    """`text` in the theme's `colour` (a variable's name), or as its widget's CSS has it."""
    # A span, not the text's own style: texts that differ in it alone then differ (`say`).
    return Text.assemble((text, colours.get(colour, "") if colour else ""))


def _column_widths(labels: tuple[str, ...], lines: list[list[Text]]) -> list[int]:
    """How wide each column's widest cell, or its label, is."""
    return [
        max([len(label), *(cells[n].cell_len for cells in lines)]) for n, label in enumerate(labels)
    ]


def _outcome_said(decision: Decision) -> str:
    """ACCEPT $15.00, or HOLD: what pays nothing says so by the word, not with $0.00."""
    paid = f" {dollars(decision.final_cents)}" if decision.outcome in PAID else ""
    return f"{decision.outcome.value.upper()}{paid}"


def _reopened(reopened: Reopened) -> str:
    return (
        f"↺ Reopened {shown(reopened.item_id, ID_CELLS)} ({reopened.reason}): scan the device, "
        "or pick it and press Enter, to inspect it again"
    )


def _saved(done: FinishedInspection, picked: bool) -> str:
    decision = done.decision
    item = shown(done.started.request_item_id, ID_CELLS)
    if done.started.second_of:
        # The device leaves with the first inspection's label: that one counts.
        return f"✓ Second grading of {item} saved: compared with the first, which counts"
    if picked:
        return f"✓ Saved {item}: {_outcome_said(decision)} · label → {SECOND_GRADING}\n{PICKED}"
    return (
        f"✓ Saved {item}: {_outcome_said(decision)} · label → {decision.disposition.value.upper()}"
    )
