"""Is a program's policy usable? The checks a program from central must pass to be used.

The portal writes `programs`; the bench must not trust it. A policy can be well-typed and
still unusable: a graded program with no percent for grade C would crash the policy engine
on the first C-graded device, a percent of 250 would pay 2.5 times the base value, and
`max_items = 0` would refuse every request. The pull keeps such a program out of the
replica (quarantined, with these reasons) instead of letting `bench.policy.decide` meet it.
Pure: no database, no UI.
"""

from __future__ import annotations

from bench.domain import Disposition, Grade, ProgramKind, ProgramPolicy

# What an item may be, per the seeds: a request holds at most 10 items.
MAX_ITEMS_PER_REQUEST = 10
# Day counts beyond a year are a typo (days for hours, an extra zero), not a program term.
MAX_DAYS = 366
MAX_AGE_YEARS = 50
INELIGIBLE_DISPOSITIONS = frozenset({Disposition.RECYCLE, Disposition.RETURN})


def unusable_reasons(policy: ProgramPolicy) -> list[str]:
    """Why `policy` cannot be used to decide an inspection; empty when it can."""
    reasons = [
        *_within("max_items", policy.max_items, 1, MAX_ITEMS_PER_REQUEST),
        *_within("max_age_years", policy.max_age_years, 1, MAX_AGE_YEARS),
        *_within("ship_window_days", policy.ship_window_days, 1, MAX_DAYS),
        *_within("quote_valid_days", policy.quote_valid_days, 1, MAX_DAYS),
        *_within("revise_response_working_days", policy.revise_response_working_days, 0, MAX_DAYS),
    ]
    if policy.ineligible_disposition not in INELIGIBLE_DISPOSITIONS:
        reasons.append(
            f"ineligible_disposition is {policy.ineligible_disposition.value}, "
            "must be recycle or return"
        )
    if policy.value_cap_cents is not None and policy.value_cap_cents < 0:
        reasons.append(f"value_cap_cents is {policy.value_cap_cents}, must be at least 0")
    for name in ("broken_percent", "dirty_percent", "age_step_percent"):
        reasons += _within(name, getattr(policy, name), 0, 100)
    for grade, percent in policy.grade_percents.items():
        reasons += _within(f"grade_percents {grade.value}", percent, 0, 100)
    if policy.kind is ProgramKind.GRADED:
        # decide() prices every grade, and an ungraded device as D.
        missing = [grade.value for grade in Grade if grade not in policy.grade_percents]
        if missing:
            reasons.append(f"graded program has no grade_percents for {', '.join(missing)}")
    return reasons


def _within(name: str, value: int, low: int, high: int) -> list[str]:
    if low <= value <= high:
        return []
    return [f"{name} is {value}, must be {low} to {high}"]
