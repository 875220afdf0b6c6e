"""Property: whatever text central's rows and the scans carry, the bench neither crashes nor
loses the question and its answer keys off an 80x24 screen.

Each example seeds a central whose request, item, model, program and inspector hold
arbitrary text (markup brackets, control and bidi characters, very long strings), then
walks the real app home -> request -> checklist -> outcome -> saved, scanning arbitrary
text once on each screen and reading the painted screen at every step.
BENCH_PROPERTY_EXAMPLES sets how many examples run (default 25).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widget import Widget

from bench.checklist import AnswerKind, kind_of
from bench.scans import ScanKind, classify
from screens.app import BenchApp
from screens.checklist import ChecklistView
from screens.home import HomeView
from screens.messages import InspectionSaved
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.outside import REQUEST_ID, CentralText, outside_station
from tests.support.station import log_in, on_show, scan, showing, shown, wait_until

EXAMPLES = int(os.environ.get("BENCH_PROPERTY_EXAMPLES", "25"))
SMALL = (80, 24)
ANSWER_KEYS = {AnswerKind.YES_NO: "y", AnswerKind.GRADE: "a", AnswerKind.DEFECT: "1"}

fussy = st.sampled_from(["[/x]", "[b]", "\x1b[2J", "\u202e", "\u2066", "\u200b", "\n", "\x00"])


def outside_text(codec: str | None) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(st.characters(codec=codec) | fussy, max_size=20).map("".join),
        st.text(max_size=5).map(lambda start: start + "x" * 5000),  # 5,000 characters
    )


outside = outside_text(None)
# Central's text is UTF-8 (PostgreSQL's and SQLite's): never a lone surrogate, which a scan's
# text may hold.
from_central = outside_text("utf-8")
keys = from_central.filter(lambda text: text.strip() != "")
central_text = st.builds(
    CentralText,
    program_code=keys,
    program_name=from_central,
    sku=keys,
    brand=from_central,
    model_name=from_central,
    item_suffix=from_central,
    customer_ref=from_central,
    tracking_number=st.none() | from_central,
    declared_serial=st.none() | from_central,
    inspector_name=from_central,
)
# Scans that mean nothing here: a real code (a command, a request...) would only move on.
scans = outside.filter(
    lambda text: classify(text).kind in (ScanKind.UNREADABLE, ScanKind.SERIAL, ScanKind.GTIN)
)


def assert_usable(app: BenchApp) -> None:
    """What the inspector needs on screen now is painted on it."""
    view = showing(app)
    assert on_show(app, "palette")  # the key bar, on every screen
    if isinstance(view, ChecklistView):
        for part in ("#question", "#keys"):
            widget = view.query_one(part, Widget)
            assert on_show(app, shown(widget).splitlines()[0].strip()), part
    elif isinstance(view, OutcomeView):
        assert on_show(app, "Enter / CMD:CONFIRM saves")
    elif isinstance(view, RequestView):
        assert on_show(app, "Next package")
    elif isinstance(view, HomeView):
        assert on_show(app, "SCAN A PACKAGE LABEL")


async def step(pilot: Pilot[None], app: BenchApp, saved: list[InspectionSaved]) -> bool:
    """Do what the inspector does on the screen on show; True once the item is saved."""
    view = showing(app)
    if isinstance(app.screen, ModalScreen):
        await pilot.press("escape")
    elif isinstance(view, HomeView):
        await scan(pilot, REQUEST_ID)
    elif isinstance(view, RequestView):
        if saved:
            return True
        await pilot.press("enter")
    elif isinstance(view, ChecklistView):
        active = app.session.active
        assert active is not None and active.checklist.current is not None
        step = active.checklist.current
        await pilot.press("enter" if step.facts else ANSWER_KEYS[kind_of(step.question)])
    elif isinstance(view, OutcomeView):
        await pilot.press("enter")
    await pilot.pause(0.05)
    return False


async def walk(station_folder: Path, text: CentralText, scanned: list[str]) -> None:
    app = outside_station(station_folder, text).app()
    saved: list[InspectionSaved] = []

    def keep(message: object) -> None:
        if isinstance(message, InspectionSaved) and message not in saved:
            saved.append(message)

    async with app.run_test(size=SMALL, message_hook=keep) as pilot:
        await log_in(pilot)
        visited: set[type[object]] = set()
        for _ in range(30):
            await wait_until(pilot, lambda: app.screen.is_mounted)
            assert_usable(app)
            kind = type(showing(app))
            if kind not in visited and scanned:
                visited.add(kind)
                await scan(pilot, scanned.pop())
                await pilot.pause(0.05)
                assert_usable(app)
            if await step(pilot, app, saved):
                break
        else:
            raise AssertionError(f"never got through the inspection; on {showing(app)}")
        assert app.return_code is None  # still running: nothing crashed it


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(central_text, st.lists(scans, min_size=4, max_size=4))
def test_outside_text_never_crashes_the_bench_nor_hides_the_answer_keys(
    text: CentralText, scanned: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(walk(Path(folder), text, scanned))
