"""The `bench` command: the station TUI, the demo and the set-up commands.

This package is the one place that wires the layers together: each module is one group
of commands (`station`, `central`, `sync`, `scanner`, `labels`, `report`) and imports the
store, the screens, the drivers and the core modules it needs inside the command that
runs: every parser is built from light modules, so `bench --help` and `bench --version`
answer at once. `bench` itself (the station, maybe with --config) builds no parser at all:
it draws its first frame without the other commands' modules and parsers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import __version__
from bench.cli import station
from bench.cli.common import EXIT_FAILED, EXIT_USAGE, CommandFailed
from bench.config import DEFAULT_CONFIG_PATH, ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
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


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """`bench` and `bench --config PATH`, the station every morning, as the parser reads
    them, without building every command's parser (a twentieth of a bare Textual app's
    start); anything else, --help and mistakes included, goes to the parser."""
    match list(argv):
        case []:
            return argparse.Namespace(config=DEFAULT_CONFIG_PATH, command=station.run_station)
        case ["--config", path] if path and not path.startswith("-"):
            return argparse.Namespace(config=Path(path), command=station.run_station)
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    from bench.cli import audit, central, labels, report, scanner, serve, sync

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
