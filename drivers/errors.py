"""The drivers' own exceptions, so callers never need to know pyserial's.

pyserial raises `SerialException` (an `OSError`) for everything from "no such file" to
"the device vanished mid-read", plus bare `OSError` and `ValueError` from a few corners.
The drivers wrap each in one of these with ``raise ... from error`` (the original stays on
`__cause__` for the log) and a message a technician can act on.
"""

from __future__ import annotations


class ScannerError(Exception):
    """Something went wrong with a scanner; `str(error)` is a plain sentence."""


class ScannerUnavailable(ScannerError):
    """The scanner cannot be opened now (not plugged in, no permission, in use...).

    The serial driver keeps retrying; the message says why it is not connected yet.
    """


class PortNotFound(ScannerUnavailable):
    """No serial port matches the configured name, by-id link or USB vid:pid."""


class ScannerLost(ScannerError):
    """An open scanner stopped answering: unplugged, powered off, or its cable failed."""
