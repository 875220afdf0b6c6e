"""What every `bench` command shares: its one kind of failure, progress on stderr, checks
of paths, the log file, and where the central database is.

Every failure a person can cause (a bad config, an unwritable path, an unreachable
database, a malformed PIN) ends in one plain message on stderr and a non-zero exit,
never a traceback (`bench.cli.main` prints it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bench.config import Config, load_config
from bench.private_files import private_file, private_folder

if TYPE_CHECKING:
    from bench.demo_data import DemoDataset

EXIT_USAGE = 2
EXIT_FAILED = 1


class CommandFailed(Exception):
    """A command could not do its job; the message says why and what to do."""


def usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def log_to_file(config: Config) -> Path:
    """Log to the station's file: a TUI owns the terminal, and a CLI prints only results."""
    from bench.logs import LogSetupError, setup_logging

    try:
        return setup_logging(config.log.path, config.log.level)
    except LogSetupError as error:
        raise CommandFailed(str(error)) from None


def check_writable(path: Path, config_file: Path | None) -> None:
    """Fail before the TUI starts when the station database can't be written."""
    try:
        private_folder(path.parent)
        private_file(path)
    except OSError as error:
        where = f"[store] local_path in {config_file}" if config_file else "the path"
        raise CommandFailed(
            f"Cannot write the station database {path}: {os_reason(path, error)}. "
            f"Check {where} and the folder's permissions."
        ) from None


def os_reason(path: Path, error: OSError) -> str:
    """Why `path` cannot be made, in words: "File exists" for a folder path that runs into a
    regular file would send someone looking for the wrong file."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a folder"
            break
    return str(error.strerror or error)


def demo_dataset(requests: int) -> DemoDataset:
    from bench.demo_data import demo_dataset

    try:
        return demo_dataset(date.today(), request_count=requests)
    except ValueError as error:  # too few requests to hold every demo case
        raise CommandFailed(f"--requests {requests}: {error}.") from None


def progress_bar(what: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr, for set-up steps that run before any TUI."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        end = "\n" if done >= total else ""
        bar = "#" * filled + "." * (width - filled)
        print(f"\r{what} [{bar}] {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)

    return show


def central_url_of(args: argparse.Namespace) -> str:
    """--url, else BENCH_CENTRAL_URL, else the config's: checked before anything connects."""
    from bench.config import CENTRAL_URL_ENV, central_url, central_url_problem

    if getattr(args, "url", None):
        if wrong := central_url_problem(str(args.url)):
            raise CommandFailed(f"--url {wrong}")
        return str(args.url)
    from_env = os.environ.get(CENTRAL_URL_ENV, "").strip()
    if from_env:
        if wrong := central_url_problem(from_env):
            raise CommandFailed(f"The environment variable {CENTRAL_URL_ENV} {wrong}")
        return from_env
    if args.config.exists():
        url = central_url(load_config(args.config))
        if url:
            return url
    raise CommandFailed(
        "No central database given: pass --url URL or set BENCH_CENTRAL_URL "
        "(e.g. postgresql://bench@central/trade_in or sqlite:///central.db)."
    )


def shown_url(url: str) -> str:
    """The URL with its password masked, even when it is too broken to parse."""
    from store.central import redact

    return redact(url)


def central_failed(url: str, error: Exception) -> CommandFailed:
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
        f"Central database {shown_url(url)}: {reason.rstrip('.')}. Check the URL (--url, "
        "BENCH_CENTRAL_URL or [store] central_url) and that the database server is running."
    )
