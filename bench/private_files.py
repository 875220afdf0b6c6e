"""Files that hold what a station knows, readable by the bench's own user alone.

The station database holds inspectors' PIN hashes and every result not yet sent; the log
names inspectors, requests and central's address. On a machine with other accounts (a
technician's, a kiosk user's) neither may be readable by them, whatever the umask says:
bench creates its files 0600 and its folders 0700. SQLite gives a database's -wal and -shm
files the mode of the database itself, so creating the database 0600 covers them too.
"""

from __future__ import annotations

import errno
import os
from contextlib import suppress
from pathlib import Path
from typing import Final

PRIVATE_FILE: Final = 0o600
PRIVATE_FOLDER: Final = 0o700


def private_folder(path: Path) -> None:
    """`mkdir -p path`, each folder it creates 0700; folders already there keep their mode
    (a home or /var/lib is the administrator's). Raises OSError as mkdir would."""
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        if folder.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(folder))
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            if not folder.is_dir():
                raise
            # Another process made it first: its mode is its own.


def private_file(path: Path) -> None:
    """Create the file at `path` 0600 if it is missing, or make an existing one 0600 (one a
    release before this made 0644). Raises OSError when it cannot be opened for writing."""
    # os.open's mode, unlike open()'s 0666, leaves nothing for the umask to open up.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    try:
        # Not ours (a shared fallback in /tmp, say): writable is all we need then.
        with suppress(PermissionError):
            os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
