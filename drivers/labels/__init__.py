"""Labels and sheets drawn from their `bench.layout.Layout`: PNG, SVG and PDF.

Each renderer draws the layout's elements and nothing else, so every format shows the
same label and its barcodes scan the same. `code128` is the barcode encoder the layouts are
built with. `write_pages` writes a sheet or label to a file by its name's ending;
`write_label` writes one label into a folder, as the `file` printer does.
"""

from drivers.labels.code128 import code128
from drivers.labels.files import FORMATS, LabelFormat, format_of, rendered, write_label, write_pages

__all__ = [
    "FORMATS",
    "LabelFormat",
    "code128",
    "format_of",
    "rendered",
    "write_label",
    "write_pages",
]
