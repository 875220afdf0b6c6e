"""A full disk at the station: the inspector is told, nothing stored is lost, and the same
key works again once there is space. The station's files live on a small tmpfs of their
own, filled for real; skipped where this process may not mount one."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cli.demo import seed_central
from screens.checklist import ChecklistView
from screens.outcome import OutcomeView
from screens.request import RequestView
from tests.support.station import (
    ACCEPT_KEYS,
    SIZE,
    Station,
    dataset,
    log_in,
    on_screen,
    open_checklist,
    problem_text,
    showing,
)

DISK_BYTES = 8 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@contextlib.contextmanager
def disk_filled(disk: Path) -> Iterator[None]:
    """Fill `disk` to the last byte, and free it again afterwards."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (65536, 512, 1):  # big blocks, then what is left to the last byte
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    try:
        yield
    finally:
        filler.unlink()


def stored_answers(disk: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(disk / "station.db")) as conn:
        (count,) = conn.execute("SELECT count(*) FROM inspection_answers").fetchone()
    return int(count)


class TestDiskFull:
    async def test_answers_and_the_outcome_wait_for_space_and_nothing_is_lost(
        self, tmp_path: Path, small_disk: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'central.db'}"
        seed_central(url, dataset())
        app = Station(small_disk, url).app()
        async with app.run_test(size=SIZE) as pilot:
            await open_checklist(pilot)
            keep, *rest = ACCEPT_KEYS  # first the data's three answers, with one key
            before = stored_answers(small_disk)
            position = str(app.screen.query_one("#position").render())

            with disk_filled(small_disk):
                await pilot.press(keep)
                assert "The station's disk is full" in problem_text(app)
                assert "Nothing was lost" in problem_text(app)
                # None of the three was stored, so the step is still the one on show.
                assert isinstance(showing(app), ChecklistView)
                assert str(app.screen.query_one("#position").render()) == position
                assert stored_answers(small_disk) == before
                assert app.session.active is not None
                assert app.session.active.checklist.records == ()

            await pilot.press(keep)  # space again: the same key goes on
            assert problem_text(app) == ""
            assert stored_answers(small_disk) == before + 3
            await pilot.press(*rest)
            await on_screen(pilot, OutcomeView)

            with disk_filled(small_disk):
                await pilot.press("enter")
                assert "The station's disk is full" in problem_text(app)
                assert isinstance(showing(app), OutcomeView)  # not saved: still to confirm
            await pilot.press("enter")
            await on_screen(pilot, RequestView)
        assert os.path.exists(small_disk / "station.db")

    async def test_a_full_disk_at_start_up_still_gets_to_the_login_screen_and_says_so(
        self, tmp_path: Path, small_disk: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'central.db'}"
        seed_central(url, dataset())
        station = Station(small_disk, url)
        async with station.app().run_test(size=SIZE) as pilot:  # a first start loads it
            await log_in(pilot)
        with disk_filled(small_disk):
            app = station.app()
            async with app.run_test(size=SIZE) as pilot:
                from screens.login import LoginScreen
                from tests.support.station import scan

                await on_screen(pilot, LoginScreen)
                await scan(pilot, "EMP-0001")
                await pilot.press(*"1234", "enter")
                assert "The station's disk is full" in problem_text(app)
