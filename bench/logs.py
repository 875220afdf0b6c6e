"""The bench's log file: where a technician looks when a bench misbehaves.

A full-screen TUI owns the terminal, so nothing may be printed to stdout or stderr while
it runs; everything worth knowing goes to a rotating file instead, in a format that reads
well with `less` and `grep`:

    2026-11-29 10:15:02,123 INFO bench.session: message

If the configured file cannot be written (read-only folder, full disk, wrong owner), the
bench still has to start: a warehouse cannot stop inspecting because of a log path. So
`setup_logging` falls back to a file in the system temp folder, writes a warning naming
the path it could not use as the first line there, and returns the path it actually uses
so the app can show it. Only when the temp folder fails too does it raise `LogSetupError`
(an OSError).

PINs and passwords are never logged: callers do not pass them, and as a second line of
defence every formatted line (tracebacks included) goes through `redact`, which masks
passwords in URLs and anything that looks like `pin=1234`.
"""

from __future__ import annotations

import logging
import logging.handlers
import tempfile
import threading
from pathlib import Path
from typing import Any, Final

from bench.masking import mask_line
from bench.private_files import private_file, private_folder

LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES: Final = 1_000_000
BACKUP_COUNT: Final = 5
LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
FALLBACK_NAME: Final = "bench.log"


class LogSetupError(OSError):
    """Neither the configured log file nor the fallback in the temp folder is writable."""


def redact(text: str) -> str:
    """Mask secrets in one log line: `postgresql://u:***@h/db`, `pin=***`."""
    return mask_line(text)


class RedactingFormatter(logging.Formatter):
    """Formats as LOG_FORMAT, then redacts the whole text, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(path: Path, level: str) -> Path:
    """Send all logging (the root logger) to a rotating file; return the file's path.

    `level` is one of LEVELS (config.toml's [log] level). Calling it again replaces the
    handler it installed before, so tests and a config reload do not double every line.
    Returns `path`, or the fallback in the temp folder if `path` cannot be written.
    """
    if level not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, got {level!r}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_bench_handler", False)]:
        root.removeHandler(old)
        old.close()

    problem: OSError | None = None
    try:
        handler = _open(path)
        used = path
    except OSError as e:
        problem = e
        used = Path(tempfile.gettempdir()) / FALLBACK_NAME
        try:
            handler = _open(used)
        except OSError as e2:
            raise LogSetupError(
                f"cannot write the log file {path} ({e.strerror or e}) nor the fallback "
                f"{used} ({e2.strerror or e2}); set [log] path in config.toml to a "
                "writable file"
            ) from e2

    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    handler._bench_handler = True  # type: ignore[attr-defined]  # marks ours for replacement
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings.warn output would otherwise hit the screen
    threading.excepthook = _log_thread_crash
    if problem is not None:
        logging.getLogger("bench.logs").warning(
            "cannot write the log file %s (%s); logging here instead",
            path,
            problem.strerror or problem,
        )
    return used


def _log_thread_crash(args: threading.ExceptHookArgs) -> None:
    """A thread that dies of an error (a scanner's reader, say) leaves its traceback in the
    log, where a technician looks, not on a terminal the TUI owns."""
    name = args.thread.name if args.thread is not None else "a thread"
    logging.getLogger("bench").critical(
        "%s stopped on an unexpected error",
        name,
        exc_info=args.exc_value,
    )


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is 0600: the first, and each one a rotation opens
    (the rotated ones are renamed, and keep that mode)."""

    def _open(self) -> Any:
        private_file(Path(self.baseFilename))
        return super()._open()


def _open(path: Path) -> logging.handlers.RotatingFileHandler:
    private_folder(path.parent)
    # delay=False opens the file now, so an unwritable path fails here, not at the first
    # log call in the middle of an inspection.
    return _PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False
    )
