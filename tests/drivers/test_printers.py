"""The printers, each against the real thing it talks to: files read back with a barcode
decoder, ZPL received on a pseudo-terminal and on a local TCP server and parsed, `lp`
replaced by a script first on PATH that records what it was given."""

from __future__ import annotations

import os
import re
import select
import stat
import threading
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.config import LABEL_DPIS
from bench.labels import LABEL_SIZES, LabelSize, disposition_layout
from bench.layout import Layout
from bench.sheets import command_sheet
from drivers.labels import code128
from drivers.printers import PrinterCannotPrint, PrinterOffline, PrinterRefusedJob
from drivers.printers.cups import CupsPrinter
from drivers.printers.files import FilePrinter
from drivers.printers.zpl import ZplPrinter, zpl_of
from tests.support.barcodes import decode, pages_of, pdf_pages, sample_label
from tests.support.printers import ZplServer, wait_for

ITEM = "TI-000123-01"
SIZES_AND_DPIS = [
    pytest.param(size, dpi, id=f"{name}-{dpi}")
    for name, size in LABEL_SIZES.items()
    for dpi in LABEL_DPIS
]


def label(size: LabelSize = LABEL_SIZES["4x6"], dpi: int = 203, **kwargs: str) -> Layout:
    return disposition_layout(sample_label(item_id=ITEM, **kwargs), size, dpi, code128)


# -- file -------------------------------------------------------------------------------


def test_the_file_printer_writes_png_and_svg_that_scan_as_the_item(tmp_path: Path) -> None:
    folder = tmp_path / "labels"  # made by the printer
    FilePrinter(folder, "png+svg").print_pages("the label", "000001-" + ITEM, [label()])
    written = sorted(path.name for path in folder.iterdir())
    assert written == [f"000001-{ITEM}.png", f"000001-{ITEM}.svg"]
    for path in folder.iterdir():
        assert decode(pages_of(path, 203)[0]) == [ITEM]


def test_a_folder_that_cannot_be_written_is_a_plain_failure(tmp_path: Path) -> None:
    blocked = tmp_path / "labels"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(PrinterOffline) as failed:
        FilePrinter(blocked, "png").print_pages("the label of X", "x", [label()])
    assert str(failed.value).startswith(f"cannot write the label of X into {blocked}: ")


# -- zpl --------------------------------------------------------------------------------


def parsed(zpl: bytes) -> dict[str, object]:
    """What a printer would read out of a ZPL format: its size and every field."""
    text = zpl.decode("utf-8")
    assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
    assert text.count("^XA") == 1
    return {
        "width": int(re.search(r"\^PW(\d+)", text).group(1)),  # type: ignore[union-attr]
        "height": int(re.search(r"\^LL(\d+)", text).group(1)),  # type: ignore[union-attr]
        "origins": [(int(x), int(y)) for x, y in re.findall(r"\^FO(\d+),(\d+)", text)],
        "barcodes": re.findall(r"\^BC[^\^]*(?:\^FH)?\^FD(.*?)\^FS", text),
        "texts": re.findall(r"\^A0N[^\^]*\^FB[^\^]*\^FH\^FD(.*?)\^FS", text),
    }


def check_label(zpl: bytes, size: LabelSize, dpi: int) -> None:
    found = parsed(zpl)
    width, height = round(size.width_in * dpi), round(size.height_in * dpi)
    assert (found["width"], found["height"]) == (width, height)
    origins = found["origins"]
    assert isinstance(origins, list) and len(origins) >= 4
    for x, y in origins:
        assert 0 <= x < width and 0 <= y < height, (x, y)
    assert found["barcodes"] == [ITEM]
    assert "REFURBISH" in found["texts"]  # type: ignore[operator]


@pytest.fixture
def pty_port() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    yield master, name
    os.close(slave)
    os.close(master)


def read_until_end(master: int, seconds: float = 5.0) -> bytes:
    received = b""
    while b"^XZ" not in received:
        ready, _, _ = select.select([master], [], [], seconds)
        assert ready, f"the pty got only {received!r}"
        received += os.read(master, 4096)
    return received


@pytest.mark.parametrize(("size", "dpi"), SIZES_AND_DPIS)
def test_zpl_through_a_serial_port_fits_the_label(
    pty_port: tuple[int, str], size: LabelSize, dpi: int
) -> None:
    master, name = pty_port
    printer = ZplPrinter(port=name, baud=9600, timeout=2)
    sent = threading.Thread(target=printer.print_pages, args=("the label", "x", [label(size, dpi)]))
    sent.start()
    received = read_until_end(master)
    sent.join(5)
    check_label(received, size, dpi)


@pytest.fixture
def zpl_server() -> Iterator[ZplServer]:
    server = ZplServer()
    yield server
    server.close()


@pytest.mark.parametrize(("size", "dpi"), SIZES_AND_DPIS)
def test_zpl_over_tcp_fits_the_label(zpl_server: ZplServer, size: LabelSize, dpi: int) -> None:
    ZplPrinter(address=("127.0.0.1", zpl_server.port), timeout=2).print_pages(
        "the label", "x", [label(size, dpi)]
    )
    wait_for(lambda: bool(zpl_server.received))
    (received,) = zpl_server.received
    check_label(received, size, dpi)


def test_a_refused_connection_is_a_plain_failure() -> None:
    switched_off = ZplServer(listening=False)
    port = switched_off.port
    try:
        with pytest.raises(PrinterOffline) as failed:
            ZplPrinter(address=("127.0.0.1", port), timeout=2).print_pages("x", "x", [label()])
    finally:
        switched_off.close()
    assert str(failed.value) == f"printer 127.0.0.1:{port} refused the connection"
    assert not failed.value.lasting


def test_a_serial_port_that_is_not_there_is_a_plain_failure(tmp_path: Path) -> None:
    missing = tmp_path / "ttyUSB9"
    with pytest.raises(PrinterOffline) as failed:
        ZplPrinter(port=str(missing), timeout=1).print_pages("x", "x", [label()])
    assert str(failed.value).startswith(f"printer on {missing} cannot be opened: ")


def test_zpl_refuses_the_command_sheet_and_says_where_to_print_it() -> None:
    sheet = command_sheet("letter", code128)
    with pytest.raises(PrinterCannotPrint) as refused:
        ZplPrinter(address=("127.0.0.1", 9), timeout=1).print_pages("the command sheet", "x", sheet)
    assert refused.value.lasting
    assert "bench labels commands -o sheet.pdf" in str(refused.value)


def test_zpl_field_data_escapes_what_zpl_reads_as_commands() -> None:
    zpl = zpl_of(label(model_name="A^B~C_D Ü")).decode("utf-8")
    assert "^FDA_5EB_7EC_5FD Ü^FS" in zpl


# -- cups -------------------------------------------------------------------------------


def fake_lp(folder: Path, body: str) -> Path:
    """An `lp` in `folder` that records its arguments and standard input, then runs body."""
    folder.mkdir(exist_ok=True)
    script = folder / "lp"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/argv"\ncat > "{folder}/stdin"\n{body}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.fixture
def lp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


def test_cups_pipes_a_pdf_of_the_label_to_lp(lp_folder: Path) -> None:
    fake_lp(lp_folder, "exit 0")
    CupsPrinter("zebra1", timeout=5).print_pages(f"the label of {ITEM}", "x", [label()])
    argv = (lp_folder / "argv").read_text().splitlines()
    assert argv == ["-d", "zebra1", "-t", f"the label of {ITEM}"]
    pdf = (lp_folder / "stdin").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert decode(pdf_pages(pdf, 203)[0]) == [ITEM]


def test_cups_without_a_name_prints_on_lps_default(lp_folder: Path) -> None:
    fake_lp(lp_folder, "exit 0")
    CupsPrinter("", timeout=5).print_pages("the command sheet", "x", [label()])
    assert (lp_folder / "argv").read_text().splitlines() == ["-t", "the command sheet"]


def test_an_unknown_cups_printer_is_named(lp_folder: Path) -> None:
    fake_lp(lp_folder, 'echo "lp: The printer or class does not exist." >&2; exit 1')
    with pytest.raises(PrinterRefusedJob) as refused:
        CupsPrinter("zebra1", timeout=5).print_pages("x", "x", [label()])
    assert str(refused.value).startswith("lp: no such printer 'zebra1'")


def test_any_other_lp_failure_says_what_lp_said(lp_folder: Path) -> None:
    fake_lp(lp_folder, 'echo "lp: Unable to connect to server" >&2; exit 1')
    with pytest.raises(PrinterRefusedJob) as refused:
        CupsPrinter("office", timeout=5).print_pages("x", "x", [label()])
    assert str(refused.value) == (
        "lp could not print on CUPS printer 'office': lp: Unable to connect to server"
    )


def test_an_lp_that_hangs_is_given_up_on(lp_folder: Path) -> None:
    fake_lp(lp_folder, "sleep 10")
    with pytest.raises(PrinterOffline) as failed:
        CupsPrinter("office", timeout=0.5).print_pages("x", "x", [label()])
    assert str(failed.value) == "lp did not finish within 0.5 s printing on CUPS printer 'office'"


def test_no_lp_installed_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterOffline) as failed:
        CupsPrinter("office", timeout=1).print_pages("x", "x", [label()])
    assert str(failed.value).startswith("lp is not installed, so CUPS cannot print")
