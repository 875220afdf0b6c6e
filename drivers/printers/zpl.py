"""The `zpl` printer: a Zebra-type label printer, sent ZPL II over raw TCP or a serial port.

Label printers are fastest and sharpest given their own language rather than a picture,
so each element of the label's `bench.layout.Layout` becomes its ZPL field at the same
dots: a `Text` a scalable-font field (``^A0``) in a field block as wide as its box, aligned
as laid out; `Bars` a Code 128 field (``^BC``) of the item id, its module ``^BY``; a
`Rule` a graphic box (``^GB``). The layout is made for [labels] size and dpi, so the
label fits the stock; ``^PW`` and ``^LL`` tell the printer its size.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

import serial

from bench.layout import Bars, Layout, Rule, Text
from drivers.printers.base import PrinterCannotPrint, PrinterOffline

# Characters ZPL reads as commands, and the hex indicator itself, go in as _XX (``^FH``).
_SPECIAL = frozenset("^~_")
_JUSTIFY = {"left": "L", "center": "C", "right": "R"}


def zpl_of(layout: Layout) -> bytes:
    """One label as a ZPL II format, ^XA … ^XZ, UTF-8 text (``^CI28``)."""
    out = ["^XA", "^CI28", f"^PW{layout.width}", f"^LL{layout.height}", "^LH0,0"]
    for element in layout.elements:
        box = element.box
        if isinstance(element, Text):
            # ^FO places the top of the character cell: where the layout puts the em's top.
            top = round(box.y + (box.height - element.size) / 2)
            out.append(
                f"^FO{box.x},{top}^A0N,{element.size},{element.size}"
                f"^FB{box.width},1,0,{_JUSTIFY[element.align]},0"
                f"^FH^FD{_field(element.text)}^FS"
            )
        elif isinstance(element, Bars):
            out.append(
                f"^BY{element.module},3,{box.height}^FO{element.symbol_x},{box.y}"
                f"^BCN,{box.height},N,N,N,A^FH^FD{_field(element.data)}^FS"
            )
        elif isinstance(element, Rule):
            thickness = min(box.width, box.height)
            out.append(f"^FO{box.x},{box.y}^GB{box.width},{box.height},{thickness}^FS")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def _field(text: str) -> str:
    return "".join(
        "".join(f"_{byte:02X}" for byte in ch.encode("utf-8")) if ch in _SPECIAL else ch
        for ch in text
    )


class ZplPrinter:
    """Sends each label's ZPL to the printer: at `address` (host, port) over TCP, or
    through the serial `port` at `baud`. Gives up on a printer silent for `timeout` s."""

    prints_pages = False

    def __init__(
        self,
        *,
        address: tuple[str, int] | None = None,
        port: str = "",
        baud: int = 9600,
        timeout: float = 10.0,
    ) -> None:
        if (address is None) == (not port):
            raise ValueError("a zpl printer has an address or a serial port, not both")
        self.address = address
        self.port = port
        self.baud = baud
        self.timeout = timeout

    @property
    def where(self) -> str:
        if self.address is not None:
            host, number = self.address
            return f"printer {host}:{number}"
        return f"printer on {self.port}"

    def print_pages(self, title: str, stem: str, pages: Sequence[Layout]) -> None:
        if len(pages) != 1:
            raise PrinterCannotPrint(
                f"{title} is {len(pages)} pages of paper and the {self.where} prints labels: "
                "write it with `bench labels commands -o sheet.pdf` and print that on a page "
                "printer"
            )
        data = zpl_of(pages[0])
        if self.address is not None:
            self._send_tcp(data)
        else:
            self._send_serial(data)

    def _send_tcp(self, data: bytes) -> None:
        assert self.address is not None
        try:
            with socket.create_connection(self.address, timeout=self.timeout) as connection:
                connection.sendall(data)
                connection.shutdown(socket.SHUT_WR)
        except ConnectionRefusedError as error:
            raise PrinterOffline(f"{self.where} refused the connection") from error
        except TimeoutError as error:
            raise PrinterOffline(
                f"{self.where} did not answer within {self.timeout:g} s"
            ) from error
        except socket.gaierror as error:
            raise PrinterOffline(
                f"{self.where}: no such host on this network ({error.strerror})"
            ) from error
        except OSError as error:
            raise PrinterOffline(f"{self.where}: {error.strerror or error}") from error

    def _send_serial(self, data: bytes) -> None:
        try:
            with serial.serial_for_url(
                self.port, baudrate=self.baud, timeout=self.timeout, write_timeout=self.timeout
            ) as line:
                line.write(data)
                line.flush()
        except serial.SerialTimeoutException as error:
            raise PrinterOffline(f"{self.where} took nothing within {self.timeout:g} s") from error
        except (serial.SerialException, OSError, ValueError) as error:
            raise PrinterOffline(f"{self.where} cannot be opened: {error}") from error
