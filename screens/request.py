"""The request on the bench: its program, its items, which are done; scan the next device.

A view of `PackageScreen`, beside home: a package label scanned on either shows its
request here in place.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label, Static

from bench.commands import Command as Cmd
from bench.domain import FinishedInspection, Outcome
from bench.money import dollars
from bench.problems import Problem
from bench.scans import Classified, ScanKind
from bench.session import ActiveInspection
from bench.text import shown
from screens.base import BenchView
from screens.messages import InspectionOpened, RequestClosed, RequestOpened
from screens.widgets import ID_CELLS, NAME_CELLS, PROBLEM_CELLS, literal

# Theme variables, looked up when drawn: a table cell takes a Rich style, not CSS.
OUTCOME_COLOUR = {
    Outcome.ACCEPT: "text-success",
    Outcome.REVISE: "text-warning",
    Outcome.REJECT: "text-error",
    Outcome.HOLD: "text-primary",
}

# The table's columns at 80 wide: an item's number, and room for typical model names and
# serials (a longer one is cut with an ellipsis) beside the columns the bench writes.
ITEM_NUMBER_CELLS = 8
TABLE_NAME_CELLS = 24


class RequestView(BenchView):
    """Items of one request; a device scan starts its checklist."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "inspect", "Inspect picked item", id="inspect"),
        Binding("escape", "done", "Next package", id="done"),
    ]

    def compose(self) -> ComposeResult:
        yield Label(id="request-prompt", classes="big-prompt", markup=False)
        # The last save is confirmed here, in a place of its own: a toast would cover the
        # problem panel the next scan may need.
        yield Label(id="request-saved", markup=False)
        yield Label(id="request-title", classes="title", markup=False)
        yield Static(id="request-facts", classes="muted", markup=False)
        yield Static(id="request-warnings", classes="notice", markup=False)
        table: DataTable[Text] = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        table.add_columns("Item", "Declared model", "Condition", "Offer", "Serial", "Status")
        yield table

    @property
    def scan_hint(self) -> str:
        return "Scan a device of this request, or pick an item with ↑↓ and Enter."

    def refresh_view(self) -> None:
        request = self.session.request
        program = self.session.program
        if request is None or program is None:
            return
        self.query_one("#request-title", Label).update(
            f"{shown(request.id, ID_CELLS)}  ·  {shown(program.name, NAME_CELLS)}"
        )
        tracking = request.tracking_number
        tracking = f" · tracking {shown(tracking, ID_CELLS)}" if tracking else ""
        self.query_one("#request-facts", Static).update(
            f"customer {shown(request.customer_ref, ID_CELLS)}"
            f" · created {request.created_at:%Y-%m-%d}"
            f" · shipping {dollars(request.shipping_cost_cents)}{tracking}"
        )
        warnings = self.session.request_warnings()
        notice = self.query_one("#request-warnings", Static)
        notice.update("\n".join(shown(warning, PROBLEM_CELLS) for warning in warnings))
        notice.set_class(bool(warnings), "-visible")
        table = self.query_one("#items", DataTable)
        table.clear()
        colours = self.app.theme_variables
        rows = self.session.item_rows()
        for row in rows:
            item = row.item
            if row.decision is None:
                status = Text("waiting")
            else:
                status = Text(
                    f"{row.decision.outcome.value.upper()} {dollars(row.decision.final_cents)}",
                    style=f"bold {colours.get(OUTCOME_COLOUR[row.decision.outcome], '')}",
                )
            # Text cells: a string cell would be read as markup.
            table.add_row(
                literal(item.id.rsplit("-", 1)[-1], ITEM_NUMBER_CELLS),
                literal(row.model_name, TABLE_NAME_CELLS),
                Text(item.declared_condition.value.replace("_", " ")),
                Text(dollars(item.offer_cents)),
                literal(item.declared_serial or "—", ID_CELLS),
                status,
                key=item.id,
            )
        pending = self.session.pending_items
        if pending:
            table.move_cursor(row=[r.item.id for r in rows].index(pending[0].id))
            prompt = (
                f"SCAN A DEVICE ({len(pending)} of {len(request.items)} waiting)\n"
                "or pick one with ↑↓ and Enter"
            )
        elif self.session.request_done:
            prompt = f"ALL DONE: {self.session.settlement()}\nScan the next package label"
        else:
            prompt = "ITEMS MISSING: see below\nPut the package aside for a supervisor"
        label = self.query_one("#request-prompt", Label)
        label.update(prompt)
        label.set_class(not pending, "-done")
        saved = self.session.last_saved
        saved_line = self.query_one("#request-saved", Label)
        saved_line.update(_saved(saved) if saved else "")
        saved_line.set_class(saved is not None, "-visible")
        table.focus()

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

    @on(DataTable.RowSelected, "#items")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.start(self.session.inspect_item(event.row_key.value))

    def action_inspect(self) -> None:
        table = self.query_one("#items", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if key.value is not None:
                self.start(self.session.inspect_item(key.value))

    def action_done(self) -> None:
        self.session.close_request()
        self.app.post_message(RequestClosed())


def _saved(done: FinishedInspection) -> str:
    decision = done.decision
    return (
        f"✓ Saved {shown(done.started.request_item_id, ID_CELLS)}: "
        f"{decision.outcome.value.upper()} {dollars(decision.final_cents)} · "
        f"label → {decision.disposition.value.upper()}"
    )
