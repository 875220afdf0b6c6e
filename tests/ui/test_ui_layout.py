"""Every screen is usable at 80x24: what the inspector needs is on screen, not scrolled away."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widget import Widget

from screens.help import HelpScreen
from screens.home import HomeView
from screens.items import ItemList
from screens.widgets import KeyBar
from tests.support.station import (
    FOUR_REASON_HOLD_KEYS,
    SeededStation,
    Station,
    log_in,
    on_screen,
    open_checklist,
    open_request,
    showing,
    shown,
    station_open,
    walk_to_outcome,
)

SMALL = (80, 24)


def fully_visible(widget: Widget) -> bool:
    """The widget lies whole between the header and the footer of its screen."""
    screen = widget.screen
    top = 1  # the station header
    bottom = screen.query_one(KeyBar).region.y
    region = widget.region
    return region.height > 0 and region.y >= top and region.bottom <= bottom


class TestFitsAt80x24(SeededStation):
    async def test_login(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await station_open(pilot)
            for part in ("#badge", "#pin", ".big-prompt"):
                assert fully_visible(app.screen.query_one(part)), part
            for hint in app.screen.query(".hint"):
                assert fully_visible(hint)

    async def test_home_hints_are_one_line_each_and_scroll_when_they_do_not_fit(
        self, station: Station
    ) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot)
            assert isinstance(showing(app), HomeView)
            assert fully_visible(app.screen.query_one("#code"))
            hints = list(app.screen.query(".hint"))
            assert len(hints) == 12  # every demo code but the badges
            assert all(hint.region.height == 1 for hint in hints if hint.region.height)
            hint_list = app.screen.query_one("HintList", VerticalScroll)
            assert fully_visible(hint_list)
            # The title and one line per hint: what does not fit scrolls into view.
            overflow = max(0, 1 + len(hints) - hint_list.scrollable_content_region.height)
            assert hint_list.max_scroll_y == overflow

    async def test_request_with_six_items_and_wrapped_facts(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await open_request(pilot, "TI-000031")
            facts = app.screen.query_one("#request-facts")
            assert facts.region.height == 2  # wrapped, not cut at 80 columns
            assert "tracking" in shown(facts)
            table = app.screen.query_one("#items", ItemList)
            assert table.row_count == 6
            assert fully_visible(table)
            assert table.max_scroll_y == 0
            prompt = app.screen.query_one("#request-prompt")
            assert fully_visible(prompt)
            assert "or pick one with ↑↓ and Enter" in shown(prompt)

    async def test_checklist_context_wraps_and_the_keys_show(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await open_checklist(pilot, "TI-000002", "2100400000223")
            context = app.screen.query_one("#context")
            assert context.region.height == 2
            assert shown(context).endswith("(Wyze Cam Outdoor v2)")
            for part in ("#position", "#question", "#notice", "#keys"):
                assert fully_visible(app.screen.query_one(part)), part

    async def test_outcome_shows_everything_without_scrolling(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await walk_to_outcome(pilot, FOUR_REASON_HOLD_KEYS)

            reasons = app.screen.query_one("#outcome-reasons")
            assert shown(reasons).count("•") == 4
            for part in (
                "#outcome-word",
                "#outcome-value",
                "#outcome-disposition",
                "#outcome-reasons",
            ):
                assert fully_visible(app.screen.query_one(part)), part
            assert reasons.region.height == 4

    async def test_help_scrolls_by_keys(self, station: Station) -> None:
        app = station.app()
        async with app.run_test(size=SMALL) as pilot:
            await log_in(pilot)
            await pilot.press("f1")
            await on_screen(pilot, HelpScreen)
            scroller = app.screen.query_one("#help", VerticalScroll)
            assert scroller.max_scroll_y > 0
            assert app.focused is scroller

            await pilot.press("end")
            await pilot.pause(0.3)

            assert scroller.scroll_y == scroller.max_scroll_y
