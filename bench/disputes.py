"""A dispute as a supervisor reviews it: which inspections a code finds, and everything
each one recorded, in lines a screen can show as they are.

A customer disputes an outcome with whatever they have (the request id, the item id, the
serial or IMEI of the device, the tracking number); the supervisor scans or types it, and
reads every answer with who gave it and when, whether the data answered it or an inspector
overrode it and why, how the device was identified, what the policy decided, which
inspection it replaced or was replaced by, and the audit trail of the item. Pure: the
session finds the records, the screen shows these lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from bench.checklist import QUESTION_WORDS
from bench.domain import (
    ITEM_REOPENED,
    AnswerSource,
    AuditLine,
    IdentifiedBy,
    InspectionRecord,
    Outcome,
)
from bench.moments import MINUTE, MOMENT, SECONDS, at_site
from bench.money import dollars
from bench.reasons import reason_text
from bench.scans import Classified, ScanKind

__all__ = ["Disputed", "Disputes", "SearchKey", "detail_lines", "merged", "search_key", "summary"]


class KeyKind(StrEnum):
    REQUEST = "request"
    ITEM = "item"
    TRACKING = "tracking number"
    SERIAL = "serial"
    IMEI = "IMEI"


@dataclass(frozen=True)
class SearchKey:
    """What a supervisor searched by: the kind of code, and the code."""

    kind: KeyKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value} {self.value}"


_KINDS = {
    ScanKind.REQUEST_ID: KeyKind.REQUEST,
    ScanKind.ITEM_ID: KeyKind.ITEM,
    ScanKind.TRACKING_NUMBER: KeyKind.TRACKING,
    ScanKind.SERIAL: KeyKind.SERIAL,
    ScanKind.IMEI: KeyKind.IMEI,
}


def search_key(scan: Classified) -> SearchKey | None:
    """What a scanned or typed code searches by, or None when it names no inspection (a
    badge, a command, a model's GTIN). A GS1 code searches by the serial it carries; a
    15-digit number that is also a FedEx tracking number is tried as an IMEI first."""
    if scan.kind is ScanKind.GS1:
        return SearchKey(KeyKind.SERIAL, scan.serial) if scan.serial else None
    kind = _KINDS.get(scan.kind)
    return None if kind is None else SearchKey(kind, scan.value)


@dataclass(frozen=True)
class Disputed:
    """An inspection a search found, with its item's audit trail as the source holds it
    (central's copy of every bench's trail, or this bench's own), oldest entry first."""

    record: InspectionRecord
    trail: tuple[AuditLine, ...]
    unsent: bool = False
    """A result of this bench that central has not received yet (queued, or refused)."""


ONLY_AT_ITS_BENCH = (
    "What another bench has not sent central yet (an inspection in progress, a result or an "
    "audit entry still queued) is only on that bench."
)
"""What a search of central cannot show, said under its answer."""


@dataclass(frozen=True)
class Disputes:
    """What a search found, and where from: a screen shows the source and the time, since
    this bench's records are not central's (another bench may have inspected the item)."""

    key: SearchKey
    source: str
    as_of: datetime
    records: tuple[InspectionRecord, ...]
    audit: Mapping[str, tuple[AuditLine, ...]] = field(default_factory=dict)
    """By item id: the audit trail of every item found."""
    names: Mapping[str, str] = field(default_factory=dict)
    """Inspector id -> name, for the ids the records and trails name."""
    unreachable: str | None = None
    """Why central could not be read, when these are this bench's records in its stead."""
    unsent: int = 0
    """Of the records, how many are this bench's results central has not received yet."""


def merged(
    central: Sequence[Disputed], here: Sequence[Disputed], station_id: str
) -> list[Disputed]:
    """Central's answer completed by this bench's: its results central has not received
    yet (queued, or refused), and its own audit entries, which central receives after the
    inspections they follow. Newest first.

    This bench's file holds every entry of its own trail, central a prefix of it: the trail
    of an item is central's entries of other benches and this bench's own, in time order."""
    known = {found.record.done.started.id for found in central}
    added = [
        dataclasses.replace(found, unsent=True)
        for found in here
        if found.record.done.started.id not in known
    ]
    both = [*central, *added]
    superseding = {
        found.record.done.started.supersedes: found.record.done.started.id
        for found in both
        if found.record.done.started.supersedes
    }
    own_trails = {found.record.done.started.request_item_id: found.trail for found in here}
    result = []
    for found in both:
        record = found.record
        item = record.done.started.request_item_id
        trail = found.trail
        if item in own_trails:
            others = [line for line in trail if line.station_id != station_id]
            trail = tuple(sorted([*others, *own_trails[item]], key=lambda line: line.at))
        replaced_by = record.superseded_by or superseding.get(record.done.started.id)
        result.append(
            dataclasses.replace(
                found, record=InspectionRecord(record.done, replaced_by), trail=trail
            )
        )
    supersedes = {
        found.record.done.started.id: found.record.done.started.supersedes for found in both
    }

    def replacements(inspection: str | None) -> int:
        """How many reopens came before: of two finished the same second, the later first."""
        count, seen = 0, set()
        while (inspection := supersedes.get(inspection or "")) and inspection not in seen:
            seen.add(inspection)
            count += 1
        return count

    result.sort(
        key=lambda found: (
            found.record.done.finished_at,
            replacements(found.record.done.started.id),
        ),
        reverse=True,
    )
    return result


_SOURCE_WORDS = {
    AnswerSource.PREFILLED: "from the data",
    AnswerSource.INSPECTOR: "answered",
    AnswerSource.OVERRIDDEN: "OVERRIDDEN",
}

PAID = frozenset({Outcome.ACCEPT, Outcome.REVISE})


def short_id(inspection_id: str) -> str:
    """An inspection's UUID by its first 8 digits: enough to tell an item's apart."""
    return inspection_id[:8]


def _who(inspector_id: str | None, names: Mapping[str, str]) -> str:
    if inspector_id is None:
        return "nobody"
    name = names.get(inspector_id)
    return f"{inspector_id} ({name})" if name else inspector_id


def reopen_of(record: InspectionRecord, audit: Sequence[AuditLine]) -> AuditLine | None:
    """The supervisor's reopen that set this inspection aside, while nothing replaces it
    yet: the item waits for its new inspection, and this one no longer counts."""
    if record.superseded_by:
        return None
    inspection = record.done.started.id
    return next(
        (
            line
            for line in reversed(audit)
            if line.event == ITEM_REOPENED and line.detail.get("inspection_id") == inspection
        ),
        None,
    )


def summary(
    record: InspectionRecord, audit: Sequence[AuditLine], zone: tzinfo | None
) -> tuple[str, str, str, str, str]:
    """The record's row in the list of what was found: item, finished (in the site's
    `zone`), station and inspector, outcome, and whether it still counts."""
    done = record.done
    decision = done.decision
    paid = f" {dollars(decision.final_cents)}" if decision.outcome in PAID else ""
    if done.started.second_of:
        counts = f"second grading of {short_id(done.started.second_of)}"
    elif record.superseded_by:
        counts = f"replaced by {short_id(record.superseded_by)}"
    elif reopen_of(record, audit) is not None:
        counts = "reopened: none counts"
    elif done.started.supersedes:
        counts = f"latest · replaces {short_id(done.started.supersedes)}"
    else:
        counts = "latest"
    return (
        done.started.request_item_id,
        at_site(done.finished_at, zone, MINUTE),
        f"{done.started.station_id} {done.started.inspector_id}",
        f"{decision.outcome.value.upper()}{paid}",
        counts,
    )


def detail_lines(
    record: InspectionRecord,
    audit: Sequence[AuditLine],
    names: Mapping[str, str],
    zone: tzinfo | None,
) -> list[str]:
    """Everything the inspection recorded, a line each, for the supervisor to read; its
    times in the site's `zone`."""
    done, started, decision = record.done, record.done.started, record.done.decision
    paid = f" {dollars(decision.final_cents)}" if decision.outcome in PAID else ""
    if started.identified_by is IdentifiedBy.HAND:
        identified = "picked by hand from the request's list (nothing scanned)"
    else:
        identified = f"scanned {started.scanned_code}"
    lines = [
        f"Inspection {started.id} of {started.request_item_id}",
        f"At {started.station_id} by {_who(started.inspector_id, names)}: started "
        f"{at_site(started.started_at, zone, MOMENT)}, "
        f"finished {at_site(done.finished_at, zone, MOMENT)}",
        f"Identified: {identified}; model {started.identified_sku or 'not in the catalog'}",
        f"Outcome: {decision.outcome.value.upper()}{paid} · label → "
        f"{decision.disposition.value.upper()}"
        + (f" · grade {done.grade.value}" if done.grade else "")
        + (" · wiped at the bench" if done.wiped else ""),
    ]
    if decision.response_due_on is not None:
        lines.append(f"The customer may reject the revised quote until {decision.response_due_on}")
    lines.extend(f"  reason: {reason_text(reason)}" for reason in decision.reasons)
    if started.supersedes:
        lines.append(f"Replaces inspection {started.supersedes} (the item was reopened)")
    reopened = reopen_of(record, audit)
    if started.second_of:
        lines.append(
            f"Blind second grading of inspection {started.second_of}: only compared with it "
            "(the supervisor's Grading tab), it never counts"
        )
    elif record.superseded_by:
        lines.append(f"Replaced by inspection {record.superseded_by}: this one no longer counts")
    elif reopened is not None:
        lines.append(
            f"Reopened by {_who(reopened.inspector_id, names)} on "
            f"{at_site(reopened.at, zone, MOMENT)} "
            f"({reopened.detail.get('reason', 'no reason given')}): it no longer counts, and "
            "the item waits for its new inspection"
        )
    else:
        lines.append("This is the item's latest inspection here: it is what counts")
    lines.append("Answers, in the order given (who, at what time):")
    for answer in done.answers:
        words = QUESTION_WORDS.get(answer.question, answer.question)
        source = _SOURCE_WORDS[answer.source]
        why = f" ({answer.reason})" if answer.reason else ""
        lines.append(
            f"  {words}: {answer.value.upper()} · {source}{why} · {answer.inspector_id} "
            f"{at_site(answer.answered_at, zone, SECONDS)}"
        )
    lines.append(f"Audit trail of {started.request_item_id}:")
    lines.extend(
        f"  {at_site(line.at, zone, MOMENT)} {line.station_id} {line.inspector_id or 'nobody'} "
        f"{line.event.replace('_', ' ')}{_audit_detail(line)}"
        for line in audit
    )
    return lines


def _audit_detail(line: AuditLine) -> str:
    """The entry's details but the item (the trail is the item's), inspections by short id."""
    shown = [
        f"{key.replace('_', ' ')} "
        + (short_id(str(value)) if key in ("inspection_id", "inspection") else str(value))
        for key, value in line.detail.items()
        if key != "request_item_id"
    ]
    return ": " + ", ".join(shown) if shown else ""
