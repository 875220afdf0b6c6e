"""`bench central init`, `bench inspectors add`, `bench seed` and `bench sync --once`: the
commands that reach the central database from a shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from bench.cli.common import (
    CommandFailed,
    central_failed,
    central_url_of,
    check_writable,
    demo_dataset,
    log_to_file,
    progress_bar,
    shown_url,
    usage,
)
from bench.cli.demo import seed_with_progress
from bench.config import load_config
from bench.station import QuarantinedRow


def add_commands(commands: Any) -> None:
    central = commands.add_parser("central", help="the central database")
    central_commands = central.add_subparsers(title="central commands", metavar="COMMAND")
    init = central_commands.add_parser(
        "init", help="create or upgrade the central schema (sqlite:/// or postgresql://)"
    )
    init.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL)")
    init.set_defaults(command=central_init)
    central.set_defaults(command=lambda _: usage(central))

    inspectors = commands.add_parser("inspectors", help="inspectors and supervisors")
    inspector_commands = inspectors.add_subparsers(title="inspector commands", metavar="COMMAND")
    add = inspector_commands.add_parser("add", help="add or update an inspector in central")
    add.add_argument("id", help="badge id, e.g. EMP-0042")
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=("inspector", "supervisor"), default="inspector")
    add.add_argument(
        "--pin-stdin",
        action="store_true",
        required=True,
        help="read the PIN (4-8 digits) from standard input, so it stays out of the shell history",
    )
    add.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL or config)")
    add.set_defaults(command=inspectors_add)
    inspectors.set_defaults(command=lambda _: usage(inspectors))

    sync = commands.add_parser(
        "sync", help="send queued inspections to central and pull what changed, then exit"
    )
    sync.add_argument(
        "--once", action="store_true", required=True, help="one round (the TUI syncs on its own)"
    )
    sync.set_defaults(command=sync_once)

    seed = commands.add_parser("seed", help="fill a central database with the demo data")
    seed.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL or config)")
    seed.add_argument("--requests", type=int, default=300)
    seed.set_defaults(command=seed_central)


def central_init(args: argparse.Namespace) -> int:
    from store.central import init_central

    url = central_url_of(args)
    try:
        init_central(url, progress=lambda step: print(step, file=sys.stderr))
    except Exception as error:  # any driver error becomes one plain line
        raise central_failed(url, error) from None
    print(f"Central schema is up to date at {shown_url(url)}")
    return 0


def inspectors_add(args: argparse.Namespace) -> int:
    from bench.pins import hash_pin, valid_pin_format
    from store.central import add_inspector, central_engine

    pin = sys.stdin.readline().strip()
    if not valid_pin_format(pin):
        raise CommandFailed("The PIN on standard input must be 4 to 8 digits.")
    url = central_url_of(args)
    try:
        engine = central_engine(url)
        try:
            add_inspector(engine, args.id.upper(), args.name, args.role, hash_pin(pin))
        finally:
            engine.dispose()
    except Exception as error:  # any driver error becomes one plain line
        raise central_failed(url, error) from None
    print(f"Inspector {args.id.upper()} ({args.name}, {args.role}) saved in {shown_url(url)}")
    return 0


def sync_once(args: argparse.Namespace) -> int:
    """One sync round from the command line; non-zero when central can't be reached."""
    from bench.config import central_url
    from store.local import LocalStore
    from store.station import sync_engine

    config = load_config(args.config)
    url = central_url(config)
    if not url:
        raise CommandFailed(
            f"No central database in {args.config} ([store] central_url) "
            "and BENCH_CENTRAL_URL is not set."
        )
    check_writable(config.store.local_path, config.source)
    log_to_file(config)
    bars: dict[str, Callable[[int, int], None]] = {}

    def progress(what: str, done: int, total: int) -> None:
        bars.setdefault(what, progress_bar(f"{what:<16}"))(done, total)

    local = LocalStore.open(config.store.local_path)
    engine = sync_engine(local, config, url, progress)
    try:
        state = engine.run_once()
        skipped = _skipped_rows(local.quarantined_rows())
    finally:
        engine.close()
        local.close()
    dead = f", {state.dead} refused by central (see the bench)" if state.dead else ""
    if not state.online:
        raise CommandFailed(
            f"OFFLINE: {state.problem}. {state.queued} inspections stay queued{dead}; "
            "they will be sent when central is back." + "".join(f"\n{line}" for line in skipped)
        )
    print(f"ONLINE: sent {state.pushed}, pulled {state.pulled}, {state.queued} queued{dead}")
    for line in skipped:
        print(line)
    return 0


def _skipped_rows(rows: list[QuarantinedRow]) -> list[str]:
    """The quarantine as `sync --once` lists it: central rows someone must fix there."""
    if not rows:
        return []
    return [f"{len(rows)} central rows skipped:"] + [
        f"  {row.table} {row.key}: {row.reason}" for row in rows
    ]


def seed_central(args: argparse.Namespace) -> int:
    url = central_url_of(args)
    dataset = demo_dataset(args.requests)
    try:
        seed_with_progress(url, dataset)
    except Exception as error:  # any driver error becomes one plain line
        raise central_failed(url, error) from None
    return 0
