"""What every label printer is to the print worker, and how printing fails.

A printer takes the pages of one job (`bench.layout.Layout`s: a label, or the sheets of
the command codes) and prints them, or raises a `PrinterError` whose message says in
plain words what went wrong, naming the printer ("printer 10.0.0.5:9100 refused the
connection"). The worker shows that message and retries; a `lasting` error (a job this
printer can never print) is not retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bench.layout import Layout


class PrinterError(Exception):
    """A job did not print; `str(error)` is a plain sentence naming the printer."""

    lasting = False
    """True when trying again cannot help: the job is set aside, not retried."""


class PrinterOffline(PrinterError):
    """The printer cannot be reached or did not take the job: off, unplugged, busy."""


class PrinterRefusedJob(PrinterError):
    """The printer's spooler said no (an unknown printer name, a stopped queue)."""


class PrinterCannotPrint(PrinterError):
    """This printer can never print this job (a sheet of paper on a label printer)."""

    lasting = True


class Printer(Protocol):
    """A printer of bench's labels and sheets."""

    @property
    def where(self) -> str:
        """Which printer this is, as the inspector and the log name it."""

    @property
    def prints_pages(self) -> bool:
        """Whether it prints office paper (the command sheet), not only labels."""

    def print_pages(self, title: str, stem: str, pages: Sequence[Layout]) -> None:
        """Print one job: `title` names it (for a spooler), `stem` is a file name for it.
        Raises PrinterError."""
