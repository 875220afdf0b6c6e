"""A station whose central rows carry text from outside: markup, control and bidi
characters, very long names.

Central is written by the portal, so whatever a customer or an administrator typed reaches
the bench. `outside_station` writes one program, one model and one
request of one item whose text fields hold what a test chooses, and the demo's inspectors,
straight into the station's replica.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from textual.pilot import Pilot

from bench.demo_data import TRADE_UP
from bench.domain import Request, RequestStatus
from bench.pins import hash_pin
from store.local import LocalStore
from tests.support.factories import demo_model, demo_program, request_item
from tests.support.station import NOW, Station, dataset, on_screen, open_request

REQUEST_ID = "TI-900020"


@dataclass(frozen=True)
class CentralText:
    """The text fields of the one request's central rows; plain demo text by default."""

    program_code: str = TRADE_UP
    program_name: str = "Wyze Trade-Up"
    sku: str = "WYZE-PAN-V2"
    brand: str = "Wyze"
    model_name: str = "Wyze Cam Pan v2"
    item_suffix: str = "01"
    """The item id is the request id, "-" and this."""
    customer_ref: str = "CUST-1"
    tracking_number: str | None = None
    declared_serial: str | None = None
    inspector_name: str = "Ana Inspector"
    """The name of EMP-0001, who logs in."""

    @property
    def item_id(self) -> str:
        return f"{REQUEST_ID}-{self.item_suffix}"


def outside_station(folder: Path, text: CentralText) -> Station:
    """A station whose central holds the request `REQUEST_ID` written with `text`."""
    base = dataset()
    program = replace(demo_program(TRADE_UP), code=text.program_code, name=text.program_name)
    model = replace(
        demo_model("WYZE-PAN-V2"),
        sku=text.sku,
        program_code=text.program_code,
        brand=text.brand,
        name=text.model_name,
    )
    created = NOW - timedelta(days=2)
    item = replace(
        request_item(
            text.item_id,
            text.sku,
            offer_cents=1500,
            quoted_at=created,
            declared_serial=text.declared_serial,
            purchased_on=date(2026, 2, 2),
        ),
        request_id=REQUEST_ID,
    )
    request = Request(
        id=REQUEST_ID,
        program_code=text.program_code,
        customer_ref=text.customer_ref,
        created_at=created,
        shipping_cost_cents=799,
        status=RequestStatus.IN_TRANSIT,
        tracking_number=text.tracking_number,
        items=(item,),
    )
    first, *others = base.inspectors
    inspectors = (replace(first, name=text.inspector_name), *others)
    station = Station(folder, central_url="")
    # Written into the station's replica itself, with no central to sync with: the pull
    # would skip a row like this (store.sync.validate), and the screens must hold up
    # even so, for text that reaches them by other roads (a scan, the config, a replica
    # written by an older bench).
    with LocalStore.open(station.config().store.local_path) as store:
        store.write_replica(
            programs=[program],
            models=[model],
            requests=[request],
            inspectors=[(i, hash_pin(base.pins[i.id])) for i in inspectors],
        )
    return station


async def open_checklist_by_hand(pilot: Pilot[None]) -> None:
    """Log in, open `REQUEST_ID` and pick its item with Enter: its checklist on show."""
    from screens.checklist import ChecklistView

    await open_request(pilot, REQUEST_ID)
    await pilot.press("enter")
    await on_screen(pilot, ChecklistView)
