"""`bench.text.shown` (and `shown_end`, which cuts at the front): outside text comes out safe
to show, and plain text comes out as it was."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from bench.text import ELLIPSIS, cells, shown, shown_end

HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
BIDI = [chr(cp) for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f"]

# Everything st.text() draws, and the characters outside text is feared for, more often.
outside_text = st.text(
    st.characters(codec=None)
    | st.sampled_from([*BIDI, *ZERO_WIDTH, "\x1b", "\n", "\r", "\t", "[", "]", "/", "\u2028"])
    | st.characters(categories=("Lo", "So", "Mn")),  # wide, symbols, combining marks
    max_size=300,
)
limits = st.integers(min_value=1, max_value=120)


def plain(text: str) -> bool:
    return all(unicodedata.category(ch) not in HIDDEN for ch in text)


CUTS = pytest.mark.parametrize("cut", [shown, shown_end], ids=["shown", "shown_end"])


@CUTS
@given(outside_text, limits)
def test_the_result_has_no_character_that_does_not_show_as_itself(
    cut: Callable[[str, int], str], text: str, limit: int
) -> None:
    result = cut(text, limit)
    assert not [ch for ch in result if unicodedata.category(ch) in HIDDEN]
    assert not set(result) & {*BIDI, *ZERO_WIDTH}


@CUTS
@given(outside_text, limits)
def test_the_result_never_takes_more_cells_than_the_limit(
    cut: Callable[[str, int], str], text: str, limit: int
) -> None:
    result = cut(text, limit)
    assert cell_len(result) <= limit  # as the terminal (Rich, Textual) measures it
    assert cells(result) <= limit


@given(outside_text.filter(plain), limits)
def test_plain_text_within_the_limit_is_unchanged(text: str, limit: int) -> None:
    if cells(text) <= limit:
        assert shown(text, limit) == text
    else:
        result = shown(text, limit)
        assert result.endswith(ELLIPSIS) and text.startswith(result[:-1])


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        pytest.param("TI-900020-[/x]", 24, "TI-900020-[/x]", id="markup-is-just-text"),
        pytest.param("WYZE\u200bXY", 24, "WYZE\\u200bXY", id="zero-width"),
        pytest.param("abc\u202edef", 24, "abc\\u202edef", id="bidi-override"),
        pytest.param("a\x1b[31mb", 24, "a\\x1b[31mb", id="terminal-escape"),
        pytest.param("two\nlines", 24, "two\\nlines", id="newline"),
        pytest.param("Cam Pan v2 " + "x" * 5000, 12, "Cam Pan v2 …", id="long"),
        pytest.param("相机相机相机", 7, "相机相…", id="wide-characters"),
    ],
)
def test_examples(text: str, limit: int, expected: str) -> None:
    assert shown(text, limit) == expected


def test_shown_end_keeps_the_end_of_a_serial() -> None:
    assert shown_end("WYZEBCP9812263087", 11) == "…9812263087"
    assert shown_end("WYZEBCP9812263087", 24) == "WYZEBCP9812263087"
    assert shown_end("A19\u200b52", 24) == "A19\\u200b52"


def test_a_limit_below_one_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        shown("x", 0)


def test_no_character_it_keeps_is_wider_for_the_terminal_than_it_counts() -> None:
    # The whole of Unicode, measured as Rich (and so Textual) measures it.
    too_narrow = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if shown(chr(cp), 2) == chr(cp) and cell_len(chr(cp)) > cells(chr(cp))
    ]
    assert too_narrow == []
