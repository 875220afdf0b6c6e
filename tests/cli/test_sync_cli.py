"""`bench sync` without --once, run for real: it syncs until SIGINT or SIGTERM, shows a
status line (plain lines when not on a terminal, rewritten in place on one) and exits 0
with a summary. `bench sync --once` is tested with the other commands in test_cli.py."""

from __future__ import annotations

import itertools
import os
import pty
import queue
import re
import select
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench.cli.demo import seed_central
from bench.demo_data import demo_dataset
from store.local import LocalStore
from tests.support.commands import BENCH, environment
from tests.support.inspections import finished

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgresql://bench:s3cret@127.0.0.1:1/x"


def station_folder(folder: Path, central_url: str = "sqlite:///bench-central.db") -> Path:
    """The committed config.toml, syncing every 0.2 s with `central_url`."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for old, new in (
        ('central_url = "sqlite:///bench-central.db"', f'central_url = "{central_url}"'),
        ("interval_seconds = 5.0", "interval_seconds = 0.2"),
    ):
        assert old in text
        text = text.replace(old, new)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder


def queue_inspections(folder: Path, *numbers: int) -> None:
    local = LocalStore.open(folder / "bench-local.db")
    try:
        for n in numbers:
            local.finish_inspection(finished(n, station="B-07"))
    finally:
        local.close()


def seeded(url: str) -> None:
    seed_central(url, demo_dataset(date.today(), request_count=20))


class Running:
    """`bench sync` in a subprocess, its output read line by line as it comes."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [BENCH, "sync"],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(folder, env),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                assert self.process.poll() is None, f"bench sync ended: {self.seen}"
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in {timeout} s: {self.seen}")

    def stop(self, how: signal.Signals) -> tuple[int, list[str], str]:
        """Send `how`; the exit code, the lines printed after the last one read, stderr."""
        self.process.send_signal(how)
        code = self.process.wait(timeout=30)
        time.sleep(0.1)  # the reader thread takes the last lines
        rest: list[str] = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        assert self.process.stderr is not None
        return code, rest, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def running() -> Iterator[list[Running]]:
    """Every `bench sync` a test starts is killed at its end, whatever happened."""
    started: list[Running] = []
    yield started
    for each in started:
        each.kill()


def central_inspections(database: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT station_id FROM inspections").fetchall()


def test_sync_pushes_until_ctrl_c_then_sums_up(tmp_path: Path, running: list[Running]) -> None:
    folder = station_folder(tmp_path)
    seeded("sqlite:///" + str(folder / "bench-central.db"))
    queue_inspections(folder, 1)
    sync = Running(folder)
    running.append(sync)
    first = sync.wait_for(r"ONLINE · sent 1 · ")
    assert re.fullmatch(r"\d\d:\d\d:\d\d ONLINE · sent 1 · pulled [1-9][\d,]* · 0 queued", first)
    assert central_inspections(folder / "bench-central.db") == [("B-07",)]

    queue_inspections(folder, 2)  # saved while it runs: the next round sends it
    sync.wait_for(r"ONLINE · sent 2 · ")
    assert central_inspections(folder / "bench-central.db") == [("B-07",), ("B-07",)]

    time.sleep(1)  # rounds with nothing new: about five
    code, rest, stderr = sync.stop(signal.SIGINT)
    assert code == 0, (rest, stderr)
    assert "Traceback" not in stderr
    assert "Syncing station B-07 with sqlite:///bench-central.db every 0.2 s." in stderr
    assert "Stopping: the round in progress ends first" in stderr
    summary = re.fullmatch(
        r"Stopped after (\d+) rounds in \d+ s: sent 2, pulled [1-9][\d,]*, 0 queued\.", rest[-1]
    )
    assert summary, rest
    # A line per change, not per round: rounds that changed nothing printed nothing.
    statuses = [line.split(" ", 1)[1] for line in sync.seen + rest[:-1]]
    assert all(a != b for a, b in itertools.pairwise(statuses)), statuses
    assert len(statuses) < int(summary.group(1)), statuses
    local = LocalStore.open(folder / "bench-local.db")
    try:
        assert local.queued_count() == 0
    finally:
        local.close()


def test_sync_offline_keeps_the_queue_and_stops_on_sigterm(
    tmp_path: Path, running: list[Running]
) -> None:
    folder = station_folder(tmp_path, UNREACHABLE)
    queue_inspections(folder, 1)
    sync = Running(folder)
    running.append(sync)
    line = sync.wait_for(r"OFFLINE")
    assert re.match(
        r"\d\d:\d\d:\d\d OFFLINE since \d\d:\d\d:\d\d · sent 0 · pulled 0 · 1 queued · ", line
    )
    assert "Connection refused" in line
    code, rest, stderr = sync.stop(signal.SIGTERM)
    assert code == 0, (rest, stderr)
    assert "s3cret" not in " ".join([*sync.seen, *rest]) + stderr
    assert rest[0].startswith("Stopped after ") and rest[0].endswith(
        ": sent 0, pulled 0, 1 queued."
    )
    assert rest[1].startswith("Central was OFFLINE at the last round: ")
    assert rest[1].endswith("The 1 queued are sent by the next sync.")
    with sqlite3.connect(folder / "bench-local.db") as connection:
        assert connection.execute("SELECT count(*) FROM outbox").fetchone() == (1,)


def test_on_a_terminal_the_status_is_rewritten_in_place(tmp_path: Path) -> None:
    folder = station_folder(tmp_path)
    seeded("sqlite:///" + str(folder / "bench-central.db"))
    queue_inspections(folder, 1)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [BENCH, "sync"],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=environment(folder, {"COLUMNS": "200"}),
    )
    os.close(follower)
    try:
        screen = read_until(leader, rb"ONLINE \xc2\xb7 sent 1 .*\x1b\[K.*ONLINE")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        screen += read_until(leader, rb"Stopped after .*\n")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    text = screen.decode()
    assert "\r" in text and "\x1b[K" in text
    statuses = re.findall(r"\r(\d\d:\d\d:\d\d ONLINE · [^\r\x1b]*)\x1b\[K", text)
    assert len(statuses) >= 2  # one line, rewritten each round
    assert not re.search(r"ONLINE [^\r]*\n[^\r]*ONLINE", text)  # never a new line for one
    assert re.search(r"\x1b\[K\r?\nStopped after \d+ rounds? in [^:]+: sent 1, ", text)


def read_until(fd: int, pattern: bytes, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, seen, re.DOTALL):
        left = deadline - time.monotonic()
        assert left > 0, f"{pattern!r} not seen: {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other end closed: everything has been read
                break
            seen += chunk
    return seen


def test_sync_pushes_to_postgres_until_ctrl_c(
    tmp_path: Path, pg_url: str, running: list[Running]
) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    seeded(pg_url)
    folder = station_folder(tmp_path, "")
    queue_inspections(folder, 1)
    sync = Running(folder, env={"BENCH_CENTRAL_URL": pg_url})
    running.append(sync)
    sync.wait_for(r"ONLINE · sent 1 · ")
    conninfo = make_url(pg_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        rows = connection.execute("SELECT station_id FROM inspections").fetchall()
    assert rows == [("B-07",)]
    code, rest, stderr = sync.stop(signal.SIGINT)
    assert code == 0, (rest, stderr)
    assert rest[-1].endswith(", 0 queued.")
