"""Writing labels and sheets to files: by a name's ending (the CLI), or into a folder (the
`file` printer). A file appears whole or not at all: it is written aside, then renamed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal, get_args

from bench.layout import Layout

LabelFormat = Literal["png", "svg", "pdf"]
FORMATS: Final[tuple[LabelFormat, ...]] = get_args(LabelFormat)


def format_of(path: Path) -> LabelFormat:
    """The format a file name asks for; ValueError, saying which endings work, if none."""
    ending = path.suffix.lower().lstrip(".")
    for known in FORMATS:
        if ending == known:
            return known
    endings = ", ".join(f".{name}" for name in FORMATS)
    raise ValueError(f"{path.name} does not end in {endings}: the ending says which to write")


def rendered(pages: Sequence[Layout], format: LabelFormat) -> list[bytes]:
    """The files' contents: one PDF holding every page, or one PNG or SVG per page."""
    if format == "pdf":
        from drivers.labels.pdf import pdf_bytes

        return [pdf_bytes(pages)]
    if format == "png":
        from drivers.labels.png import png_bytes

        return [png_bytes(page) for page in pages]
    from drivers.labels.svg import svg_text

    return [svg_text(page).encode("utf-8") for page in pages]


def write_pages(pages: Sequence[Layout], path: Path) -> list[Path]:
    """Write `pages` as the file `path` names. A PDF holds every page; PNG and SVG hold one,
    so more pages become NAME-1.png, NAME-2.png… beside it. Returns the files written."""
    contents = rendered(pages, format_of(path))
    if len(contents) == 1:
        targets = [path]
    else:
        targets = [
            path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(1, len(contents) + 1)
        ]
    for target, content in zip(targets, contents, strict=True):
        _write_whole(target, content)
    return targets


def write_label(layout: Layout, folder: Path, stem: str, format: LabelFormat) -> Path:
    """Write one label as `folder/stem.png` (or .svg, .pdf), making the folder if need be."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}.{format}"
    _write_whole(target, rendered([layout], format)[0])
    return target


def _write_whole(target: Path, content: bytes) -> None:
    aside = target.with_name(f".{target.name}.part")
    aside.write_bytes(content)
    os.replace(aside, target)
