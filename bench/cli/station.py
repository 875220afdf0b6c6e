"""`bench` (the station), `bench demo` and `bench init-config`: the commands that put the
app on screen, and the one place that wires the store into it.

Light to import: `bench` draws its login screen before the store, the sync and the
demo data are imported (the start-up worker imports them)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.cli.common import (
    CommandFailed,
    central_failed,
    check_writable,
    demo_dataset,
    log_to_file,
    os_reason,
)
from bench.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    central_url,
    load_config,
    write_example,
)
from bench.private_files import private_folder

if TYPE_CHECKING:
    from bench.station import OpenedStation, SyncProgress, SyncState
    from screens.app import BenchApp


def add_commands(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="try the bench with zero set-up: seeded demo data, an embedded central database",
    )
    demo.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where the demo keeps its files "
        "(default: ~/.local/share/bench/demo, or bench/demo in $XDG_DATA_HOME when set)",
    )
    demo.add_argument("--fresh", action="store_true", help="start again from new demo data")
    demo.add_argument(
        "--requests", type=int, default=300, help="how many demo requests (default: 300)"
    )
    demo.set_defaults(command=run_demo)

    init_config = commands.add_parser(
        "init-config",
        help="write a commented config.toml to start from",
        description="Write the example config, every key commented, to edit for this "
        "station. An existing file is kept unless --force is given.",
    )
    init_config.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=DEFAULT_CONFIG_PATH,
        help="where to write it (default: ./config.toml); "
        "a station with its config elsewhere starts with bench --config PATH",
    )
    init_config.add_argument(
        "--force", action="store_true", help="replace the file if it exists (its edits are lost)"
    )
    init_config.set_defaults(command=write_config)


def station_app(
    config: Config, *, hints: Sequence[tuple[str, str]] = (), demo: bool = False, **kwargs: Any
) -> BenchApp:
    """The app for a station, wired to its store: what `bench` and `bench demo` run, and
    what the tests drive."""
    from screens.app import make_app

    return make_app(config, open_station=open_station, hints=hints, demo=demo, **kwargs)


def open_station(
    config: Config,
    clock: Callable[[], datetime],
    progress: SyncProgress,
    report: Callable[[SyncState], None],
) -> OpenedStation:
    """`store.station.open_station`, imported by the start-up worker that calls it."""
    from store.station import open_station

    return open_station(config, clock, progress, report)


# -- the station ---------------------------------------------------------------------------


def run_station(args: argparse.Namespace) -> int:
    return run_app(station_config(args.config), hints=(), demo=False)


def station_config(path: Path) -> Config:
    """The station's config as `bench` loads it. The calendar (a tenth of a second) and the
    site's time zone are left to the start-up worker, after the first frame: a wrong
    [station] country or [site] time_zone is shown on screen, then said here as every config
    error is (`run_app`)."""
    return load_config(path, check_calendar=False)


def run_app(
    config: Config, hints: Sequence[tuple[str, str]], demo: bool, desk: bool = False
) -> int:
    central_url(config)  # a BENCH_CENTRAL_URL bench cannot use stops here, not offline later
    check_writable(config.store.local_path, config.source)
    log_path = log_to_file(config)
    # What start-up builds (the app's modules, Textual's among them, its screens, its first
    # frame) lives all day: the collector is held until that frame is drawn, then the app
    # collects once and freezes what is left. Walking it again and again as it was built
    # cost a tenth of a bare Textual app's start.
    gc.disable()
    try:
        app = station_app(config, hints=hints, demo=demo, desk=desk)
        app.run()
    finally:
        gc.enable()
    if app.config_problem:  # shown on screen until q; said here too, as a config error
        raise ConfigError(app.config_problem)
    if app.return_code:
        print(f"bench stopped with an error; the log is {log_path}", file=sys.stderr)
    return app.return_code or 0


# -- the demo ------------------------------------------------------------------------------


def demo_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bench" / "demo"


def run_demo(args: argparse.Namespace) -> int:
    from bench.cli.demo import seed_with_progress
    from bench.config import parse_config

    folder: Path = (args.dir or demo_dir()).resolve()
    central_db = folder / "central.db"
    local_db = folder / "station.db"
    try:
        if args.fresh:
            for stale in folder.glob("*.db*"):
                stale.unlink()
        private_folder(folder)
    except OSError as error:
        raise CommandFailed(
            f"Cannot use {folder} for the demo's files: {os_reason(folder, error)}. "
            "Pass --dir with a folder you can write to."
        ) from None
    dataset = demo_dataset(args.requests)
    url = f"sqlite:///{central_db}"
    if not central_db.exists():
        print(f"Seeding the demo central database {central_db}", file=sys.stderr)
        try:
            seed_with_progress(url, dataset)
        except Exception as error:  # any driver error becomes one plain line
            raise central_failed(url, error) from None
    config = parse_config(
        {
            "station": {"id": "DEMO-1"},
            "scanner": {"kind": "simulated"},
            "store": {"local_path": str(local_db), "central_url": url},
            "log": {"path": str(folder / "bench.log")},
        },
        base_dir=folder,
        name="demo settings",
        check_calendar=False,  # as for a station: in the start-up worker
    )
    os.environ.pop("BENCH_CENTRAL_URL", None)  # the demo always uses its own central
    hints = [(hint.code, hint.description) for hint in dataset.scan_hints]
    return run_app(config, hints=hints, demo=True)


def write_config(args: argparse.Namespace) -> int:
    path: Path = args.path
    if path.is_dir():
        raise CommandFailed(f"{path} is a folder: give the path of the file to write.")
    if path.exists() and not args.force:
        raise CommandFailed(
            f"{path} exists already: edit it, or pass --force to replace it with the example."
        )
    try:
        write_example(path)
    except OSError as error:
        raise CommandFailed(f"Cannot write {path}: {os_reason(path, error)}.") from None
    print(f"Wrote {path}: every key is commented. Set [station] id and [scanner] first.")
    return 0
