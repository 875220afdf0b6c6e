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
    decisions: Mapping[str, Decision],
    scan: Classified,
    model: CatalogModel | None,
    serial: str | None,
    declared_name: Callable[[RequestItem], str | None],
) -> RequestItem | Problem:
    """The item of `request` the scanned device is, or why none can be taken.

    `decisions` holds the items inspected already; `model` is the catalog model the scan's
    GTIN named; `declared_name(item)` the name of the model the item declares, so a device
    of the same product listed under another sku still matches.
    """
    items = request.items

    def pending_or_done(item: RequestItem) -> RequestItem | Problem:
        return already_inspected(item, decisions[item.id]) if item.id in decisions else item

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
        waiting = [i for i in by_model if i.id not in decisions]
        if waiting:
            return waiting[0]
        if by_model:
            return already_inspected(by_model[0], decisions[by_model[0].id])
    pending = [item for item in items if item.id not in decisions]
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


def already_inspected(item: RequestItem, decision: Decision) -> Problem:
    # An inspector never reopens an item: a supervisor decides whether it is inspected again.
    return Problem(
        "Already inspected",
        f"Item {item.id} was inspected already: {decision.outcome.value.upper()}.",
        "Scan another device of this request. If this one must be inspected again, put it "
        f"aside for a supervisor, who reopens item {item.id} (F10).",
    )
