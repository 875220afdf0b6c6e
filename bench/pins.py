"""Inspector PINs: stored only as scrypt hashes, checked in constant time, with a lockout.

A PIN is 4 to 8 digits typed at a shared bench, so it is weak by nature: there are at most
10^8 of them. What protects it is (1) a memory-hard KDF with a per-PIN random salt, so a
copied `inspectors` table cannot be reversed with a lookup table and each guess costs real
work, and (2) the lockout rule below, which limits guessing at the bench itself.

The lockout is a pure function of the failure times, so the store can keep the failures
(locally, surviving a restart) and the screens can show "locked until 10:20" without either
owning the rule.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

SCHEME: Final = "scrypt"
# n=2**14, r=8 takes 16 MiB and, measured on one core of this project's machine
# (benchmarks/pin_guess.py, 2026-12-02), 30 ms at best: unnoticeable at a login, and 5
# minutes to try all 10^4 four-digit PINs offline, 8.3 hours for 10^6 six-digit ones, on one
# core. Many cores divide that, so new PINs have 6 digits by default ([login]
# pin_min_length) and the table's copies stay private (0600). Stored in each hash, so it
# can be raised later.
SCRYPT_N: Final = 2**14
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SALT_BYTES: Final = 16
HASH_BYTES: Final = 32

# Bounds on what `verify_pin` will compute for a stored hash: a damaged or hostile row
# must not make the bench allocate gigabytes. 128 * n * r bytes must stay under _MAXMEM.
_MAX_N: Final = 2**20
_MAX_R: Final = 32
_MAX_P: Final = 16
_MAXMEM: Final = 256 * 1024 * 1024

LOCK_AFTER: Final = 5  # failures ...
LOCK_WINDOW: Final = timedelta(minutes=5)  # ... within this long lock the badge ...
LOCK_FOR: Final = timedelta(minutes=5)  # ... for this long after the last of them.

MAX_DIGITS: Final = 8
_PIN_FORMAT: Final = re.compile(r"[0-9]{4,8}")


def valid_pin_format(pin: str) -> bool:
    """4 to 8 ASCII digits (what a bench keypad or a number row can type)."""
    # Not str.isdigit(): it accepts other scripts' digits and superscripts.
    return _PIN_FORMAT.fullmatch(pin) is not None


def valid_new_pin(pin: str, min_length: int) -> bool:
    """A PIN that may be set now: at least `min_length` digits (`[login] pin_min_length`).
    PINs set before under a lower minimum keep logging in: `valid_pin_format` is the rule
    at the bench."""
    return valid_pin_format(pin) and len(pin) >= min_length


def hash_pin(pin: str) -> str:
    """Hash a PIN as `scrypt$n$r$p$salt_b64$hash_b64`; a fresh random salt every time.

    Raises ValueError for a PIN that is not 4 to 8 digits: a PIN that cannot be typed at
    the bench must never be stored. The message does not repeat the PIN.
    """
    if not valid_pin_format(pin):
        raise ValueError("a PIN is 4 to 8 digits")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return "$".join((SCHEME, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)))


def verify_pin(pin: str, encoded: str) -> bool:
    """True if `pin` matches the stored hash. Anything malformed is False, never an error.

    A login screen must not crash on a damaged row; it must just refuse the PIN.
    """
    try:
        scheme, n_text, r_text, p_text, salt_text, hash_text = encoded.split("$")
        if scheme != SCHEME:
            return False
        n, r, p = int(n_text), int(r_text), int(p_text)
        if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
            return False
        salt = base64.b64decode(salt_text, validate=True)
        expected = base64.b64decode(hash_text, validate=True)
        if not salt or not expected:
            return False
        actual = _scrypt(pin, salt, n, r, p, len(expected))
    except (ValueError, TypeError, AttributeError, binascii.Error, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_MAXMEM
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class LockState:
    """Whether a badge may try a PIN now. `until` is set only while locked."""

    locked: bool
    until: datetime | None
    attempts_left: int


def lock_state(failure_times: Sequence[datetime], now: datetime) -> LockState:
    """The lockout rule: LOCK_AFTER failures within LOCK_WINDOW lock the badge until
    LOCK_FOR after the last of those failures.

    `failure_times` are the badge's failed PIN attempts (the caller may clear them after a
    successful login; older ones do no harm). While locked the caller should refuse PINs
    without checking or recording them; a failure recorded while locked would form a new
    run of LOCK_AFTER and extend the lock, which errs on the safe side.

    `attempts_left` counts failures still inside the window ending at `now`, so a person
    who mistypes twice and comes back ten minutes later has all attempts again.
    """
    times = sorted(failure_times)
    until: datetime | None = None
    for first, last in zip(times, times[LOCK_AFTER - 1 :], strict=False):
        if last - first <= LOCK_WINDOW:
            release = last + LOCK_FOR
            if until is None or release > until:
                until = release
    if until is not None and now < until:
        return LockState(locked=True, until=until, attempts_left=0)
    recent = sum(1 for t in times if now - t < LOCK_WINDOW)
    return LockState(locked=False, until=None, attempts_left=max(LOCK_AFTER - recent, 0))
