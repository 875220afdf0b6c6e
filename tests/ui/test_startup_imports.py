"""The login screen comes up without the database stack's extras, and is the first frame:
what it needs is all that is imported before it, the rest in the start-up worker after it
(issue 14, start-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.startup_imports import station_folder

# Never needed by a station with no central before the login screen: the PostgreSQL
# dialect and driver, Alembic (a station file at head is told by one query) with Mako and
# Pygments, the label renderers and their imaging, PDF and barcode libraries.
NEVER_BEFORE_LOGIN = (
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "alembic",
    "mako",
    "pygments",
    "PIL",
    "reportlab",
    "barcode",
)
# Imported by the start-up worker, off the UI thread, never on it before the station opens.
WORKER_ONLY = (
    "sqlalchemy",
    "holidays",
    "zoneinfo",  # the site's time zone, checked with the calendar
    "biip",
    "stdnum",
    "orjson",
    "store",
    "bench.session",
    "screens.package",
)
# Not imported on the UI thread by the first frame either: `bench` builds no other
# command's parser, a station without a wedge scanner needs no wedge detector, and the
# login screen needs no session to be drawn.
NOT_FOR_THE_FIRST_FRAME = (
    *WORKER_ONLY,
    *NEVER_BEFORE_LOGIN,
    "bench.cli.audit",
    "bench.cli.central",
    "bench.cli.labels",
    "bench.cli.report",
    "bench.cli.scanner",
    "bench.cli.serve",
    "bench.cli.sync",
    "drivers.wedge",
    "bench.demo_data",
    "bench.grading",
    "bench.supervision",
    "bench.disputes",
    "bench.layout",
    "bench.station",
)
# Loaded by no thread yet when the start-up worker begins: it starts after the first frame.
DATABASE_STACK = ("sqlalchemy", "alembic", "psycopg", "holidays", "biip", "store.local")


def started(tmp_path: Path) -> dict[str, dict[str, Any]]:
    station_folder(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "BENCH_CENTRAL_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.startup_imports", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen: dict[str, dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def top(names: list[str], wanted: tuple[str, ...]) -> set[str]:
    return {n for n in names for w in wanted if n == w or n.startswith(f"{w}.")}


def test_the_login_screen_comes_up_without_postgresql_alembic_or_the_label_libraries(
    tmp_path: Path,
) -> None:
    seen = started(tmp_path)["open"]
    assert top(seen["loaded"], NEVER_BEFORE_LOGIN) == set()
    # The worker did open the station: the test is not passing by importing nothing.
    assert "sqlalchemy" in seen["loaded"] and "store.local" in seen["loaded"]


def test_the_ui_thread_imports_no_database_calendar_or_barcode_library_before_login(
    tmp_path: Path,
) -> None:
    seen = started(tmp_path)["open"]
    assert top(seen["ui_thread"], WORKER_ONLY) == set()
    assert "textual.app" in seen["ui_thread"]  # the finder did see the UI thread's imports
    assert "holidays" in seen["loaded"]  # the worker did check the calendar


def test_the_first_frame_is_the_login_drawn_before_the_database_stack_is_imported(
    tmp_path: Path,
) -> None:
    seen = started(tmp_path)["first_frame"]
    assert seen["login"]  # mounted before the worker began to open the station
    assert top(seen["loaded"], DATABASE_STACK) == set()
    assert top(seen["ui_thread"], NOT_FOR_THE_FIRST_FRAME) == set()
    assert "screens.login" in seen["ui_thread"]


def test_the_first_frame_is_styled_without_the_other_screens_rules(tmp_path: Path) -> None:
    seen = started(tmp_path)
    assert not seen["first_frame"]["view_rules"]
    assert seen["open"]["view_rules"]  # read once the first frame is drawn
