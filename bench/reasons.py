"""Reasons in plain words: reason codes for the outcome screen and the printed label, and
why a supervisor reopens an item."""

from bench.domain import Reason

REASON_TEXT: dict[Reason, str] = {
    Reason.MODEL_NOT_LISTED: "The model is not listed for this program",
    Reason.OTHER_BRAND: "Another brand: the program takes only its own brand",
    Reason.TOO_OLD: "Bought longer ago than the program allows",
    Reason.BROKEN: "Broken or damaged",
    Reason.DIRTY: "Dirty",
    Reason.SERIAL_MISMATCH: "The serial differs from the declared serial",
    Reason.NOT_OWNED: "Not owned outright (leased or account-locked)",
    Reason.ARRIVED_LATE: "Arrived after the shipping window",
    Reason.QUOTE_EXPIRED: "The quote had expired when the device arrived",
    Reason.CONDITION_DIFFERS: "Condition worse than declared: the customer gets a revised quote",
    Reason.WIPED_AT_BENCH: "Not factory reset: wiped at the bench",
    Reason.WIPE_FAILED: "Not factory reset and the bench wipe failed",
    Reason.VALUE_CAPPED: "Value capped at the program's maximum",
    Reason.WRONG_ITEM: "Another model than the customer declared",
}


def reason_text(reason: Reason) -> str:
    return REASON_TEXT[reason]


REOPEN_REASONS: tuple[str, ...] = (
    "Customer dispute",
    "Wrong grade",
    "Wrong model identified",
    "Serial mismatch resolved",
    "Damage found later",
    "Other",
)
"""Why a supervisor reopens an inspected item: picked with keys 1-6, kept in the audit log."""
