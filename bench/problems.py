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

    value: str
    message: str
