"""`bench labels commands|badges|item`: the command sheet, inspector badges and an item's
disposition label, written to a file (PDF, PNG or SVG by its name) to print or reprint;
an item's label without -o is printed on the station's [printer].

Badges and labels come from the station's own database (its replica of central and its
inspections), so they can be printed with the network down.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.cli.common import CommandFailed, os_reason, usage
from bench.config import Config, load_config

if TYPE_CHECKING:
    from bench.layout import Layout
    from store.local import LocalStore

_OUTPUT_HELP = "the file to write: .pdf, .png or .svg, by its ending"


def add_commands(commands: Any) -> None:
    labels = commands.add_parser(
        "labels", help="write the command sheet, inspector badges or an item's label to a file"
    )
    label_commands = labels.add_subparsers(title="label commands", metavar="COMMAND")

    sheet = label_commands.add_parser(
        "commands", help="every CMD: code with what it does, to pin up at the bench"
    )
    sheet.add_argument("-o", "--output", type=Path, required=True, help=_OUTPUT_HELP)
    sheet.set_defaults(command=write_command_sheet)

    badges = label_commands.add_parser(
        "badges", help="badge cards of the active inspectors in this station's replica"
    )
    badges.add_argument(
        "ids", nargs="*", metavar="ID", help="only these badge ids, e.g. EMP-0042 (default: all)"
    )
    badges.add_argument("-o", "--output", type=Path, required=True, help=_OUTPUT_HELP)
    badges.set_defaults(command=write_badges)

    item = label_commands.add_parser(
        "item",
        help="an item's disposition label, from its latest inspection at this station: "
        "printed on [printer], or written with -o",
    )
    item.add_argument("item_id", metavar="ITEM_ID", help="the item id, e.g. TI-000123-01")
    item.add_argument(
        "-o", "--output", type=Path, help=f"{_OUTPUT_HELP} (default: print it on [printer])"
    )
    item.set_defaults(command=write_item_label)
    labels.set_defaults(command=lambda _: usage(labels))


def write_command_sheet(args: argparse.Namespace) -> int:
    from bench.sheets import command_sheet
    from drivers.labels import code128

    config = load_config(args.config)
    _check_ending(args.output)
    _write(lambda: command_sheet(config.labels.paper, code128), args.output, "the command sheet")
    return 0


def write_badges(args: argparse.Namespace) -> int:
    from bench.sheets import badge_sheet
    from drivers.labels import code128

    config = load_config(args.config)
    _check_ending(args.output)
    with _station_store(config) as store:
        known = store.inspectors()
    wanted = [badge.upper() for badge in args.ids]
    if wanted:
        by_id = {inspector.id: inspector for inspector in known}
        missing = [badge for badge in wanted if badge not in by_id]
        if missing:
            raise CommandFailed(
                f"No inspector {', '.join(missing)} in this station's replica. Add them with "
                "`bench inspectors add`, then let the bench sync (or run `bench sync`)."
            )
        chosen = [by_id[badge] for badge in dict.fromkeys(wanted)]
    else:
        chosen = [inspector for inspector in known if inspector.active]
    if not chosen:
        raise CommandFailed(
            "This station's replica has no active inspectors yet: add them with `bench "
            "inspectors add` and let the bench sync with central (or run `bench sync`)."
        )
    count = f"{len(chosen)} badge{'s' if len(chosen) != 1 else ''}"
    _write(lambda: badge_sheet(chosen, config.labels.paper, code128), args.output, count)
    return 0


def write_item_label(args: argparse.Namespace) -> int:
    from bench.labels import LABEL_SIZES, disposition_layout
    from bench.printing import label_of
    from bench.scans import ScanKind, classify
    from drivers.labels import code128

    config = load_config(args.config)
    if args.output is not None:
        _check_ending(args.output)
    scanned = classify(args.item_id)
    if scanned.kind is not ScanKind.ITEM_ID:
        raise CommandFailed(
            f"{args.item_id} is not an item id: an item id is the request id and the item's "
            "number, e.g. TI-000123-01."
        )
    item_id = scanned.value
    with _station_store(config) as store:
        inspection = store.latest_inspection(item_id)
        if inspection is None:
            known = store.request_item(item_id) is not None
            raise CommandFailed(
                f"Item {item_id} has no finished inspection at station {config.station.id}"
                + ("" if known else ", and the station's replica has no such item")
                + ". A label is printed from an inspection: inspect the item at this bench "
                "first, or reprint it at the bench that inspected it."
            )
        item = store.request_item(item_id)
        found = store.inspector(inspection.started.inspector_id)
        label = label_of(
            inspection,
            declared_sku=item.sku if item else None,
            catalog=store,
            inspector_name=found[0].name if found else None,
            # The site's time: the station's own clock and zone, as on its screens.
            printed_at=datetime.now().astimezone(),
        )
    size = LABEL_SIZES[config.labels.size]
    what = f"the {size.name} in label of {item_id}"

    def build() -> list[Layout]:
        return [disposition_layout(label, size, config.labels.dpi, code128)]

    if args.output is None:
        _print(config, what, item_id, build)
    else:
        _write(build, args.output, what)
    return 0


def _print(config: Config, what: str, stem: str, build: Callable[[], Sequence[Layout]]) -> None:
    from bench.layout import LayoutError

    """Lay out and print on [printer] now, waiting for it: the one who typed the command
    wants to know it printed. A printer that fails is one plain message."""
    from drivers.printers import PrinterError, printer_from_config

    printer = printer_from_config(config.printer)
    try:
        printer.print_pages(what, stem, build())
    except LayoutError as error:
        raise CommandFailed(str(error)) from None
    except PrinterError as error:
        raise CommandFailed(f"{what[:1].upper()}{what[1:]} did not print: {error}.") from None
    print(f"Printed {what} on {printer.where}")


def _station_store(config: Config) -> LocalStore:
    from store.errors import StoreError
    from store.local import LocalStore

    path = config.store.local_path
    if not path.exists():
        raise CommandFailed(
            f"No station database at {path} yet ([store] local_path): start the bench, or "
            "run `bench sync`, so it loads the inspectors and requests from central."
        )
    try:
        return LocalStore.open(path)
    except StoreError as error:
        raise CommandFailed(str(error).strip().splitlines()[0]) from None


def _check_ending(output: Path) -> None:
    """Refuse an -o that names no format before anything is read."""
    from drivers.labels import format_of

    try:
        format_of(output)
    except ValueError as error:
        raise CommandFailed(f"-o {error}.") from None


def _write(build: Callable[[], Sequence[Layout]], output: Path, what: str) -> None:
    from bench.layout import LayoutError

    """Lay out and write what `build` lays out, every failure as one plain message."""
    from drivers.labels import write_pages

    try:
        pages = build()
        written = write_pages(pages, output)
    except LayoutError as error:
        raise CommandFailed(str(error)) from None
    except OSError as error:
        raise CommandFailed(f"Cannot write {output}: {os_reason(output, error)}.") from None
    files = ", ".join(str(path) for path in written)
    pages_note = f" ({len(pages)} pages)" if len(pages) > 1 else ""
    print(f"Wrote {what} to {files}{pages_note}")
