"""The `bench` console script, run for real in a subprocess, and what a plain failure of it
looks like: the CLI tests of every command group use these."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


def _bench_script() -> str:
    beside = Path(sys.executable).parent / "bench"
    if beside.exists():
        return str(beside)
    found = shutil.which("bench")
    assert found, "the `bench` console script is not installed (pip install -e .)"
    return found


BENCH = _bench_script()
# Escape sequences Textual writes between the characters of a line.
ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def run(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run `bench ARGS` in `cwd` with a clean environment (no BENCH_CENTRAL_URL of ours)."""
    return subprocess.run(
        [BENCH, *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environment(cwd, env),
        timeout=timeout,
    )


def environment(cwd: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """Ours, without BENCH_CENTRAL_URL, with `env` on top; a demo's files under `cwd`."""
    environment = {k: v for k, v in os.environ.items() if k != "BENCH_CENTRAL_URL"}
    environment["XDG_DATA_HOME"] = str(cwd / "xdg")  # `bench demo` must not touch ~
    environment.update(env or {})
    return environment


def assert_plain_failure(result: subprocess.CompletedProcess[str], code: int | None = None) -> str:
    """A non-zero exit with one `bench:` message and no traceback; returns the message."""
    assert result.returncode != 0, result
    if code is not None:
        assert result.returncode == code, result
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    messages = [line for line in result.stderr.splitlines() if line.startswith("bench: ")]
    assert len(messages) == 1, result.stderr
    return messages[0]


def run_on_a_terminal(
    *args: str, cwd: Path, until: bytes, keys: bytes, timeout: float = 30
) -> tuple[int, str]:
    """Run `bench ARGS` on a pty (a real terminal, 100x32) until what it wrote shows
    `until`, then type `keys`; its exit code and all it wrote, escapes removed."""
    pid, master = pty.fork()
    if pid == 0:  # the child: its terminal is the pty's slave
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 0, 0))
        os.chdir(cwd)
        env = {**environment(cwd), "TERM": "xterm-256color"}
        os.execve(BENCH, [BENCH, *args], env)
    seen, typed = b"", False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # it ended: its terminal is gone
                    chunk = b""
                if not chunk:
                    break
                seen += chunk
            if not typed and until in ESCAPES.sub(b"", seen):
                os.write(master, keys)
                typed = True
        _, status = os.waitpid(pid, os.WNOHANG if time.monotonic() >= deadline else 0)
    finally:
        os.close(master)
    assert typed, f"bench never showed {until!r}: {ESCAPES.sub(b'', seen)[-400:]!r}"
    return os.waitstatus_to_exitcode(status), ESCAPES.sub(b"", seen).decode(errors="replace")
