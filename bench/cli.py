"""The `bench` command: the station TUI, the demo and the set-up commands.

Every failure a person can cause (a bad config, an unwritable path, an unreachable
database, a malformed PIN) ends in one plain message on stderr and a non-zero exit,
never a traceback. Heavy imports (Textual, SQLAlchemy) happen inside the commands that
need them, so `bench --help` and `bench --version` answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bench import __version__
from bench.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config, write_example
from bench.scanner_cli import add_scanner_commands

if TYPE_CHECKING:
    from bench.demo_data import DemoDataset

EXIT_USAGE = 2
EXIT_FAILED = 1


class CommandFailed(Exception):
    """A command could not do its job; the message says why and what to do."""


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
    parser.set_defaults(command=run_station)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="try the bench with zero set-up: seeded demo data, an embedded central database",
    )
    demo.add_argument("--dir", type=Path, default=None, help="where the demo keeps its files")
    demo.add_argument("--fresh", action="store_true", help="start again from new demo data")
    demo.add_argument("--requests", type=int, default=300, help="how many demo requests")
    demo.set_defaults(command=run_demo)

    central = commands.add_parser("central", help="the central database")
    central_commands = central.add_subparsers(title="central commands", metavar="COMMAND")
    init = central_commands.add_parser(
        "init", help="create or upgrade the central schema (sqlite:/// or postgresql://)"
    )
    init.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL)")
    init.set_defaults(command=central_init)
    central.set_defaults(command=lambda _: _usage(central))

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
    inspectors.set_defaults(command=lambda _: _usage(inspectors))

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

    init_config = commands.add_parser(
        "init-config", help="write a commented config.toml to start from"
    )
    init_config.add_argument("path", type=Path, nargs="?", default=DEFAULT_CONFIG_PATH)
    init_config.set_defaults(command=write_config)

    add_scanner_commands(commands)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


# -- the station ---------------------------------------------------------------------------


def run_station(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    return _run_app(config, hints=(), demo=False)


def _run_app(config: Config, hints: Sequence[tuple[str, str]], demo: bool) -> int:

    _check_writable(config.store.local_path, config.source)
    log_path = _log_to_file(config)
    from bench.app import make_app

    app = make_app(config, hints=hints, demo=demo)
    app.run()
    if app.return_code:
        print(f"bench stopped with an error; the log is {log_path}", file=sys.stderr)
    return app.return_code or 0


def _log_to_file(config: Config) -> Path:
    """Log to the station's file: a TUI owns the terminal, and a CLI prints only results."""
    from bench.logs import LogSetupError, setup_logging

    try:
        return setup_logging(config.log.path, config.log.level)
    except LogSetupError as error:
        raise CommandFailed(str(error)) from None


def _check_writable(path: Path, config_file: Path | None) -> None:
    """Fail before the TUI starts when the station database can't be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as error:
        where = f"[store] local_path in {config_file}" if config_file else "the path"
        raise CommandFailed(
            f"Cannot write the station database {path}: {_os_reason(path, error)}. "
            f"Check {where} and the folder's permissions."
        ) from None


def _os_reason(path: Path, error: OSError) -> str:
    """Why `path` cannot be made, in words: "File exists" for a folder path that runs into a
    regular file would send someone looking for the wrong file."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a folder"
            break
    return str(error.strerror or error)


# -- the demo ------------------------------------------------------------------------------


def demo_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bench" / "demo"


def run_demo(args: argparse.Namespace) -> int:
    from bench.config import parse_config

    folder: Path = (args.dir or demo_dir()).resolve()
    central_db = folder / "central.db"
    local_db = folder / "station.db"
    try:
        if args.fresh:
            for stale in folder.glob("*.db*"):
                stale.unlink()
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandFailed(
            f"Cannot use {folder} for the demo's files: {_os_reason(folder, error)}. "
            "Pass --dir with a folder you can write to."
        ) from None
    dataset = _demo_dataset(args.requests)
    url = f"sqlite:///{central_db}"
    if not central_db.exists():
        print(f"Seeding the demo central database {central_db}", file=sys.stderr)
        try:
            _seed(url, dataset)
        except Exception as error:  # any driver error becomes one plain line
            raise _central_failed(url, error) from None
    config = parse_config(
        {
            "station": {"id": "DEMO-1"},
            "scanner": {"kind": "simulated"},
            "store": {"local_path": str(local_db), "central_url": url},
            "log": {"path": str(folder / "bench.log")},
        },
        base_dir=folder,
        name="demo settings",
    )
    os.environ.pop("BENCH_CENTRAL_URL", None)  # the demo always uses its own central
    hints = [(hint.code, hint.description) for hint in dataset.scan_hints]
    return _run_app(config, hints=hints, demo=True)


def _demo_dataset(requests: int) -> DemoDataset:
    from bench.demo_data import demo_dataset

    try:
        return demo_dataset(date.today(), request_count=requests)
    except ValueError as error:  # too few requests to hold every demo case
        raise CommandFailed(f"--requests {requests}: {error}.") from None


def _seed(url: str, dataset: DemoDataset) -> None:
    from bench.demo import seed_central

    seed_central(
        url,
        dataset,
        step=lambda step: print(f"  {step}", file=sys.stderr),
        rows=_progress_bar("Writing demo data"),
    )


def _progress_bar(what: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr, for set-up steps that run before any TUI."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        end = "\n" if done >= total else ""
        bar = "#" * filled + "." * (width - filled)
        print(f"\r{what} [{bar}] {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)

    return show


# -- central -------------------------------------------------------------------------------


def _central_url(args: argparse.Namespace) -> str:
    from bench.config import central_url

    if getattr(args, "url", None):
        return str(args.url)
    from_env = os.environ.get("BENCH_CENTRAL_URL", "").strip()
    if from_env:
        return from_env
    if args.config.exists():
        url = central_url(load_config(args.config))
        if url:
            return url
    raise CommandFailed(
        "No central database given: pass --url URL or set BENCH_CENTRAL_URL "
        "(e.g. postgresql://bench@central/trade_in or sqlite:///central.db)."
    )


def _shown_url(url: str) -> str:
    """The URL with its password masked, even when it is too broken to parse."""
    from store.central import redact

    return redact(url)


def _central_failed(url: str, error: Exception) -> CommandFailed:
    """One line naming the (redacted) URL and the driver's reason, and what to check."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.dbutil import why
    from store.errors import CentralUnavailable, StoreError

    if isinstance(error, StoreError) and not isinstance(error, CentralUnavailable):
        # Reached and understood, but refused (a schema from a newer bench): the store's
        # message names the redacted URL and says what to do.
        return CommandFailed(str(error).strip().splitlines()[0])
    # The store's own message repeats the URL with the driver options we added; the
    # driver's reason alone reads better after our redacted URL.
    cause = error.__cause__ if isinstance(error, CentralUnavailable) else error
    if isinstance(cause, SQLAlchemyError):
        reason = why(cause)
    else:
        text = str(error).strip()
        reason = text.splitlines()[0] if text else type(error).__name__
    return CommandFailed(
        f"Central database {_shown_url(url)}: {reason.rstrip('.')}. Check the URL (--url, "
        "BENCH_CENTRAL_URL or [store] central_url) and that the database server is running."
    )


def central_init(args: argparse.Namespace) -> int:
    from store.central import init_central

    url = _central_url(args)
    try:
        init_central(url, progress=lambda step: print(step, file=sys.stderr))
    except Exception as error:  # any driver error becomes one plain line
        raise _central_failed(url, error) from None
    print(f"Central schema is up to date at {_shown_url(url)}")
    return 0


def inspectors_add(args: argparse.Namespace) -> int:
    from bench.pins import hash_pin, valid_pin_format
    from store.central import add_inspector, central_engine

    pin = sys.stdin.readline().strip()
    if not valid_pin_format(pin):
        raise CommandFailed("The PIN on standard input must be 4 to 8 digits.")
    url = _central_url(args)
    try:
        engine = central_engine(url)
        try:
            add_inspector(engine, args.id.upper(), args.name, args.role, hash_pin(pin))
        finally:
            engine.dispose()
    except Exception as error:  # any driver error becomes one plain line
        raise _central_failed(url, error) from None
    print(f"Inspector {args.id.upper()} ({args.name}, {args.role}) saved in {_shown_url(url)}")
    return 0


def sync_once(args: argparse.Namespace) -> int:
    """One sync round from the command line; non-zero when central can't be reached."""
    from bench.config import central_url
    from store.local import LocalStore
    from store.sync import SyncEngine

    config = load_config(args.config)
    url = central_url(config)
    if not url:
        raise CommandFailed(
            f"No central database in {args.config} ([store] central_url) "
            "and BENCH_CENTRAL_URL is not set."
        )
    _check_writable(config.store.local_path, config.source)
    _log_to_file(config)
    bars: dict[str, Callable[[int, int], None]] = {}

    def progress(what: str, done: int, total: int) -> None:
        bars.setdefault(what, _progress_bar(f"{what:<16}"))(done, total)

    local = LocalStore.open(config.store.local_path)
    engine = SyncEngine(
        local,
        url,
        config.station.id,
        app_version=__version__,
        batch_size=config.sync.batch_size,
        progress=progress,
    )
    try:
        state = engine.run_once()
    finally:
        engine.close()
        local.close()
    dead = f", {state.dead} refused by central (see the bench)" if state.dead else ""
    if not state.online:
        raise CommandFailed(
            f"OFFLINE: {state.problem}. {state.queued} inspections stay queued{dead}; "
            "they will be sent when central is back."
        )
    print(f"ONLINE: sent {state.pushed}, pulled {state.pulled}, {state.queued} queued{dead}")
    return 0


def seed_central(args: argparse.Namespace) -> int:
    url = _central_url(args)
    dataset = _demo_dataset(args.requests)
    try:
        _seed(url, dataset)
    except Exception as error:  # any driver error becomes one plain line
        raise _central_failed(url, error) from None
    return 0


def write_config(args: argparse.Namespace) -> int:
    path: Path = args.path
    if path.exists():
        raise CommandFailed(f"{path} exists already; edit it, or remove it first.")
    try:
        write_example(path)
    except OSError as error:
        raise CommandFailed(f"Cannot write {path}: {_os_reason(path, error)}.") from None
    print(f"Wrote {path}: every key is commented. Set [station] id and [scanner] first.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
