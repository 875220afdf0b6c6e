"""The station's database (with its -wal and -shm), its log and the folders bench makes for
them are its user's alone, whatever the umask: real files, after a real write and a real
rotation of the log."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.logs import BACKUP_COUNT, MAX_BYTES, setup_logging
from bench.private_files import private_folder
from store.local import LocalStore
from tests.support.inspections import finished


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common 022, under which a file made the ordinary way is 0644 for all to read."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_the_station_database_and_its_wal_and_shm_are_0600_in_a_0700_folder(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new" / "station" / "station.db"
    store = LocalStore.open(path)
    try:
        store.finish_inspection(finished(1))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.close()
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "station") == 0o700


def test_a_station_database_from_before_is_made_0600_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    LocalStore.open(path).close()
    path.chmod(0o644)
    LocalStore.open(path).close()
    assert mode(path) == 0o600


def test_the_log_and_its_rotated_files_are_0600_in_a_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "bench.log"
    used = setup_logging(path, "INFO")
    log = logging.getLogger("bench.test")
    line = "x" * 1000
    try:
        for _ in range(2 * MAX_BYTES // len(line) + 10):  # enough for two rotations
            log.info(line)
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "_bench_handler", False)]:
            root.removeHandler(handler)
            handler.close()
    assert used == path
    logs = sorted((tmp_path / "logs").iterdir())
    assert [f.name for f in logs] == ["bench.log", "bench.log.1", "bench.log.2"]
    assert BACKUP_COUNT >= 2
    assert {f.name: mode(f) for f in logs} == {f.name: 0o600 for f in logs}
    assert mode(tmp_path / "logs") == 0o700


def test_folders_already_there_keep_their_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    private_folder(shared / "bench" / "demo")
    assert mode(shared) == 0o755
    assert mode(shared / "bench") == mode(shared / "bench" / "demo") == 0o700


def test_a_file_where_a_folder_should_be_is_refused_as_mkdir_would(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(FileExistsError):
        private_folder(tmp_path / "taken" / "bench")
