"""The demo's scanner trigger: pick a code, and the simulated scanner scans it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from screens.widgets import KeyBar


class DemoScanScreen(ModalScreen[str | None]):
    """↑↓ and Enter scan the highlighted code; Esc closes without scanning."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, hints: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self.hints = hints

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("SCAN A DEMO CODE", classes="title")
            yield Label("The simulated scanner sends it, as a real one would.", markup=False)
            yield OptionList(
                *(Option(f"{code}  {what}", id=code) for code, what in self.hints),
                id="demo-codes",
            )
        yield KeyBar()

    @on(OptionList.OptionSelected, "#demo-codes")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
