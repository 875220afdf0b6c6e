"""Domain objects to table rows and back, for the replicated tables and the outbox payload.

The local replica and the central schema use the same column names (the central contract,
`store.contract`), so one mapping serves both, and `store.sync.pull` can copy central rows
into the replica without going through domain objects. A row is built from the contract's
column names: each column is the domain attribute of the same name, unless the function
says how to convert it (an enum's value, a tuple as a list), so a column added to the
contract is written or fails loudly. Reading a row back stays spelled out per field: the
constructors need a conversion for most of them. Pure functions over mappings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from bench.domain import (
    AnswerRecord,
    AnswerSource,
    CatalogModel,
    Condition,
    Disposition,
    FinishedInspection,
    Grade,
    Inspector,
    ProgramKind,
    ProgramPolicy,
    Request,
    RequestItem,
    RequestStatus,
    Role,
)
from store.contract import (
    CatalogModelColumns,
    InspectorColumns,
    ProgramColumns,
    RequestColumns,
    RequestItemColumns,
    column_names,
)

Row = dict[str, Any]
# What a database hands back: SQLAlchemy's RowMapping is keyed by names or columns.
RowIn = Mapping[Any, Any]

# The GTIN lengths in use (GTIN-8, UPC-A, EAN-13, GTIN-14); all embed in 14 digits.
GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def normalise_gtin(code: str) -> str | None:
    """The 14-digit form of a GTIN, or None when `code` is not one.

    Left-padding with zeros is how GS1 embeds GTIN-8/12/13 in GTIN-14, so a UPC-A printed on
    a box and the GTIN-14 inside a GS1 code (AI 01) find the same model.
    """
    code = code.strip()
    if not code.isascii() or not code.isdigit() or len(code) not in GTIN_LENGTHS:
        return None
    return code.zfill(14)


# The replicated tables' columns (without `updated_at`, which the writer stamps).
_PROGRAM = column_names(ProgramColumns)
_MODEL = column_names(CatalogModelColumns)
_REQUEST = column_names(RequestColumns)
_ITEM = column_names(RequestItemColumns)
_INSPECTOR = column_names(InspectorColumns)


def _row(columns: Sequence[str], source: object, **converted: Any) -> Row:
    """The row of `columns` for `source`: each its attribute of that name, or as `converted`
    gives it."""
    return {
        name: converted[name] if name in converted else getattr(source, name) for name in columns
    }


def program_row(program: ProgramPolicy) -> Row:
    return _row(
        _PROGRAM,
        program,
        kind=program.kind.value,
        ineligible_disposition=program.ineligible_disposition.value,
        grade_percents={grade.value: pct for grade, pct in program.grade_percents.items()},
    )


def program_from_row(row: RowIn) -> ProgramPolicy:
    grade_percents = row["grade_percents"] or {}
    return ProgramPolicy(
        code=row["code"],
        name=row["name"],
        kind=ProgramKind(row["kind"]),
        max_items=row["max_items"],
        max_age_years=row["max_age_years"],
        ship_window_days=row["ship_window_days"],
        quote_valid_days=row["quote_valid_days"],
        revise_response_working_days=row["revise_response_working_days"],
        ineligible_disposition=Disposition(row["ineligible_disposition"]),
        value_cap_cents=row["value_cap_cents"],
        brand=row["brand"],
        grade_percents={Grade(k): int(v) for k, v in grade_percents.items()},
        broken_percent=row["broken_percent"],
        dirty_percent=row["dirty_percent"],
        age_step_percent=row["age_step_percent"],
    )


def model_row(model: CatalogModel) -> Row:
    return _row(_MODEL, model, gtins=list(model.gtins))


def model_from_row(row: RowIn) -> CatalogModel:
    return CatalogModel(
        sku=row["sku"],
        program_code=row["program_code"],
        brand=row["brand"],
        name=row["name"],
        released_on=_date(row["released_on"]),
        base_value_cents=row["base_value_cents"],
        has_storage=bool(row["has_storage"]),
        gtins=tuple(row["gtins"] or ()),
    )


def request_row(request: Request) -> Row:
    return _row(_REQUEST, request, status=request.status.value)


def request_from_row(row: RowIn, items: Iterable[RequestItem]) -> Request:
    return Request(
        id=row["id"],
        program_code=row["program_code"],
        customer_ref=row["customer_ref"],
        created_at=row["created_at"],
        shipping_cost_cents=row["shipping_cost_cents"],
        status=RequestStatus(row["status"]),
        tracking_number=row["tracking_number"],
        items=tuple(items),
    )


def item_row(item: RequestItem) -> Row:
    return _row(_ITEM, item, declared_condition=item.declared_condition.value)


def item_from_row(row: RowIn) -> RequestItem:
    purchased_on = row["purchased_on"]
    return RequestItem(
        id=row["id"],
        request_id=row["request_id"],
        sku=row["sku"],
        declared_condition=Condition(row["declared_condition"]),
        offer_cents=row["offer_cents"],
        quoted_at=row["quoted_at"],
        declared_serial=row["declared_serial"],
        purchased_on=None if purchased_on is None else _date(purchased_on),
    )


def inspector_row(inspector: Inspector, pin_hash: str) -> Row:
    return _row(_INSPECTOR, inspector, role=inspector.role.value, pin_hash=pin_hash)


def inspector_from_row(row: RowIn) -> tuple[Inspector, str]:
    inspector = Inspector(
        id=row["id"], name=row["name"], role=Role(row["role"]), active=bool(row["active"])
    )
    return inspector, row["pin_hash"]


def answer_row(inspection_id: str, answer: AnswerRecord) -> Row:
    return {
        "inspection_id": inspection_id,
        "question": answer.question,
        "value": answer.value,
        "source": answer.source.value,
        "reason": answer.reason,
        "inspector_id": answer.inspector_id,
        "answered_at": answer.answered_at,
    }


def answer_from_row(row: RowIn) -> AnswerRecord:
    return AnswerRecord(
        question=row["question"],
        value=row["value"],
        source=AnswerSource(row["source"]),
        inspector_id=row["inspector_id"],
        answered_at=row["answered_at"],
        reason=row["reason"],
    )


def inspection_payload(done: FinishedInspection, answers: Sequence[AnswerRecord]) -> Row:
    """The central `inspections` row for a finished inspection, as JSON-safe values.

    This is what the outbox carries to central; `received_at` is left out because central
    stamps it on arrival. `answers` is every answer recorded for the inspection, in the
    order given, so central keeps the same who/when/pre-filled trail as the bench.
    """
    started = done.started
    return {
        "id": started.id,
        "request_item_id": started.request_item_id,
        "station_id": started.station_id,
        "inspector_id": started.inspector_id,
        "started_at": _iso(started.started_at),
        "finished_at": _iso(done.finished_at),
        "scanned_code": started.scanned_code,
        "identified_by": started.identified_by.value,
        "identified_sku": started.identified_sku,
        "supersedes": started.supersedes,
        "second_of": started.second_of,
        "answers": [
            {
                "question": a.question,
                "value": a.value,
                "source": a.source.value,
                "reason": a.reason,
                "inspector_id": a.inspector_id,
                "answered_at": _iso(a.answered_at),
            }
            for a in answers
        ],
        **outcome_columns(done),
        # JSON has no dates: ISO text, or null when the outcome asks the customer nothing.
        "response_due_on": _iso_date(done.decision.response_due_on),
    }


def outcome_columns(done: FinishedInspection) -> Row:
    """What the inspection decided, as the columns both inspections tables share."""
    return {
        "grade": None if done.grade is None else done.grade.value,
        "outcome": done.decision.outcome.value,
        "reason_codes": [r.value for r in done.decision.reasons],
        "final_cents": done.decision.final_cents,
        "disposition": done.decision.disposition.value,
        "wiped": done.wiped,
        "response_due_on": done.decision.response_due_on,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(value: date) -> date:
    # A DATE read from PostgreSQL is a date; guard against a datetime sneaking in from a
    # loosely typed writer so the domain always gets a plain date.
    return value.date() if isinstance(value, datetime) else value
