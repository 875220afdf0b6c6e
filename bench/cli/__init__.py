"""The `bench` command: the station TUI, the demo and the set-up commands.

This package is the one place that wires the layers together: each module is one group
of commands (`station`, `central`, `sync`, `scanner`, `labels`, `report`) and imports the
store, the screens, the drivers and the core modules it needs inside the command that
runs: every parser is built from light modules, so `bench --help` and `bench --version`
answer at once, and `bench` draws its first frame without the other commands' imports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import __version__
from bench.cli import audit, central, labels, report, scanner, serve, station, sync
from bench.cli.common import EXIT_FAILED, EXIT_USAGE, CommandFailed
from bench.config import DEFAULT_CONFIG_PATH, ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except (ConfigError, CommandFailed) as error:
        print(f"bench: {error}", file=sys.stderr)
        return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED
    except OSError as error:  # a file or folder we were not told about in a nicer way
        where = f"{error.filename}: " if error.filename else ""
        print(f"bench: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench",
        description="Inspection station for device trade-ins. Without a command, runs the "
        "station with ./config.toml (or --config PATH).",
    )
    parser.add_argument("--version", action="version", version=f"bench {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG_PATH,
        help="the station's config file (default: ./config.toml)",
    )
    parser.set_defaults(command=station.run_station)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    station.add_commands(commands)
    central.add_commands(commands)
    sync.add_commands(commands)
    scanner.add_commands(commands)
    labels.add_commands(commands)
    audit.add_commands(commands)
    serve.add_commands(commands)
    report.add_commands(commands)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
