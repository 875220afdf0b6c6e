"""The real `bench` console script in a pane of a private tmux server, typed into like a
keyboard-wedge scanner and read as a person reads it (`capture-pane`).

Shared by the end-to-end tests and the crash loop: a private server (`-L bench-e2e-<random>`)
keeps them away from any tmux the developer runs, and is killed at the end whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
BENCH = Path(sys.executable).with_name("bench")
TARGET = "station"
BADGE, PIN = "EMP-0001", "1234"
TIMEOUT = 15.0
# A capture-pane costs a fork of the tmux client: often enough to catch a frame, no more.
POLL_SECONDS = 0.03

# The checklist answers for a device with nothing wrong with it, by the question's text.
# Questions the data answers (model listed, serial, age) are pre-filled: Enter keeps them.
FACTS_QUESTION = "Is what the data says right?"
ANSWERS = {
    "Is it broken or damaged?": "n",
    "Is it dirty?": "n",
    "Was it factory reset?": "y",
    "Is it owned outright": "y",
    "What is its cosmetic grade?": "a",
    # Asked when the data cannot answer them (no purchase date, a serial not scanned).
    "Was it bought more than": "n",
    "Does the serial on the device match": "y",
    "Is the model listed": "y",
}
# Runs the bench (the arguments after the status file) and records its exit status.
WRAPPER = 'status=$1; shift; "$@"; echo $? > "$status.tmp" && mv "$status.tmp" "$status"'
# A follow-up (the defect, the wipe) keeps its question's number: ", continued" tells it.
QUESTION = re.compile(r"Question (\d+) of (\d+)(, continued)?")
# The outcome screen shows the outcome alone on its line, in big letters (a hold says for
# whom), above how to save it.
OUTCOME = re.compile(r"^\s*(ACCEPT|REVISE|REJECT|HOLD)\s*$", re.MULTILINE)
OUTCOME_KEYS = "Enter / CMD:CONFIRM saves"
# What the shell reports for a process ended by SIGKILL.
KILLED_STATUS = str(128 + signal.SIGKILL)


@dataclass
class Terminal:
    """One tmux pane running the bench, on a private tmux server."""

    socket: str
    config: Path
    env: dict[str, str]
    status_file: Path  # the bench's exit status, written by the shell that started it

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, "-f", str(self.config), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", TARGET)

    def exit_status(self) -> str | None:
        """The bench's exit status once it has exited, else None.

        Read from a file the wrapping shell writes, not from tmux's `#{pane_dead_status}`:
        tmux 3.3a marks the pane dead when the pty closes and sets the status only once it
        reaps the process, and here it sometimes never did (the bench stayed a zombie).
        """
        try:
            return self.status_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None

    def bench_pid(self) -> int:
        """The bench process itself: the one child of the pane's shell (`env` execs it)."""
        shell = self.tmux("display-message", "-p", "-t", TARGET, "#{pane_pid}").strip()
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", shell], capture_output=True, text=True, timeout=10
        ).stdout.split()
        if len(children) != 1:
            raise AssertionError(f"the pane's shell {shell} has children {children}, not one")
        return int(children[0])

    def kill_bench(self, pid: int) -> None:
        """SIGKILL the bench (not tmux, not its shell) and wait for the shell to see it die."""
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + TIMEOUT
        while (status := self.exit_status()) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"bench {pid} still runs after SIGKILL")
            time.sleep(0.01)
        if status != KILLED_STATUS:
            raise AssertionError(f"bench ended with status {status}, not by the SIGKILL")

    def restart(self) -> None:
        """Start the bench again in the same pane, with the command it was started with.

        Called once the bench has exited: `-k` only ends its shell, which may still be
        on its way out after writing the exit status."""
        self.status_file.unlink(missing_ok=True)
        self.tmux("respawn-pane", "-k", "-t", TARGET)

    def stacks(self) -> str:
        """Where a hung bench is stuck: SIGABRT makes faulthandler print every thread."""
        with contextlib.suppress(AssertionError, ProcessLookupError):
            os.kill(self.bench_pid(), signal.SIGABRT)
        time.sleep(1)
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", TARGET).strip()

    def wedge(self, text: str) -> None:
        """A scan: the characters then Enter, in one tmux call so Enter follows at once."""
        self.tmux("send-keys", "-t", TARGET, "-l", text, ";", "send-keys", "-t", TARGET, "Enter")

    def key(self, key: str) -> None:
        """One key a person presses."""
        self.tmux("send-keys", "-t", TARGET, key)

    def type_key(self, char: str) -> None:
        """One character as a person types it; the caller leaves the gap after it."""
        self.tmux("send-keys", "-t", TARGET, "-l", char)

    def type_slowly(self, text: str, gap: float = 0.12) -> None:
        """A person typing: keys well over the wedge detector's 50 ms apart."""
        for char in text:
            self.type_key(char)
            time.sleep(gap)

    def wait_for(self, what: str, ready: Callable[[str], bool], timeout: float = TIMEOUT) -> str:
        """Poll the screen until `ready(screen)` holds on two captures in a row (a frame can
        be caught half drawn); fail with the screen as last seen."""
        deadline = time.monotonic() + timeout
        screen = ""
        confirmed = False
        while time.monotonic() < deadline:
            screen = self.screen()
            if ready(screen):
                if confirmed:
                    return screen
                confirmed = True
            else:
                confirmed = False
            status = self.exit_status()
            if status is not None:
                raise AssertionError(
                    f"bench exited (status {status}) while waiting for {what}; "
                    f"last screen:\n{screen}"
                )
            time.sleep(POLL_SECONDS)
        raise AssertionError(
            f"timed out after {timeout:.0f} s waiting for {what}; screen:\n{screen}"
        )

    def wait_text(self, *texts: str) -> str:
        return self.wait_for(
            " and ".join(repr(t) for t in texts), lambda s: all(t in s for t in texts)
        )


@dataclass(frozen=True)
class StationFiles:
    folder: Path
    config: Path
    local_db: Path
    log: Path
    device_serial: str


@contextlib.contextmanager
def bench_in_tmux(station_files: StationFiles) -> Iterator[Terminal]:
    """`bench --config` running in a pane of a private tmux server, killed afterwards."""
    if TMUX is None:
        pytest.skip("tmux is not installed")
    if not BENCH.exists():
        pytest.skip(f"the bench console script is not installed at {BENCH}")
    tmux_conf = station_files.folder / "tmux.conf"
    # No status line (the bench gets all 40 rows); keep the pane after the bench exits so
    # a failure can still show the last screen.
    tmux_conf.write_text("set -g status off\nset -g remain-on-exit on\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("BENCH_CENTRAL_URL", "TMUX")}
    env["TERM"] = "xterm-256color"
    status_file = station_files.folder / "bench-exit-status"
    term = Terminal(f"bench-e2e-{uuid.uuid4().hex[:10]}", tmux_conf, env, status_file)
    socket_path: Path | None = None
    try:
        term.tmux(
            "new-session", "-d", "-s", TARGET, "-x", "120", "-y", "40",
            "-c", str(station_files.folder),
            "sh", "-c", WRAPPER, "bench-e2e", str(status_file),
            "env", "-u", "BENCH_CENTRAL_URL", "TERM=xterm-256color", "PYTHONFAULTHANDLER=1",
            str(BENCH), "--config", str(station_files.config),
        )  # fmt: skip
        socket_path = Path(term.tmux("display-message", "-p", "#{socket_path}").strip())
        yield term
    finally:
        subprocess.run(
            [str(TMUX), "-L", term.socket, "kill-server"], env=env, capture_output=True, timeout=10
        )
        # tmux 3.3a leaves its socket file behind after kill-server.
        if socket_path is not None:
            socket_path.unlink(missing_ok=True)


def step_on(screen: str) -> str | None:
    """The checklist step on show, as "Question 3 of 5: Is it dirty?", "OUTCOME" on the
    outcome screen, or None. The answer given last is shown too, after a ✓: not that."""
    found = QUESTION.search(screen)
    if found is None:
        return "OUTCOME" if OUTCOME_KEYS in screen else None
    asked = [line for line in screen.splitlines() if "✓" not in line]
    for text in (FACTS_QUESTION, *ANSWERS):
        if any(text in line for line in asked):
            return f"{found.group(0)}: {text}"
    return found.group(0)


def answer_key(step: str) -> str:
    """The key that answers the step on show (`step_on`) for a device with nothing wrong."""
    if step.endswith(FACTS_QUESTION):
        return "Enter"
    key = next((k for q, k in ANSWERS.items() if step.endswith(q)), None)
    if key is None:
        raise AssertionError(f"{step}: a question this test cannot answer")
    return key


def moved_on(previous: str | None) -> Callable[[str], bool]:
    """The screen shows a checklist step other than `previous`, or the outcome."""

    def ready(screen: str) -> bool:
        step = step_on(screen)
        return step is not None and step != previous

    return ready


def answer_checklist(term: Terminal) -> str:
    """Answer each question by what the screen asks; return the outcome screen."""
    answered: list[str] = []
    previous = None
    for _ in range(12):
        screen = term.wait_for(
            f"the next question after {previous} or the outcome", moved_on(previous)
        )
        previous = step_on(screen)
        if previous == "OUTCOME":
            return screen
        assert previous is not None
        key = answer_key(previous)
        term.key(key)
        answered.append(f"{previous}: {key}")
    raise AssertionError(f"the checklist never ended; answered {answered}")


def wait_station_open(term: Terminal) -> str:
    """The login is drawn before the station file is opened and migrated: the station is
    open once the header no longer says STARTING."""
    return term.wait_for(
        "the station open", lambda s: "SCAN YOUR BADGE" in s and "STARTING" not in s
    )


def log_in(term: Terminal, badge: str = BADGE, pin: str = PIN) -> None:
    """The badge is scanned, the PIN typed by a person, key by key."""
    term.wait_text("SCAN YOUR BADGE")
    term.wedge(badge)
    term.wait_for("the badge in its field", lambda s: badge in s and "Badge id, e.g." not in s)
    term.type_slowly(pin)
    term.wait_for("the PIN typed", lambda s: "•" * len(pin) in s)
    term.key("Enter")
    term.wait_text("SCAN A PACKAGE LABEL", badge)


def quit_bench(term: Terminal) -> None:
    """ctrl+q, yes to the question a logged-in bench asks, and the exit status 0."""
    term.key("C-q")
    term.wait_text("Quit bench?")
    term.key("y")
    deadline = time.monotonic() + TIMEOUT
    while (status := term.exit_status()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"bench did not quit on ctrl+q; its threads:\n{term.stacks()}")
        time.sleep(0.05)
    assert status == "0", f"bench exited with status {status}:\n{term.screen()}"
