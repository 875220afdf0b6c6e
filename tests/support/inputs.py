"""The inspector's hands, counted: the scripted flow of a typical accepted item, from the
package label to the saved outcome. tests/ui/test_app.py checks it, and
`benchmarks.inputs` reports the count it makes."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from screens.checklist import ChecklistView
from screens.home import HomeView
from screens.messages import InspectionSaved
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.station import (
    PAN_V2_SERIAL,
    SIZE,
    Station,
    scan,
    showing,
    station_open,
    wait_until,
)


class Inputs:
    """The inspector's hands: every key press and every scan goes through here, counted."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.given: list[str] = []

    async def scan(self, code: str) -> None:
        self.given.append(code)
        await scan(self.pilot, code)

    async def press(self, key: str) -> None:
        self.given.append(key)
        await self.pilot.press(key)


async def logged_in(pilot: Pilot[None], badge: str = "EMP-0001", pin: str = "1234") -> None:
    app = pilot.app
    await station_open(pilot)
    await scan(pilot, badge)
    assert isinstance(app.focused, Input) and app.focused.id == "pin"
    await pilot.press(*pin, "enter")
    await wait_until(pilot, lambda: isinstance(showing(app), HomeView))


async def typical_accepted_item(station: Station) -> tuple[list[str], list[InspectionSaved]]:
    """TI-000001's Pan v2 (listed, serial declared, bought long ago) inspected and accepted
    in the real app: the inputs given after login, and what was saved."""
    app = station.app()
    saved: list[InspectionSaved] = []

    def keep(message: object) -> None:
        if isinstance(message, InspectionSaved) and message not in saved:
            saved.append(message)

    async with app.run_test(size=SIZE, message_hook=keep) as pilot:
        await logged_in(pilot)
        hands = Inputs(pilot)
        await hands.scan("TI-000001")  # the package label
        await wait_until(pilot, lambda: isinstance(showing(app), RequestView))
        await hands.scan(PAN_V2_SERIAL)  # the device: listed, serial declared, bought
        await wait_until(pilot, lambda: isinstance(showing(app), ChecklistView))
        await hands.press("enter")  # model listed, serial matches, age: as the data says
        for key in ("n", "n", "y", "y"):  # not broken, not dirty, reset, owned
            await hands.press(key)
        await wait_until(pilot, lambda: isinstance(showing(app), OutcomeView))
        await hands.press("enter")  # save
        await wait_until(pilot, lambda: bool(saved))
    return hands.given, saved
