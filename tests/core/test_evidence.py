"""The evidence chain alone (`bench.evidence`): each kind of tampering is named, at the
entry where it happened, whatever the chain and wherever the tampering."""

from __future__ import annotations

import dataclasses

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.evidence import (
    AUDIT,
    GENESIS,
    INSPECTION,
    Entry,
    Tamper,
    canonical,
    differences,
    entry_hash,
    first_break,
    following,
)

STATION = "B-07"


def chain_of(length: int) -> list[Entry]:
    entries: list[Entry] = []
    for n in range(length):
        kind = INSPECTION if n % 3 == 2 else AUDIT
        body = {"n": n, "event": "inspection_finished", "final_cents": 100 * n, "note": None}
        entries.append(following(entries[-1] if entries else None, STATION, kind, str(n), body))
    return entries


def renumbered(entries: list[Entry]) -> list[Entry]:
    """The entries at seq 1, 2, 3… in their new order, as raw SQL could leave them."""
    return [dataclasses.replace(e, seq=n) for n, e in enumerate(entries, 1)]


def edited(entries: list[Entry], k: int) -> list[Entry]:
    changed = dataclasses.replace(entries[k], body=canonical({"final_cents": 999_999}))
    return [*entries[:k], changed, *entries[k + 1 :]]


def edited_and_rehashed(entries: list[Entry], k: int) -> list[Entry]:
    """The forger rewrites the entry's hash too, but not the chain after it."""
    e = dataclasses.replace(entries[k], body=canonical({"final_cents": 999_999}))
    e = dataclasses.replace(
        e, hash=entry_hash(e.station_id, e.seq, e.kind, e.ref, e.prev_hash, e.body)
    )
    return [*entries[:k], e, *entries[k + 1 :]]


def deleted(entries: list[Entry], k: int) -> list[Entry]:
    return [*entries[:k], *entries[k + 1 :]]


def deleted_and_renumbered(entries: list[Entry], k: int) -> list[Entry]:
    return renumbered(deleted(entries, k))


def swapped(entries: list[Entry], i: int, j: int) -> list[Entry]:
    moved = list(entries)
    moved[i], moved[j] = moved[j], moved[i]
    return renumbered(moved)


def inserted(entries: list[Entry], k: int) -> list[Entry]:
    """A forged entry made exactly as the bench would at position k; the later renumbered."""
    forged = following(entries[k - 1] if k else None, STATION, AUDIT, "forged", {"final_cents": 1})
    return renumbered([*entries[:k], forged, *entries[k:]])


def inserted_blind(entries: list[Entry], k: int) -> list[Entry]:
    """A forged entry that links to nothing and whose hash is made up."""
    forged = Entry(STATION, 0, AUDIT, "forged", "ab" * 32, "cd" * 32, canonical({}))
    return renumbered([*entries[:k], forged, *entries[k:]])


class TestEachKindOfTampering:
    def test_a_whole_chain_has_no_problem(self) -> None:
        assert first_break(chain_of(12)) is None
        assert first_break([]) is None

    def test_the_first_entry_follows_the_genesis_hash(self) -> None:
        first = chain_of(1)[0]
        assert first.prev_hash == GENESIS == "0" * 64 and first.seq == 1

    def test_an_edited_entry_is_named_edited(self) -> None:
        problem = first_break(edited(chain_of(10), 4))
        assert problem is not None
        assert (problem.tamper, problem.seq, problem.kind, problem.ref) == (
            Tamper.EDITED, 5, AUDIT, "4",
        )  # fmt: skip
        assert str(problem).startswith("seq 5 (audit 4) was edited")

    def test_an_entry_edited_and_rehashed_is_named_edited_by_the_next_one(self) -> None:
        problem = first_break(edited_and_rehashed(chain_of(10), 4))
        assert problem is not None and (problem.tamper, problem.seq) == (Tamper.EDITED, 5)

    def test_a_deleted_entry_is_named_by_the_seq_that_is_missing(self) -> None:
        problem = first_break(deleted(chain_of(10), 3))
        assert problem is not None and (problem.tamper, problem.seq) == (Tamper.DELETED, 4)
        assert "from seq 3 to seq 5" in problem.detail

    def test_a_deleted_entry_is_found_when_the_rest_were_renumbered(self) -> None:
        problem = first_break(deleted_and_renumbered(chain_of(10), 3))
        assert problem is not None and (problem.tamper, problem.seq) == (Tamper.DELETED, 4)

    def test_two_swapped_entries_are_named_reordered(self) -> None:
        problem = first_break(swapped(chain_of(10), 2, 6))
        assert problem is not None
        assert (problem.tamper, problem.seq, problem.ref) == (Tamper.REORDERED, 3, "6")

    def test_a_forged_entry_is_named_inserted_even_when_made_as_the_bench_makes_them(self) -> None:
        problem = first_break(inserted(chain_of(10), 3))
        assert problem is not None
        assert (problem.tamper, problem.seq, problem.ref) == (Tamper.INSERTED, 4, "forged")

    def test_a_forged_entry_linked_to_nothing_is_named_inserted(self) -> None:
        problem = first_break(inserted_blind(chain_of(10), 10))
        assert problem is not None
        assert (problem.tamper, problem.seq, problem.ref) == (Tamper.INSERTED, 11, "forged")

    def test_what_a_chain_alone_cannot_show(self) -> None:
        # The last entry dropped, or a forged one appended as the bench would: the audit
        # log's rows and central's copy show these (tests/store/test_evidence_chain.py).
        entries = chain_of(5)
        assert first_break(entries[:-1]) is None
        assert first_break(inserted(entries, 5)) is None


def tampers(length: int) -> st.SearchStrategy[tuple[list[Entry], Tamper, int]]:
    """A chain of `length` tampered once, at random, with the tamper and the seq to name."""
    entries = chain_of(length)
    position = st.integers(0, length - 1)
    not_last = st.integers(0, length - 2)
    kinds: list[st.SearchStrategy[tuple[list[Entry], Tamper, int]]] = [
        position.map(lambda k: (edited(entries, k), Tamper.EDITED, k + 1)),
        position.map(lambda k: (inserted(entries, k), Tamper.INSERTED, k + 1)),
        st.integers(0, length).map(lambda k: (inserted_blind(entries, k), Tamper.INSERTED, k + 1)),
    ]
    if length > 1:
        kinds += [
            not_last.map(lambda k: (edited_and_rehashed(entries, k), Tamper.EDITED, k + 1)),
            not_last.map(lambda k: (deleted(entries, k), Tamper.DELETED, k + 1)),
            not_last.map(lambda k: (deleted_and_renumbered(entries, k), Tamper.DELETED, k + 1)),
            st.lists(position, min_size=2, max_size=2, unique=True)
            .map(sorted)
            .map(lambda ij: (swapped(entries, ij[0], ij[1]), Tamper.REORDERED, ij[0] + 1)),
        ]
    return st.one_of(kinds)


class TestAnyChainAnyTamper:
    @settings(max_examples=300, deadline=None)
    @given(st.integers(1, 25).flatmap(tampers))
    def test_one_tamper_anywhere_is_named_at_its_entry(
        self, case: tuple[list[Entry], Tamper, int]
    ) -> None:
        entries, tamper, seq = case
        problem = first_break(entries)
        assert problem is not None, "tampering went unnoticed"
        assert (problem.tamper, problem.seq) == (tamper, seq), str(problem)

    @settings(max_examples=100, deadline=None)
    @given(st.integers(0, 40))
    def test_a_chain_as_written_is_whole(self, length: int) -> None:
        assert first_break(chain_of(length)) is None


json_values: st.SearchStrategy[object] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


class TestCanonicalEncoding:
    @given(json_values)
    def test_decoding_and_encoding_again_gives_the_same_bytes(self, value: object) -> None:
        # What central reads back from jsonb hashes as the bench hashed it.
        assert canonical(orjson.loads(canonical(value))) == canonical(value)

    def test_key_order_and_explicit_nulls(self) -> None:
        assert canonical({"b": None, "a": {"d": 1, "c": 2}}) == b'{"a":{"c":2,"d":1},"b":null}'

    def test_a_datetime_must_be_written_as_text_first(self) -> None:
        from datetime import UTC, datetime

        with pytest.raises(TypeError):
            canonical({"at": datetime(2026, 12, 2, tzinfo=UTC)})


def test_differences_name_each_field_that_changed() -> None:
    recorded = {"final_cents": 1500, "answers": [{"value": "no"}], "grade": "A"}
    found = {"final_cents": 99999, "answers": [{"value": "yes"}], "extra": 1}
    assert differences(recorded, found) == [
        'answers is [{"value":"yes"}], the chain recorded [{"value":"no"}]',
        "extra was added: 1",
        "final_cents is 99999, the chain recorded 1500",
        'grade is gone, the chain recorded "A"',
    ]
    assert differences(recorded, dict(recorded)) == []
