"""`bench central init`, `bench inspectors add` and `bench seed`: the commands that set a
central database up from a shell."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.cli.common import (
    CommandFailed,
    central_failed,
    central_url_of,
    demo_dataset,
    shown_url,
    usage,
)


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
    add.add_argument("--name", required=True, help='the name shown on screen, e.g. "Kim Lee"')
    add.add_argument(
        "--role",
        choices=("inspector", "supervisor"),
        default="inspector",
        help="what the badge is for (default: inspector)",
    )
    add.add_argument(
        "--pin-stdin",
        action="store_true",
        required=True,
        help="read the PIN from standard input, so it stays out of the shell history "
        "([login] pin_min_length to 8 digits; 6 to 8 by default)",
    )
    add.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL or config)")
    add.set_defaults(command=inspectors_add)
    inspectors.set_defaults(command=lambda _: usage(inspectors))

    seed = commands.add_parser("seed", help="fill a central database with the demo data")
    seed.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL or config)")
    seed.add_argument(
        "--requests", type=int, default=300, help="how many demo requests (default: 300)"
    )
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
    from bench.pins import MAX_DIGITS, hash_pin, valid_new_pin
    from store.central import add_inspector, central_engine

    pin = sys.stdin.readline().strip()
    shortest = pin_min_length(args)
    if not valid_new_pin(pin, shortest):
        raise CommandFailed(
            f"The PIN on standard input must be {shortest} to {MAX_DIGITS} digits "
            f"([login] pin_min_length = {shortest})."
        )
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


def pin_min_length(args: argparse.Namespace) -> int:
    """The config's `[login] pin_min_length`, or its default without a config file."""
    from bench.config import default_of, load_config

    if args.config.exists():
        return load_config(args.config).login.pin_min_length
    shortest = default_of("login", "pin_min_length")
    assert isinstance(shortest, int)
    return shortest


def seed_central(args: argparse.Namespace) -> int:
    from bench.cli.demo import seed_with_progress

    url = central_url_of(args)
    dataset = demo_dataset(args.requests)
    try:
        seed_with_progress(url, dataset)
    except Exception as error:  # any driver error becomes one plain line
        raise central_failed(url, error) from None
    return 0
