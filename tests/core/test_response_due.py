"""A revised quote's response due date: set on `revise` decisions only, in working days.

Seed 002 gives the customer 5 working days after notification to reject a revised quote;
silence after that accepts it. Dates are worked out by hand on a calendar, as said.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from bench.config import parse_config
from bench.domain import Decision, Disposition, Outcome, ProgramPolicy, Reason
from bench.policy import with_response_due
from tests.support.factories import graded_program

REVISED = Decision(Outcome.REVISE, 3600, Disposition.REFURBISH, (Reason.CONDITION_DIFFERS,))


@pytest.fixture
def graded() -> ProgramPolicy:
    return graded_program()


def test_the_window_skips_a_weekend_and_a_public_holiday(graded: ProgramPolicy) -> None:
    # Notified Wed 25 Nov 2026; Thu 26 Thanksgiving; Fri 27 (1), Sat/Sun, Mon 30 (2),
    # Tue 1 (3), Wed 2 (4), Thu 3 Dec (5).
    revised = with_response_due(REVISED, graded, date(2026, 11, 25), "US")
    # Only the due date is added: what the policy decided stays as it was.
    assert revised == dataclasses.replace(REVISED, response_due_on=date(2026, 12, 3))


def test_a_plain_weekend_counts_five_weekdays(graded: ProgramPolicy) -> None:
    # Notified Tue 1 Dec 2020: Wed 2 .. Fri 4 (3), Sat/Sun, Mon 7 (4), Tue 8 Dec (5).
    assert with_response_due(REVISED, graded, date(2020, 12, 1), "US").response_due_on == date(
        2020, 12, 8
    )


def test_the_configured_country_and_subdivision_count(
    graded: ProgramPolicy, tmp_path: Path
) -> None:
    config = parse_config(
        {"station": {"id": "B-07", "subdivision": "CA"}, "scanner": {"kind": "simulated"}},
        base_dir=tmp_path,
    )
    assert config.station.country == "US"  # the default a station gets
    # California also closes Fri 27 Nov 2026: Mon 30 (1) .. Fri 4 Dec (5).
    due = with_response_due(
        REVISED, graded, date(2026, 11, 25), config.station.country, config.station.subdivision
    ).response_due_on
    assert due == date(2026, 12, 4)


def test_the_program_sets_how_many_working_days(graded: ProgramPolicy) -> None:
    three_days = dataclasses.replace(graded, revise_response_working_days=3)
    # Fri 27 (1), Mon 30 (2), Tue 1 Dec (3).
    assert with_response_due(REVISED, three_days, date(2026, 11, 25), "US").response_due_on == (
        date(2026, 12, 1)
    )


@pytest.mark.parametrize("outcome", [Outcome.ACCEPT, Outcome.REJECT, Outcome.HOLD])
def test_only_a_revision_has_a_due_date(graded: ProgramPolicy, outcome: Outcome) -> None:
    decision = dataclasses.replace(REVISED, outcome=outcome)
    assert with_response_due(decision, graded, date(2026, 11, 25), "US") is decision
    assert decision.response_due_on is None
