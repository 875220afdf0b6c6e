"""The `cups` printer: a job as a PDF piped to `lp`, the CUPS command every Linux desk has,
so any printer CUPS knows (office or label) prints bench's labels and sheets."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from bench.layout import Layout
from drivers.labels import rendered
from drivers.printers.base import PrinterOffline, PrinterRefusedJob


class CupsPrinter:
    """`lp [-d name] -t title`, the PDF on its standard input, for at most `timeout` s."""

    prints_pages = True

    def __init__(self, name: str, timeout: float) -> None:
        self.name = name.strip()
        self.timeout = timeout

    @property
    def where(self) -> str:
        return f"CUPS printer {self.name!r}" if self.name else "CUPS's default printer"

    def print_pages(self, title: str, stem: str, pages: Sequence[Layout]) -> None:
        (pdf,) = rendered(pages, "pdf")
        command = ["lp", *(["-d", self.name] if self.name else []), "-t", title]
        try:
            done = subprocess.run(command, input=pdf, capture_output=True, timeout=self.timeout)
        except FileNotFoundError as error:
            raise PrinterOffline(
                "lp is not installed, so CUPS cannot print: install cups-client (apt-get "
                "install cups-client), or choose another [printer] kind"
            ) from error
        except subprocess.TimeoutExpired as error:
            raise PrinterOffline(
                f"lp did not finish within {self.timeout:g} s printing on {self.where}"
            ) from error
        except OSError as error:
            raise PrinterOffline(f"lp could not be run: {error.strerror or error}") from error
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = said[-1] if said else f"exit status {done.returncode}"
            if self.name and "not exist" in reason:
                # CUPS's words: "lp: The printer or class does not exist."
                raise PrinterRefusedJob(f"lp: no such printer {self.name!r} (lpstat -p lists them)")
            raise PrinterRefusedJob(f"lp could not print on {self.where}: {reason}")
