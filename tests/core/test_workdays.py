"""Working days skip weekends and the public holidays of the `holidays` library.

Expected dates are worked out by hand from a calendar; each test says how.
"""

from __future__ import annotations

from datetime import date

import pytest

from bench.workdays import add_working_days, is_working_day

# (id, start, working days, country, subdivision, expected), each worked out on a calendar.
ADD_WORKING_DAYS = [
    # Thu 26 Thanksgiving; Fri 27 (1), Sat/Sun, Mon 30 (2), Tue 1 (3), Wed 2 (4), Thu 3 (5)
    ("us-thanksgiving-and-weekend-skipped", "2026-11-25", 5, "US", None, "2026-12-03"),
    # California also closes the day after Thanksgiving: Mon 30 is (1) ... Fri 4 (5)
    ("california-day-after-thanksgiving-skipped", "2026-11-25", 5, "US", "CA", "2026-12-04"),
    # Fri 20 -> Sat, Sun skipped -> Mon 23
    ("weekend-skipped", "2026-11-20", 1, "US", None, "2026-11-23"),
    # Fri 25 Christmas, weekend, Mon 28 (1), Tue 29 (2), Wed 30 (3)
    ("us-christmas-skipped", "2026-12-24", 3, "US", None, "2026-12-30"),
    # ... Thu 31 (4), Fri 1 Jan New Year, weekend, Mon 4 Jan (5): across the year end
    ("us-christmas-and-new-year-across-year-end", "2026-12-24", 5, "US", None, "2027-01-04"),
    # England: Fri 25 Christmas, Sat 26 Boxing Day observed on Mon 28 -> Tue 29
    ("england-boxing-day-observed-monday", "2026-12-24", 1, "GB", "ENG", "2026-12-29"),
    # New Year's Day 2022 was a Saturday, observed Fri 2021-12-31 -> Mon 2022-01-03
    ("us-new-year-observed-in-previous-year", "2021-12-30", 1, "US", None, "2022-01-03"),
    ("zero-days", "2026-11-26", 0, "US", None, "2026-11-26"),
    # Country codes from a config file may be lower case.
    ("lower-case-country", "2026-11-25", 1, "us", None, "2026-11-27"),
]


@pytest.mark.parametrize(
    ("start", "n", "country", "subdivision", "expected"),
    [pytest.param(*case, id=case_id) for case_id, *case in ADD_WORKING_DAYS],
)
def test_add_working_days(
    start: str, n: int, country: str, subdivision: str | None, expected: str
) -> None:
    got = add_working_days(date.fromisoformat(start), n, country, subdivision)
    assert got == date.fromisoformat(expected)


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 11, 25), "US")  # a Wednesday
    assert not is_working_day(date(2026, 11, 26), "US")  # Thanksgiving
    assert not is_working_day(date(2026, 11, 28), "US")  # a Saturday
    assert is_working_day(date(2026, 11, 27), "US")  # federal: a normal Friday
    assert not is_working_day(date(2026, 11, 27), "US", "CA")  # California: a holiday


@pytest.mark.parametrize("n", [0, 5], ids=["n0", "n5"])
def test_unknown_country_raises_value_error(n: int) -> None:
    with pytest.raises(ValueError, match="XX"):
        add_working_days(date(2026, 11, 25), n, "XX")


def test_unknown_subdivision_raises_value_error() -> None:
    with pytest.raises(ValueError, match="US/ZZ"):
        add_working_days(date(2026, 11, 25), 5, "US", "ZZ")


def test_negative_days_refused() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        add_working_days(date(2026, 11, 25), -1, "US")
