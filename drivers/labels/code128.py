"""Code 128 modules of a text, by python-barcode: the `bench.layout.Encoder` of every label."""

from __future__ import annotations

from barcode.codex import Code128
from barcode.errors import IllegalCharacterError

from bench.layout import LayoutError


def code128(data: str) -> str:
    """The modules of `data`'s Code 128 symbol ("1" black, "0" white), no quiet zones."""
    try:
        pattern: str = Code128(data).build()[0]
    except IllegalCharacterError:
        raise LayoutError(f"{data!r} cannot be printed as a Code 128 barcode.") from None
    return pattern
