"""The `file` printer: each job written as files into a folder, for a station without a
printer (the demo), or one whose labels are printed by something watching the folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from bench.config import PrinterFormats
from bench.layout import Layout
from drivers.labels import LabelFormat, write_pages
from drivers.printers.base import PrinterOffline

FORMATS_OF: Final[dict[PrinterFormats, tuple[LabelFormat, ...]]] = {
    "png": ("png",),
    "svg": ("svg",),
    "png+svg": ("png", "svg"),
}


class FilePrinter:
    """Writes `folder/STEM.png` (and/or .svg); a sheet of pages as STEM-1.png, STEM-2.png…"""

    prints_pages = True

    def __init__(self, folder: Path, formats: PrinterFormats) -> None:
        self.folder = folder
        self.formats = FORMATS_OF[formats]

    @property
    def where(self) -> str:
        return f"folder {self.folder}"

    def print_pages(self, title: str, stem: str, pages: Sequence[Layout]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for format in self.formats:
                write_pages(pages, self.folder / f"{stem}.{format}")
        except OSError as error:
            raise PrinterOffline(
                f"cannot write {title} into {self.folder}: {error.strerror or error}"
            ) from error
