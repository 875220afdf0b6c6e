"""`bench audit verify [--central]`: is the evidence chain whole, here or at central?

Results decide what customers are paid; in a dispute this is what shows that nobody has
edited, deleted, reordered or inserted an audit entry or an inspection since it was
recorded (`bench.evidence`). Exit 0 with one line per station when every chain is whole;
exit 1 naming, per station, the first entry that is not.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bench.cli.common import CommandFailed, central_failed, central_url_of, progress_bar, usage
from bench.config import load_config

if TYPE_CHECKING:
    from store.local.evidence import ChainReport

EXIT_BROKEN = 1
# Below this many entries the walk is too quick for a progress bar to be worth drawing.
PROGRESS_FROM = 50_000


def add_commands(commands: Any) -> None:
    audit = commands.add_parser(
        "audit", help="check that the audit log and the inspections are as they were recorded"
    )
    audit_commands = audit.add_subparsers(title="audit commands", metavar="COMMAND")
    verify = audit_commands.add_parser(
        "verify",
        help="walk the evidence chain: exit 0 when whole, else name the first entry that "
        "was edited, deleted, reordered or inserted",
    )
    verify.add_argument(
        "--central",
        action="store_true",
        help="check the chains at central (what is paid from) instead of this station's file",
    )
    verify.add_argument(
        "--station",
        metavar="ID",
        help="with --central: only this station's chain, e.g. B-07 (default: every station)",
    )
    verify.add_argument(
        "--url",
        help="with --central: the central database URL (default: BENCH_CENTRAL_URL or config)",
    )
    verify.set_defaults(command=verify_chain)
    audit.set_defaults(command=lambda _: usage(audit))


def verify_chain(args: argparse.Namespace) -> int:
    if not args.central and (args.station or args.url):
        raise CommandFailed("--station and --url go with --central.")
    reports = _central_reports(args) if args.central else _local_reports(args)
    for report in reports:
        print(report.summary)
    return EXIT_BROKEN if any(report.problem is not None for report in reports) else 0


def _progress(station_id: str) -> Callable[[int, int], None]:
    bar: Callable[[int, int], None] | None = None

    def show(done: int, total: int) -> None:
        nonlocal bar
        if total >= PROGRESS_FROM:
            bar = bar or progress_bar(f"chain of {station_id}")
            bar(done, total)

    return show


def _local_reports(args: argparse.Namespace) -> list[ChainReport]:
    from store.errors import StoreError
    from store.local import LocalStore

    config = load_config(args.config)
    path = config.store.local_path
    if not path.exists():
        raise CommandFailed(f"No station database at {path} ([store] local_path in {args.config}).")
    try:
        with LocalStore.open(path) as store:
            stations = store.chain_stations() or [config.station.id]
            return [store.verify_chain(s, _progress(s)) for s in stations]
    except StoreError as error:
        raise CommandFailed(str(error).strip().splitlines()[0]) from None


def _central_reports(args: argparse.Namespace) -> list[ChainReport]:
    from store.central import central_engine
    from store.sync import evidence

    url = central_url_of(args)
    try:
        engine = central_engine(url)
        try:
            stations = [args.station] if args.station else evidence.stations(engine)
            if not stations:
                print("central has no evidence chain yet", file=sys.stderr)
            return [evidence.verify(engine, s, _progress(s)) for s in stations]
        finally:
            engine.dispose()
    except Exception as error:  # any driver error becomes one plain line
        raise central_failed(url, error) from None
