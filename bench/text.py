"""Text from outside the bench, made safe to put on screen.

Scans, central's rows (ids, names, serials, tracking numbers, which the portal's users
typed) and config all reach the screen. Such text must be shown as it is, never taken for
anything else: control characters could drive the terminal, bidi overrides and isolates
reorder what is around them, zero-width characters hide a difference between two codes,
and a 5,000-character name pushes the question and its answer keys off an 80x24 screen.
`shown` is the one place that deals with all of it; the screens show what it returns as
plain text (never markup). Pure Python, so the core and the screens share it.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"

# Control (Cc), format (Cf: zero-width characters, bidi overrides and isolates, soft
# hyphen, BOM), surrogate, private-use and unassigned code points, and the line and
# paragraph separators: none of them shows as itself, so each is shown as an escape.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MAYBE_WIDE = frozenset({"So", "No"})


def shown(text: str, limit: int) -> str:
    """`text` as the screen shows it: every character that does not show as itself written
    as an escape (``\\u200b``, ``\\x1b``, ``\\n``), and cut to at most `limit` terminal cells
    with an ellipsis. Plain text within the limit comes back unchanged."""
    return _cut(text, limit, keep_end=False)


def shown_end(text: str, limit: int) -> str:
    """`shown`, but cut at the front: the end of a serial tells two devices apart, its
    start is often the same for every device of a model."""
    return _cut(text, limit, keep_end=True)


def _cut(text: str, limit: int, *, keep_end: bool) -> str:
    if limit < 1:
        raise ValueError("limit must be at least one cell")
    visible = "".join(_visible(ch) for ch in text)
    if cells(visible) <= limit:
        return visible
    kept: list[str] = []
    room = limit - cells(ELLIPSIS)
    for ch in reversed(visible) if keep_end else visible:
        room -= _cell_width(ch)
        if room < 0:
            break
        kept.append(ch)
    if keep_end:
        return ELLIPSIS + "".join(reversed(kept))
    return "".join(kept) + ELLIPSIS


def cells(text: str) -> int:
    """How many terminal cells `text` takes at most: two for a wide character, one for any
    other. It errs on the wide side, so a cut never overflows: a combining mark may take no
    cell at all, and symbols and numerals (categories So, No) count two because newer
    Unicode versions than Python's (the terminal's, Rich's) made some of them wide."""
    return sum(_cell_width(ch) for ch in text)


def _cell_width(ch: str) -> int:
    wide = unicodedata.east_asian_width(ch) in ("W", "F") or unicodedata.category(ch) in _MAYBE_WIDE
    return 2 if wide else 1


def _visible(ch: str) -> str:
    if unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
        return ch
    return ch.encode("unicode_escape").decode("ascii")  # \n, \x1b, \u200b, \U000e0001
