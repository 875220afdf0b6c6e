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


def station_problem(error: Exception) -> Problem:
    """What the inspector sees when the station's own database refused a write or a read:
    what happened, that nothing stored was lost, and what to do."""
    text = str(error)
    if "disk is full" in text or "No space left" in text:
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
