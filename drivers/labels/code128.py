"""Code 128 modules of a text, by python-barcode: the `bench.layout.Encoder` of every label."""

from __future__ import annotations

from bench.layout import LayoutError


def code128(data: str) -> str:
    """The modules of `data`'s Code 128 symbol ("1" black, "0" white), no quiet zones."""
    # Imported at the first label, in the print worker's thread: python-barcode loads PIL
    # (a tenth of a second), which the station's first screen must not wait for.
    from barcode.codex import Code128
    from barcode.errors import IllegalCharacterError

    try:
        pattern: str = Code128(data).build()[0]
    except IllegalCharacterError:
        raise LayoutError(f"{data!r} cannot be printed as a Code 128 barcode.") from None
    return pattern
