"""Label printers: where the station's labels and sheets come out, by [printer] kind.

`file` writes PNG and/or SVG files into a folder, `zpl` sends ZPL II to a Zebra-type
printer over TCP or a serial port, `cups` pipes a PDF to `lp`. Each is a `Printer`; the
`PrintWorker` (`queue`) prints the station's queue on one in the background.
"""

from __future__ import annotations

from bench.config import PrinterConfig
from drivers.printers.base import (
    Printer,
    PrinterCannotPrint,
    PrinterError,
    PrinterOffline,
    PrinterRefusedJob,
)


def printer_from_config(config: PrinterConfig) -> Printer:
    """The printer [printer] describes (nothing is opened until it prints)."""
    if config.kind == "zpl":
        from drivers.printers.zpl import ZplPrinter

        if config.port.strip():
            return ZplPrinter(
                port=config.port.strip(), baud=config.baud, timeout=config.timeout_seconds
            )
        return ZplPrinter(address=config.host_and_port, timeout=config.timeout_seconds)
    if config.kind == "cups":
        from drivers.printers.cups import CupsPrinter

        return CupsPrinter(config.name, config.timeout_seconds)
    from drivers.printers.files import FilePrinter

    return FilePrinter(config.folder, config.formats)


__all__ = [
    "Printer",
    "PrinterCannotPrint",
    "PrinterError",
    "PrinterOffline",
    "PrinterRefusedJob",
    "printer_from_config",
]
