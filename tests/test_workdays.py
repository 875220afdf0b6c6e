"""Working days skip weekends and the public holidays of the `holidays` library.

Expected dates are worked out by hand from a calendar; each test says how.
"""

from __future__ import annotations

from datetime import date

import pytest

from bench.workdays import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("start", "n", "country", "subdivision", "expected"),
    [
        pytest.param(
            # Thu 26 Thanksgiving; Fri 27 (1), Sat/Sun, Mon 30 (2), Tue 1 (3), Wed 2 (4), Thu 3 (5)
            date(2026, 11, 25),
            5,
            "US",
            None,
            date(2026, 12, 3),
            id="us-thanksgiving-and-weekend-skipped",
        ),
        pytest.param(
            # California also closes the day after Thanksgiving: Mon 30 is (1) ... Fri 4 (5)
            date(2026, 11, 25),
            5,
            "US",
            "CA",
            date(2026, 12, 4),
            id="california-day-after-thanksgiving-skipped",
        ),
        pytest.param(
            # Fri 20 -> Sat, Sun skipped -> Mon 23
            date(2026, 11, 20),
            1,
            "US",
            None,
            date(2026, 11, 23),
            id="weekend-skipped",
        ),
        pytest.param(
            # Fri 25 Christmas, weekend, Mon 28 (1), Tue 29 (2), Wed 30 (3)
            date(2026, 12, 24),
            3,
            "US",
            None,
            date(2026, 12, 30),
            id="us-christmas-skipped",
        ),
        pytest.param(
            # ... Thu 31 (4), Fri 1 Jan New Year, weekend, Mon 4 Jan (5): across the year end
            date(2026, 12, 24),
            5,
            "US",
            None,
            date(2027, 1, 4),
            id="us-christmas-and-new-year-across-year-end",
        ),
        pytest.param(
            # England: Fri 25 Christmas, Sat 26 Boxing Day observed on Mon 28 -> Tue 29
            date(2026, 12, 24),
            1,
            "GB",
            "ENG",
            date(2026, 12, 29),
            id="england-boxing-day-observed-monday",
        ),
        pytest.param(
            # New Year's Day 2022 was a Saturday, observed Fri 2021-12-31 -> Mon 2022-01-03
            date(2021, 12, 30),
            1,
            "US",
            None,
            date(2022, 1, 3),
            id="us-new-year-observed-in-previous-year",
        ),
        pytest.param(date(2026, 11, 26), 0, "US", None, date(2026, 11, 26), id="zero-days"),
        pytest.param(
            # Country codes from a config file may be lower case.
            date(2026, 11, 25),
            1,
            "us",
            None,
            date(2026, 11, 27),
            id="lower-case-country",
        ),
    ],
)
def test_add_working_days(
    start: date, n: int, country: str, subdivision: str | None, expected: date
) -> None:
    assert add_working_days(start, n, country, subdivision) == expected


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
