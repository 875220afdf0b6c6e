"""Requests part or wholly inspected, for tests of the request screen: results the station
saved at an earlier visit of the package, and serials the portal declared.

Walking a checklist for every item would test the checklist again; what these tests look
at is what the request screen makes of results already saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import update

from bench.domain import (
    Decision,
    Disposition,
    FinishedInspection,
    InspectionStarted,
    Outcome,
    Reason,
)
from screens.app import BenchApp
from store.central import central_engine, item_table
from store.dbutil import utcnow
from tests.support.station import NOW, Station

ACCEPTED_1920 = Decision(Outcome.ACCEPT, 1920, Disposition.REFURBISH, ())
ACCEPTED_1760 = Decision(Outcome.ACCEPT, 1760, Disposition.REFURBISH, ())
REJECTED_DIRTY = Decision(Outcome.REJECT, 0, Disposition.RECYCLE, (Reason.DIRTY,))
HELD_SERIAL = Decision(Outcome.HOLD, 0, Disposition.HOLD, (Reason.SERIAL_MISMATCH,))

# Serials for TI-000002's three cameras (the demo declares none): 17 characters each, as
# Wyze prints them, so the table has a serial column to fit at 80 columns.
TI_000002_SERIALS = {
    "TI-000002-01": "WYZECO13360521894",
    "TI-000002-02": "WYZECO25518302267",
    "TI-000002-03": "WYZECP38817342950",
}


def save_result(app: BenchApp, item_id: str, decision: Decision) -> None:
    """A confirmed result for `item_id` in the station's own store, as an earlier visit of
    the package left it: the request screen shows it the next time the request opens."""
    started = InspectionStarted(
        id=str(uuid.uuid4()),
        request_item_id=item_id,
        station_id="B-07",
        inspector_id="EMP-0001",
        started_at=NOW,
        scanned_code="",
        identified_sku=None,
    )
    app.session.store.finish_inspection(
        FinishedInspection(started, NOW, (), grade=None, wiped=True, decision=decision)
    )


def declare_serials(station: Station, serials: Mapping[str, str]) -> None:
    """Give items declared serials in central, as the portal would, before the station
    first pulls."""
    engine = central_engine(station.central_url)
    try:
        with engine.begin() as conn:
            for item_id, serial in serials.items():
                conn.execute(
                    update(item_table)
                    .where(item_table.c.id == item_id)
                    .values(declared_serial=serial, updated_at=utcnow())
                )
    finally:
        engine.dispose()
