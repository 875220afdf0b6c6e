"""Which program policies the bench refuses to use, and why (bench.program_checks)."""

from __future__ import annotations

import dataclasses

import pytest

from bench.demo_data import demo_programs
from bench.domain import Disposition, Grade, ProgramKind, ProgramPolicy
from bench.program_checks import unusable_reasons
from tests.support.factories import graded_program, trade_up_program


@pytest.mark.parametrize("program", demo_programs(), ids=lambda p: p.code)
def test_the_demo_programs_are_usable(program: ProgramPolicy) -> None:
    assert unusable_reasons(program) == []


UNUSABLE = {
    "graded, grade C missing": (
        {"grade_percents": {Grade.A: 100, Grade.B: 80, Grade.D: 30}},
        ["graded program has no grade_percents for C"],
    ),
    "graded, none at all": (
        {"grade_percents": {}}, ["graded program has no grade_percents for A, B, C, D"]
    ),
    "a grade above 100": (
        {"grade_percents": {Grade.A: 250, Grade.B: 80, Grade.C: 55, Grade.D: 30}},
        ["grade_percents A is 250, must be 0 to 100"],
    ),
    "a negative broken percent": (
        {"broken_percent": -1}, ["broken_percent is -1, must be 0 to 100"]
    ),
    "no items": ({"max_items": 0}, ["max_items is 0, must be 1 to 10"]),
    "eleven items": ({"max_items": 11}, ["max_items is 11, must be 1 to 10"]),
    "no ship window": ({"ship_window_days": 0}, ["ship_window_days is 0, must be 1 to 366"]),
    "a negative cap": ({"value_cap_cents": -1}, ["value_cap_cents is -1, must be at least 0"]),
    "refurbish what is ineligible": (
        {"ineligible_disposition": Disposition.REFURBISH},
        ["ineligible_disposition is refurbish, must be recycle or return"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("change", "reasons"), UNUSABLE.values(), ids=UNUSABLE.keys())
def test_an_unusable_graded_policy_says_why(change: dict[str, object], reasons: list[str]) -> None:
    assert unusable_reasons(dataclasses.replace(graded_program(), **change)) == reasons  # type: ignore[arg-type]


def test_a_program_that_does_not_grade_needs_no_grade_percents() -> None:
    program = dataclasses.replace(trade_up_program(), grade_percents={})
    assert program.kind is ProgramKind.TRADE_UP
    assert unusable_reasons(program) == []


def test_every_problem_is_named_at_once() -> None:
    program = dataclasses.replace(graded_program(), max_items=0, grade_percents={})
    assert len(unusable_reasons(program)) == 2
