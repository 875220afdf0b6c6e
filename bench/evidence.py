"""The evidence chain: each station's audit entries and finished inspections, hash-linked.

Results decide what customers are paid, so a result must hold up in a dispute: whoever
edits, deletes, reorders or inserts a row afterwards (with raw SQL on the station's file,
or at central) must be found out. Every entry carries its station, a sequence number, its
kind (an audit entry or an inspection), what it refers to (the audit entry's id, the
inspection's UUID), the SHA-256 of the previous entry (64 zeros for the first) and its own
SHA-256 over all of those and its body: the entry's own fields, or the inspection's payload
as pushed, in a canonical encoding (sorted keys, explicit nulls, times as UTC ISO text).

Pure: no database. The store writes entries in the same transaction as what they record,
and hands them back here to be walked (`first_break`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

GENESIS = "0" * 64
"""The previous hash of a station's first entry."""

AUDIT = "audit"
INSPECTION = "inspection"


class Tamper(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    INSERTED = "inserted"


def canonical(value: Any) -> bytes:
    """`value` (JSON values only) as the one byte string every writer and reader agrees on.

    Keys sorted at every depth, nulls written out, no whitespace. A datetime is refused:
    the caller writes it as UTC ISO text first, so every reader sees the same text.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME)


def entry_hash(station_id: str, seq: int, kind: str, ref: str, prev_hash: str, body: bytes) -> str:
    head = canonical([station_id, seq, kind, ref, prev_hash])
    return hashlib.sha256(head + b"\n" + body).hexdigest()


@dataclass(frozen=True)
class Entry:
    station_id: str
    seq: int
    kind: str
    ref: str
    prev_hash: str
    hash: str
    body: bytes
    """The canonical encoding of what the entry records (`canonical`)."""

    @property
    def intact(self) -> bool:
        """Whether the entry's fields still give the hash it was written with."""
        return self.sealed_as(self.seq)

    def sealed_as(self, seq: int) -> bool:
        found = entry_hash(self.station_id, seq, self.kind, self.ref, self.prev_hash, self.body)
        return found == self.hash

    @property
    def name(self) -> str:
        return f"seq {self.seq} ({self.kind} {self.ref})"


def following(
    previous: Entry | None, station_id: str, kind: str, ref: str, body: Mapping[str, Any]
) -> Entry:
    """The entry recording `body` after `previous` (None: the station's first)."""
    return chained(previous, station_id, kind, ref, canonical(body))


def chained(previous: Entry | None, station_id: str, kind: str, ref: str, encoded: bytes) -> Entry:
    """The entry recording `encoded` (a body as stored) after `previous`."""
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS if previous is None else previous.hash
    digest = entry_hash(station_id, seq, kind, ref, prev_hash, encoded)
    return Entry(station_id, seq, kind, ref, prev_hash, digest, encoded)


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with a chain: which entry, and how it was tampered with."""

    tamper: Tamper
    seq: int | None
    """None for a row that no entry records (a forged one)."""
    kind: str | None
    ref: str | None
    detail: str
    about: str = ""
    """The item and inspection the entry belongs to, when its body says."""

    @classmethod
    def at(cls, tamper: Tamper, entry: Entry, detail: str) -> Problem:
        return cls(tamper, entry.seq, entry.kind, entry.ref, detail, belongs_to(entry))

    def __str__(self) -> str:
        what = f"{self.kind} {self.ref}" + (f", {self.about}" if self.about else "")
        if self.seq is None:
            return f"{what} was {self.tamper}: {self.detail}"
        where = f"seq {self.seq}" + (f" ({what})" if self.kind is not None else "")
        return f"{where} was {self.tamper}: {self.detail}"

    @property
    def order(self) -> tuple[bool, int]:
        """Problems sort by seq, those of rows no entry records last."""
        return (self.seq is None, self.seq or 0)


Progress = Callable[[int, int], None]


def first_break(entries: Sequence[Entry], progress: Progress | None = None) -> Problem | None:
    """The first entry of one station's chain (`entries` in stored seq order) that was
    edited, deleted, reordered or inserted; None when the chain is whole.

    Each entry must sit at seq 1, 2, 3… and be chained to the entry before it. When one is
    not, where its link points tells what happened: to an entry further on (reordered), to
    one further back (what lies between was inserted), to none left (the one before was
    deleted and the rest renumbered, or rewritten, or this one is forged). What a chain
    alone cannot show: its last entries dropped, or a forger who rehashes the whole tail;
    comparing with what the entries record and with central's copy shows those.
    """
    position = {entry.hash: index for index, entry in enumerate(entries)}
    linked = {entry.prev_hash for entry in entries}
    previous: Entry | None = None
    for index, entry in enumerate(entries):
        if progress is not None and index % 10_000 == 0:
            progress(index, len(entries))
        expected = index + 1
        if entry.seq != expected:
            before = "the start" if previous is None else f"seq {previous.seq}"
            return Problem(
                Tamper.DELETED, expected, None, None, f"missing: the chain goes from {before} "
                f"to seq {entry.seq}",
            )  # fmt: skip
        problem = _link_problem(entries, index, previous, position, linked)
        if problem is not None:
            return problem
        previous = entry
    if progress is not None:
        progress(len(entries), len(entries))
    return None


def _link_problem(
    entries: Sequence[Entry],
    index: int,
    previous: Entry | None,
    position: Mapping[str, int],
    linked: set[str],
) -> Problem | None:
    entry = entries[index]
    chained_to = GENESIS if previous is None else previous.hash
    if entry.prev_hash == chained_to:
        if entry.intact:
            return None
        return Problem.at(Tamper.EDITED, entry, "its fields no longer give its hash")
    target = -1 if entry.prev_hash == GENESIS else position.get(entry.prev_hash)
    if target is not None and target > index:
        later = entries[target]
        return Problem.at(
            Tamper.REORDERED, entry, f"it was chained after {later.name}, which now comes after it"
        )
    if target is not None:
        forged = entries[target + 1]
        after = "the start" if target < 0 else entries[target].name
        return Problem.at(
            Tamper.INSERTED, forged, f"{entry.name} was chained straight after {after}"
        )
    # The entry it was chained to is gone.
    if entry.intact and previous is not None:
        return Problem.at(
            Tamper.EDITED, previous, f"its hash was rewritten: {entry.name} was chained to another"
        )
    if entry.sealed_as(entry.seq + 1):
        return Problem(
            Tamper.DELETED,
            entry.seq,
            None,
            None,
            f"the entry before {entry.kind} {entry.ref} is gone and the later ones renumbered",
        )
    if entry.hash in linked:
        return Problem.at(Tamper.EDITED, entry, "its link to the entry before it was changed")
    return Problem.at(Tamper.INSERTED, entry, "it is chained to no entry and its hash is false")


def belongs_to(entry: Entry) -> str:
    """ "item TI-000123-01, inspection 5f0c…" as far as the entry's body tells."""
    try:
        body = orjson.loads(entry.body)
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(body, dict):
        return ""
    detail = body.get("detail")
    facts = detail if isinstance(detail, dict) else body
    item = facts.get("request_item_id")
    inspection = entry.ref if entry.kind == INSPECTION else facts.get("inspection_id")
    parts = [f"item {item}" if item else "", f"inspection {inspection}" if inspection else ""]
    return ", ".join(part for part in parts if part)


def differences(recorded: Any, found: Any, path: str = "") -> list[str]:
    """What differs between what an entry recorded and what the row now says, field by
    field ("final_cents is 99999, the chain recorded 1500")."""
    if isinstance(recorded, Mapping) and isinstance(found, Mapping):
        changed: list[str] = []
        for key in sorted({*recorded, *found}):
            where = f"{path}.{key}" if path else str(key)
            if key not in found:
                changed.append(f"{where} is gone, the chain recorded {_shown(recorded[key])}")
            elif key not in recorded:
                changed.append(f"{where} was added: {_shown(found[key])}")
            else:
                changed.extend(differences(recorded[key], found[key], where))
        return changed
    if recorded == found and type(recorded) is type(found):
        return []
    return [f"{path or 'the value'} is {_shown(found)}, the chain recorded {_shown(recorded)}"]


def _shown(value: Any) -> str:
    text = canonical(value).decode()
    return text if len(text) <= 60 else text[:59] + "…"
