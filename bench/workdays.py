"""Working-day arithmetic: weekends and public holidays skipped.

Why this exists: a revised graded quote gives the customer a number of *working* days to
answer (seed 002: "within 5 working days after we notify you"), and silence after that is
acceptance. Getting the due date wrong either cuts a customer's time short or leaves a
device in limbo, so the rule lives in one place and uses the `holidays` library's public
holiday calendars (observed days included) rather than a hand-kept list.

Pure Python: no UI, no database.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = ["add_working_days", "is_working_day"]

# Monday=0 ... Friday=4; Saturday and Sunday are never working days.
_FIRST_WEEKEND_DAY = 5


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The public holidays around `year`, cached per (country, subdivision, year).

    The calendar is built for year-1 .. year+1 because an observed holiday can fall in a
    neighbouring year (US New Year's Day 2022, a Saturday, is observed on Fri 2021-12-31);
    membership is tested by date, so the wider window never hurts.
    """
    # Imported at the first working-day count, not with this module: `holidays` and a
    # country's calendar take a quarter of a second, and the bench's first screen waits
    # for nothing it does not need.
    import holidays

    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=range(year - 1, year + 2)
        )
    except NotImplementedError as exc:
        # holidays raises NotImplementedError for unknown countries and subdivisions;
        # callers should see a plain bad-argument error naming what was wrong.
        where = country if subdivision is None else f"{country}/{subdivision}"
        raise ValueError(f"no public-holiday calendar for {where!r}: {exc}") from exc
    return frozenset(calendar.keys())


def _normalise_country(country: str) -> str:
    # ISO 3166 codes are upper case; accept "us" from a config file all the same.
    return country.strip().upper()


def is_working_day(day: date, country: str, subdivision: str | None = None) -> bool:
    """True when `day` is neither a Saturday, a Sunday nor a public holiday there."""
    country = _normalise_country(country)
    if day.weekday() >= _FIRST_WEEKEND_DAY:
        # Still validate the country, so a bad code fails the same way on any date.
        _holiday_dates(country, subdivision, day.year)
        return False
    return day not in _holiday_dates(country, subdivision, day.year)


def add_working_days(start: date, n: int, country: str, subdivision: str | None = None) -> date:
    """The date `n` working days after `start` (start itself is not counted).

    `n == 0` returns `start` unchanged. A negative `n` is refused: nothing in the
    programs counts working days backwards. Raises ValueError for a country (or
    subdivision) the `holidays` library does not know, whatever `n` is.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    country = _normalise_country(country)
    # Validate the calendar up front, so an unknown country fails even when n == 0.
    _holiday_dates(country, subdivision, start.year)
    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, country, subdivision):
            remaining -= 1
    return day
