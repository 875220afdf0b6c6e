"""The `bench` console script, run for real in a subprocess, and what a plain failure of it
looks like: the CLI tests of every command group use these."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _bench_script() -> str:
    beside = Path(sys.executable).parent / "bench"
    if beside.exists():
        return str(beside)
    found = shutil.which("bench")
    assert found, "the `bench` console script is not installed (pip install -e .)"
    return found


BENCH = _bench_script()


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
