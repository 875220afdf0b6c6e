"""What the inspection session answers when something is not right: a `Problem` to show in
plain words with what to do next, or a request for the reason behind an override."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something the inspector must see: what happened and what to do. The UI rings the bell."""

    title: str
    detail: str
    hint: str


@dataclass(frozen=True)
class NeedsReason:
    """The answer overrides what the data says: ask for a reason, then answer again."""

    message: str


DISK_FULL = (
    "the station's disk is full: free space on this computer (or call IT); nothing is lost, "
    "and it carries on by itself"
)
"""What a background worker (sync, printing) that cannot write to the station's database
says: nobody pressed a key, so there is no key to press again."""


def disk_full(error: Exception) -> bool:
    """The station's database refused a write because its disk is full."""
    text = str(error)
    return "disk is full" in text or "No space left" in text


def station_problem(error: Exception) -> Problem:
    """What the inspector sees when the station's own database refused a write or a read:
    what happened, that nothing stored was lost, and what to do."""
    text = str(error)
    if disk_full(error):
        return Problem(
            "The station's disk is full",
            "Nothing was lost: every answer and result saved before this is kept.",
            "Free space on this computer (or call IT), then do the same again: press the "
            "same key or scan the same code.",
        )
    return Problem(
        "The station's database failed",
        f"{text} Nothing saved before this was lost.",
        "Do the same again; if it keeps failing, call a supervisor. The log has the details.",
    )
