"""Which item of a request a scanned device is: by item label, serial, model, or the one
left. Pure: the session hands in the request, what is inspected already and the model the
scan named."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bench.checklist import DeviceFacts
from bench.domain import CatalogModel, Decision, Request, RequestItem
from bench.problems import Problem
from bench.scans import Classified, ScanKind, describe

_SERIAL_KINDS = frozenset({ScanKind.SERIAL, ScanKind.IMEI})


def device_facts(scan: Classified) -> DeviceFacts:
    """What a device scan tells about the device: its GTIN, serial and production date."""
    serial = scan.serial or (scan.value if scan.kind in _SERIAL_KINDS else None)
    return DeviceFacts(
        scan.value, gtin=scan.gtin, serial=serial, production_date=scan.production_date
    )


def match_device(
    request: Request,
    closed: Mapping[str, Problem],
    scan: Classified,
    model: CatalogModel | None,
    serial: str | None,
    declared_name: Callable[[RequestItem], str | None],
) -> RequestItem | Problem:
    """The item of `request` the scanned device is, or why none can be taken.

    `closed` holds the items that cannot be inspected now (inspected already), with what
    to tell the inspector about each; `model` is the catalog model the scan's
    GTIN named; `declared_name(item)` the name of the model the item declares, so a device
    of the same product listed under another sku still matches.
    """
    items = request.items

    def pending_or_done(item: RequestItem) -> RequestItem | Problem:
        return closed.get(item.id, item)

    if scan.kind is ScanKind.ITEM_ID:
        chosen = next((i for i in items if i.id == scan.value), None)
        if chosen is not None:
            return pending_or_done(chosen)
    if serial:
        by_serial = [
            i for i in items if i.declared_serial and i.declared_serial.upper() == serial.upper()
        ]
        if by_serial:
            return pending_or_done(by_serial[0])
    if model is not None:
        by_model = [i for i in items if i.sku == model.sku or declared_name(i) == model.name]
        waiting = [i for i in by_model if i.id not in closed]
        if waiting:
            return waiting[0]
        if by_model:
            return closed[by_model[0].id]
    pending = [item for item in items if item.id not in closed]
    if len(pending) == 1:
        # One device left: take it, and let the checklist show what does not match.
        return pending[0]
    if not pending:
        # Nothing of the request matched: the scan is unknown here, whatever is left to do.
        named = f" ({model.name})" if model is not None else ""
        return Problem(
            "Unknown device",
            f"{describe(scan)}{named} is no item of {request.id}, whose items are all inspected.",
            "Check the barcode on the device. A device that belongs to no item goes aside for "
            "a supervisor; then scan the next package label.",
        )
    return Problem(
        "Device matches no item",
        f"{scan.value} matches no waiting item of {request.id}.",
        "Scan the device's barcode with the model (GTIN), or pick the item with the arrow "
        "keys and Enter. A device that belongs to no item goes aside for a supervisor.",
    )


def second_grading_elsewhere(item: RequestItem) -> Problem:
    """The first inspector of an item picked for a second grading: another must grade it."""
    return Problem(
        "Another inspector must grade it",
        f"Item {item.id} was picked for a blind second grading: another inspector grades it "
        "again, without seeing your answers.",
        "Put it on the second-grading shelf and scan another device of this request. It is "
        "inspected: your inspection is the one that counts.",
    )


def already_inspected(item: RequestItem, decision: Decision) -> Problem:
    # An inspector never reopens an item: a supervisor decides whether it is inspected again.
    return Problem(
        "Already inspected",
        f"Item {item.id} was inspected already: {decision.outcome.value.upper()}.",
        "Scan another device of this request. If this one must be inspected again, put it "
        f"aside for a supervisor, who reopens item {item.id} (F10).",
    )
