"""PIN hashing (scrypt) and the lockout rule, with explicit datetimes."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from bench.pins import (
    LOCK_AFTER,
    LOCK_FOR,
    LockState,
    hash_pin,
    lock_state,
    valid_pin_format,
    verify_pin,
)

T0 = datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_right_pin_verifies_wrong_pin_does_not() -> None:
    encoded = hash_pin("1234")
    assert verify_pin("1234", encoded)
    assert not verify_pin("1235", encoded)
    assert not verify_pin("12345", encoded)
    assert not verify_pin("", encoded)


def test_encoding_is_scrypt_with_the_stated_parameters() -> None:
    scheme, n, r, p, salt, digest = hash_pin("4321").split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32
    # Independently recomputed: the format is what it says, not just self-consistent.
    expected = hashlib.scrypt(b"4321", salt=base64.b64decode(salt), n=16384, r=8, p=1, dklen=32)
    assert base64.b64decode(digest) == expected


def test_salts_differ_so_hashes_differ() -> None:
    first, second = hash_pin("1111"), hash_pin("1111")
    assert first.split("$")[4] != second.split("$")[4]
    assert first != second
    assert verify_pin("1111", first) and verify_pin("1111", second)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "1234",
        "bcrypt$16384$8$1$AAAA$AAAA",
        "scrypt$16384$8$1$AAAA",  # too few fields
        "scrypt$16384$8$1$AAAA$AAAA$AAAA",  # too many
        "scrypt$abc$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
        "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",  # n not a power of two
        "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",  # n absurdly large
        "scrypt$16384$0$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
        "scrypt$16384$8$1$not base64!$AAAA",
        "scrypt$16384$8$1$$AAAA",  # empty salt
        "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$",  # empty hash
    ],
)
def test_malformed_hash_is_false_not_an_error(encoded: str) -> None:
    assert verify_pin("1234", encoded) is False


def test_hash_pin_refuses_a_pin_that_cannot_be_typed_without_echoing_it() -> None:
    with pytest.raises(ValueError, match=r"^a PIN is 4 to 8 digits$"):
        hash_pin("12a4")


@pytest.mark.parametrize(
    ("pin", "ok"),
    [
        ("1234", True),
        ("12345678", True),
        ("0000", True),
        ("123", False),
        ("123456789", False),
        ("12a4", False),
        (" 1234", False),
        ("1234\n", False),
        ("١٢٣٤", False),  # Arabic-Indic digits: isdigit() says yes, a keypad cannot
        ("", False),
    ],
)
def test_valid_pin_format(pin: str, ok: bool) -> None:
    assert valid_pin_format(pin) is ok


# --- lockout ------------------------------------------------------------------------------


def test_no_failures_all_attempts_left() -> None:
    assert lock_state([], T0) == LockState(locked=False, until=None, attempts_left=5)


def test_four_failures_leave_one_attempt() -> None:
    fails = [at(0), at(10), at(20), at(30)]
    assert lock_state(fails, at(31)) == LockState(locked=False, until=None, attempts_left=1)


def test_five_failures_within_the_window_lock_until_five_minutes_after_the_fifth() -> None:
    fails = [at(0), at(10), at(20), at(30), at(40)]
    until = at(40) + LOCK_FOR
    assert until == datetime(2026, 11, 29, 10, 5, 40, tzinfo=UTC)
    assert lock_state(fails, at(41)) == LockState(locked=True, until=until, attempts_left=0)
    assert lock_state(fails, until - timedelta(seconds=1)).locked
    # Order of the input does not matter.
    assert lock_state(list(reversed(fails)), at(41)).until == until


def test_lock_releases_after_five_minutes_with_all_attempts_back() -> None:
    fails = [at(0), at(10), at(20), at(30), at(40)]
    released = at(40) + LOCK_FOR
    assert lock_state(fails, released) == LockState(locked=False, until=None, attempts_left=5)


def test_five_failures_spread_wider_than_the_window_do_not_lock() -> None:
    # 0 s .. 301 s: the first and fifth are more than five minutes apart.
    fails = [at(0), at(100), at(200), at(300), at(301)]
    state = lock_state(fails, at(302))
    assert not state.locked
    # Failures at 100, 200, 300, 301 are still within five minutes of 302 s.
    assert state.attempts_left == 1


def test_exactly_five_minutes_apart_still_locks() -> None:
    fails = [at(0), at(60), at(120), at(180), at(300)]
    assert lock_state(fails, at(301)) == LockState(
        locked=True, until=at(300) + LOCK_FOR, attempts_left=0
    )


def test_a_mistake_after_a_release_starts_afresh() -> None:
    fails = [at(0), at(10), at(20), at(30), at(40), at(400)]  # the last after release at 340
    assert lock_state(fails, at(401)) == LockState(locked=False, until=None, attempts_left=4)


def test_lock_after_constant_is_five() -> None:
    assert LOCK_AFTER == 5
    assert timedelta(minutes=5) == LOCK_FOR
