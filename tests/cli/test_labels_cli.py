"""`bench labels commands|badges|item`: files written from a real station database, their
barcodes read back with zxing-cpp and classified as the bench would classify the scan.

Most tests call `bench.cli.main` in this process (the same parser and code as the console
script, without a second interpreter's start-up); one runs the installed script.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from bench.cli import build_parser, main
from bench.commands import Command
from bench.domain import Decision, Disposition, Grade, Inspector, Outcome, Role
from bench.scans import ScanKind, classify
from store.local import LocalStore
from tests.support.barcodes import decode, pages_of
from tests.support.commands import run
from tests.support.inspections import finished
from tests.support.printers import ZplServer, wait_for
from tests.support.station import dataset

CONFIG = """\
[station]
id = "B-07"
[scanner]
kind = "wedge"
[store]
local_path = "station.db"
[labels]
size = "{size}"
"""
ITEM = "TI-000001-01"
FORMER = Inspector("EMP-0009", "Former Inspector", Role.INSPECTOR, active=False)


def station(folder: Path, size: str = "2x1") -> Path:
    """A station's folder: its config.toml and its database, with the demo replica, a
    former inspector and two inspections of ITEM (a refurbish, then a hold)."""
    config = folder / "config.toml"
    config.write_text(CONFIG.format(size=size), encoding="utf-8")
    data = dataset()
    with LocalStore.open(folder / "station.db") as store:
        store.write_replica(
            programs=data.programs,
            models=data.catalog,
            requests=data.requests,
            inspectors=[(inspector, "not a pin") for inspector in [*data.inspectors, FORMER]],
        )
        first = finished(1, item=ITEM)
        first = dataclasses.replace(
            first, grade=Grade.B, decision=Decision(Outcome.ACCEPT, 1920, Disposition.REFURBISH, ())
        )
        later = finished(2, item=ITEM)
        later = dataclasses.replace(
            later,
            finished_at=first.finished_at + timedelta(hours=1),
            decision=Decision(Outcome.HOLD, 0, Disposition.HOLD, ()),
        )
        store.finish_inspection(later)
        store.finish_inspection(first)  # stored second, finished first: the later one counts
    return config


def bench(config: Path, *args: str) -> int:
    return main(["--config", str(config), "labels", *args])


def failure(capsys: pytest.CaptureFixture[str], code: int) -> str:
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("bench: ")
    return line


class TestCommandSheet:
    def test_the_pdf_holds_every_command_on_three_pages(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        target = tmp_path / "sheet.pdf"
        assert bench(station(tmp_path), "commands", "-o", str(target)) == 0
        assert capsys.readouterr().out == f"Wrote the command sheet to {target} (3 pages)\n"
        pages = pages_of(target, 300)
        assert len(pages) == 3
        scanned = [classify(code).command for page in pages for code in decode(page)]
        assert len(scanned) == len(Command) and set(scanned) == set(Command)

    def test_png_pages_are_numbered_files(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert bench(station(tmp_path), "commands", "-o", str(tmp_path / "sheet.png")) == 0
        written = [tmp_path / f"sheet-{n}.png" for n in (1, 2, 3)]
        assert capsys.readouterr().out == (
            f"Wrote the command sheet to {', '.join(map(str, written))} (3 pages)\n"
        )
        codes = [code for path in written for code in decode(pages_of(path, 300)[0])]
        assert {classify(code).command for code in codes} == set(Command)

    def test_an_ending_that_is_no_format_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = bench(station(tmp_path), "commands", "-o", str(tmp_path / "sheet.jpg"))
        assert failure(capsys, code) == (
            "bench: -o sheet.jpg does not end in .png, .svg, .pdf: the ending says which to write."
        )
        assert not list(tmp_path.glob("sheet*"))

    def test_a_folder_that_cannot_be_written_is_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (tmp_path / "file").write_text("not a folder")
        code = bench(station(tmp_path), "commands", "-o", str(tmp_path / "file" / "sheet.pdf"))
        message = failure(capsys, code)
        assert message.startswith(f"bench: Cannot write {tmp_path / 'file' / 'sheet.pdf'}: ")
        assert message.endswith(f"{tmp_path / 'file'} is a file, not a folder.")


class TestBadges:
    def test_every_active_inspector_gets_a_badge(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        target = tmp_path / "badges.svg"
        assert bench(station(tmp_path), "badges", "-o", str(target)) == 0
        assert capsys.readouterr().out == f"Wrote 3 badges to {target}\n"
        scanned = [classify(code) for code in decode(pages_of(target, 300)[0])]
        assert {(s.kind, s.value) for s in scanned} == {
            (ScanKind.BADGE, inspector.id) for inspector in dataset().inspectors
        }
        assert FORMER.name not in target.read_text(encoding="utf-8")

    def test_chosen_badges_only_in_the_order_given(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        target = tmp_path / "badges.png"
        assert bench(station(tmp_path), "badges", "emp-0009", "EMP-0002", "-o", str(target)) == 0
        assert capsys.readouterr().out == f"Wrote 2 badges to {target}\n"
        # A former inspector's badge can still be reprinted when asked for by id.
        assert decode(pages_of(target, 300)[0]) == ["EMP-0009", "EMP-0002"]

    def test_an_unknown_badge_is_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = bench(station(tmp_path), "badges", "EMP-0001", "EMP-0777", "-o", "b.pdf")
        assert failure(capsys, code).startswith(
            "bench: No inspector EMP-0777 in this station's replica. Add them with "
            "`bench inspectors add`"
        )

    def test_a_station_that_was_never_opened_says_so(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = tmp_path / "config.toml"
        config.write_text(CONFIG.format(size="4x6"), encoding="utf-8")
        code = bench(config, "badges", "-o", str(tmp_path / "b.pdf"))
        assert failure(capsys, code) == (
            f"bench: No station database at {tmp_path.resolve() / 'station.db'} yet ([store] "
            "local_path): start the bench, or run `bench sync`, so it loads the inspectors and "
            "requests from central."
        )
        assert not (tmp_path / "station.db").exists()


class TestItemLabel:
    @pytest.mark.parametrize(("size", "dots"), [("2x1", (406, 203)), ("4x6", (812, 1218))])
    def test_the_label_of_the_latest_inspection_scans_as_the_item(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], size: str, dots: tuple[int, int]
    ) -> None:
        target = tmp_path / "label.png"
        assert bench(station(tmp_path, size), "item", ITEM.lower(), "-o", str(target)) == 0
        assert capsys.readouterr().out == f"Wrote the {size} in label of {ITEM} to {target}\n"
        (page,) = pages_of(target, 203)
        assert page.size == dots  # [labels] size, at the default 203 dpi
        (code,) = decode(page)
        assert (classify(code).kind, classify(code).value) == (ScanKind.ITEM_ID, ITEM)

    def test_the_label_says_what_the_latest_inspection_decided(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        target = tmp_path / "label.svg"
        assert bench(station(tmp_path, "4x6"), "item", ITEM, "-o", str(target)) == 0
        svg = target.read_text(encoding="utf-8")
        for line in (
            "HOLD",
            "Wyze Cam Pan v2",
            "$0.00",
            "not graded",
            "B-07",
            "EMP-0001 Ana Inspector",
        ):
            assert f">{line}</text>" in svg, line

    def test_an_item_without_an_inspection_here_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = station(tmp_path)
        code = bench(config, "item", "TI-000002-01", "-o", str(tmp_path / "label.pdf"))
        assert failure(capsys, code) == (
            "bench: Item TI-000002-01 has no finished inspection at station B-07. A label is "
            "printed from an inspection: inspect the item at this bench first, or reprint it "
            "at the bench that inspected it."
        )
        code = bench(config, "item", "TI-999999-01", "-o", str(tmp_path / "label.pdf"))
        assert "and the station's replica has no such item." in failure(capsys, code)
        assert not (tmp_path / "label.pdf").exists()

    def test_what_is_not_an_item_id_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = bench(station(tmp_path), "item", "TI-000001", "-o", str(tmp_path / "l.pdf"))
        assert failure(capsys, code) == (
            "bench: TI-000001 is not an item id: an item id is the request id and the item's "
            "number, e.g. TI-000123-01."
        )


class TestItemPrinted:
    """Without -o the label is printed on [printer], at once, and a failure is one line."""

    def test_the_file_printer_writes_it_into_its_folder(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert bench(station(tmp_path), "item", ITEM) == 0
        target = tmp_path / "labels" / f"{ITEM}.png"  # [printer] folder, beside the config
        assert capsys.readouterr().out == (
            f"Printed the 2x1 in label of {ITEM} on folder {tmp_path.resolve() / 'labels'}\n"
        )
        assert decode(pages_of(target, 203)[0]) == [ITEM]

    def test_a_zpl_printer_gets_the_labels_zpl(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        printer = ZplServer()
        try:
            config = station(tmp_path)
            with config.open("a", encoding="utf-8") as more:
                more.write(f'[printer]\nkind = "zpl"\naddress = "{printer.address}"\n')
            assert bench(config, "item", ITEM) == 0
            assert capsys.readouterr().out == (
                f"Printed the 2x1 in label of {ITEM} on printer {printer.address}\n"
            )
            wait_for(lambda: len(printer.received) == 1)
            assert printer.item_ids() == [ITEM]
        finally:
            printer.close()

    def test_a_printer_that_is_off_is_one_plain_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        printer = ZplServer(listening=False)
        try:
            config = station(tmp_path)
            with config.open("a", encoding="utf-8") as more:
                more.write(f'[printer]\nkind = "zpl"\naddress = "{printer.address}"\n')
            code = bench(config, "item", ITEM)
        finally:
            printer.close()
        assert failure(capsys, code) == (
            f"bench: The 2x1 in label of {ITEM} did not print: printer {printer.address} "
            "refused the connection."
        )


def test_every_labels_option_has_help() -> None:
    parser = build_parser()
    labels = _subparser(parser, "labels")
    for name in ("commands", "badges", "item"):
        command = _subparser(labels, name)
        for action in command._actions:
            assert action.help, f"bench labels {name} {action.dest} has no help"


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    (group,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: argparse.ArgumentParser = group.choices[name]
    return found


def test_the_console_script_writes_the_sheet(tmp_path: Path) -> None:
    result = run("labels", "commands", "-o", "sheet.pdf", cwd=tmp_path)
    assert result.returncode == 2  # no config.toml here: the usual message, not a traceback
    assert "No config file at ./config.toml" in result.stderr
    station(tmp_path)
    result = run("labels", "commands", "-o", "sheet.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote the command sheet to sheet.pdf (3 pages)\n"
    assert len(pages_of(tmp_path / "sheet.pdf", 300)) == 3
