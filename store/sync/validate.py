"""Every row pulled from central is checked against the contract before it enters the replica.

The portal writes the replicated tables and the bench must never trust it: a program with
no grade percents crashes the policy engine, a negative offer pays a customer to take a
device, a 5,000-character name wrecks the screen, and a value the driver cannot even decode
(invalid JSON, a date after year 9999) used to fail the whole pull. So each replicated
table has one declarative `TableContract`: the column's type and nullability come from the
contract (`store.contract`, through the central models), and a rule per column adds what a
type cannot say (enums, ranges, lengths, date windows, the shape of JSON). A table's rules
must name exactly the contract's columns: a column added to the contract without a rule
fails at import. A row that breaks any rule is quarantined by the pull with the reasons.

The limits are the constants below (DESIGN.md leaves them open): generous for real data,
they refuse what only a bug or a hostile writer produces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import JSON, Boolean, Column, Date, Integer, Table, Text

from bench.domain import Condition, Grade, ProgramKind, RequestStatus, Role
from bench.program_checks import INELIGIBLE_DISPOSITIONS, unusable_reasons
from store import rows
from store.central import (
    catalog_table,
    inspector_table,
    item_table,
    program_table,
    request_table,
)
from store.contract import (
    CatalogModelColumns,
    InspectorColumns,
    ProgramColumns,
    RequestColumns,
    RequestItemColumns,
    column_names,
)
from store.sqltypes import JSONDocument, TextList, UTCDateTime

MAX_KEY_CHARS: Final = 64
"""Ids, codes, SKUs, serials, tracking numbers and GTINs: what a label or a scan carries."""
MAX_TEXT_CHARS: Final = 200
"""Names, brands, customer references: free text the screen and the labels show."""
MAX_PIN_HASH_CHARS: Final = 256
"""An scrypt PIN hash (`bench.pins`) is about 100 characters."""
MAX_GTINS: Final = 32
"""GTINs of one catalog model: a product has a few (a UPC, an EAN, a case code)."""
MAX_CENTS: Final = 100_000_000
"""$1,000,000: no offer, value, cap or shipping cost of a traded-in device comes near it."""
EARLIEST_DAY: Final = date(1990, 1, 1)
"""Nothing the bench handles (a purchase, a release, a quote) happened before this."""
FUTURE_WINDOW: Final = timedelta(days=366)
"""Dates and moments are at most this far ahead of the bench's clock."""
MAX_SHOWN_CHARS: Final = 40
"""A refused value is quoted in the reason only this long."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Window:
    """When dates and moments may fall, seen from the bench's clock at the pull."""

    now: datetime
    earliest: datetime
    latest: datetime

    @classmethod
    def around(cls, now: datetime) -> Window:
        return cls(now, datetime.combine(EARLIEST_DAY, time(), UTC), now + FUTURE_WINDOW)

    def holds(self, moment: datetime) -> bool:
        return self.earliest <= moment <= self.latest


@dataclass(frozen=True)
class Unreadable:
    """A value the driver could not decode, as the database spelled it in text."""

    text: str


# What is wrong with a value that has the column's type, or None: a rule of the contract.
Rule = Callable[[Any, Window], str | None]


def _shown(value: object) -> str:
    text = value.text if isinstance(value, Unreadable) else value
    shown = repr(text)
    return shown if len(shown) <= MAX_SHOWN_CHARS else f"{shown[: MAX_SHOWN_CHARS - 1]}…"


def free(_value: Any, _window: Window) -> None:
    """The column's type is the whole rule (a flag, say)."""


def text(limit: int, *, blank: bool = True) -> Rule:
    """Text of at most `limit` characters, without control characters (a terminal would
    act on them); blank only if `blank`."""

    def rule(value: str, _window: Window) -> str | None:
        if not blank and not value.strip():
            return "is empty"
        if len(value) > limit:
            return f"is {len(value):,} characters long, at most {limit}"
        if _CONTROL.search(value):
            return f"is {_shown(value)}, which holds control characters"
        return None

    return rule


key = text(MAX_KEY_CHARS, blank=False)  # a primary key or the key of another table's row
code = text(MAX_KEY_CHARS)  # a code printed or scanned: tracking number, serial, GTIN
words = text(MAX_TEXT_CHARS)


def choice(values: Iterable[str]) -> Rule:
    allowed = frozenset(values)

    def rule(value: str, _window: Window) -> str | None:
        if value in allowed:
            return None
        return f"is {_shown(value)}, not one of {', '.join(sorted(allowed))}"

    return rule


def whole(low: int, high: int) -> Rule:
    def rule(value: int, _window: Window) -> str | None:
        return None if low <= value <= high else f"is {value}, must be {low} to {high:,}"

    return rule


cents = whole(0, MAX_CENTS)


def day(value: date, window: Window) -> str | None:
    if window.earliest.date() <= value <= window.latest.date():
        return None
    return f"is {value}, outside {window.earliest.date()} to {window.latest.date()}"


def moment(value: datetime, window: Window) -> str | None:
    if value.utcoffset() is None:
        return f"is {value}, a moment without a time zone"
    if window.earliest <= value <= window.latest:
        return None
    return f"is {value.isoformat()}, outside {window.earliest.date()} to {window.latest.date()}"


def codes(value: list[Any], window: Window) -> str | None:
    if len(value) > MAX_GTINS:
        return f"holds {len(value)} codes, at most {MAX_GTINS}"
    for element in value:
        if not isinstance(element, str):
            return f"holds {_shown(element)}, not a code"
        if problem := code(element, window):
            return f"holds a code that {problem}"
    return None


_GRADES: Final = frozenset(Grade)


def grade_table(value: Any, _window: Window) -> str | None:
    """A JSON object of grade letter to whole percent (their range is a policy check)."""
    if not isinstance(value, dict):
        return f"is {_shown(value)}, not an object of grade percents"
    for grade, percent in value.items():
        if grade not in _GRADES:
            return f"has grade {_shown(grade)}, not one of A, B, C, D"
        if not isinstance(percent, int) or isinstance(percent, bool):
            return f"has {_shown(percent)} for {grade}, not a whole percent"
    return None


def _usable_program(row: Mapping[str, Any]) -> list[str]:
    return unusable_reasons(rows.program_from_row(row))


def _sound(_row: Mapping[str, Any]) -> list[str]:
    return []


# A column's Python type by its SQL type, most specific first; with what must not pass for
# it (True is an int to Python, a datetime is a date).
_PYTHON_TYPES: Final[tuple[tuple[type, type, type | None, str], ...]] = (
    (UTCDateTime, datetime, None, "a moment"),
    (TextList, list, None, "a list of codes"),
    (JSONDocument, object, None, "JSON"),
    (JSON, object, None, "JSON"),
    (Boolean, bool, None, "true or false"),
    (Integer, int, bool, "a whole number"),
    (Date, date, datetime, "a date"),
    (Text, str, None, "text"),
)


def _python_type(column: Column[Any]) -> tuple[type, tuple[type, ...], str]:
    """The Python type of a column's values, what must not pass for it, and its name."""
    for sql_type, python, refused, word in _PYTHON_TYPES:
        if isinstance(column.type, sql_type):
            return python, (Unreadable,) if refused is None else (Unreadable, refused), word
    raise TypeError(f"no contract check for {column.table.name}.{column.name}: {column.type}")


@dataclass(frozen=True)
class _ColumnCheck:
    """One column's check: its type and nullability from the contract, then its rule."""

    name: str
    python: type
    refused: tuple[type, ...]
    word: str
    nullable: bool
    rule: Rule

    @classmethod
    def of(cls, column: Column[Any], rule: Rule) -> _ColumnCheck:
        python, refused, word = _python_type(column)
        return cls(column.name, python, refused, word, bool(column.nullable), rule)

    def problem(self, value: Any, window: Window) -> str | None:
        if value is None:
            return None if self.nullable else "is missing"
        # The exact type is the common case, and excludes bool and datetime by itself.
        if type(value) is not self.python and (
            not isinstance(value, self.python) or isinstance(value, self.refused)
        ):
            unreadable = " (unreadable)" if isinstance(value, Unreadable) else ""
            return f"is {_shown(value)}{unreadable}, not {self.word}"
        return None if self.rule is free else self.rule(value, window)


class TableContract:
    """One replicated table's contract: a rule per column, then checks of the whole row."""

    def __init__(
        self,
        table: Table,
        columns: type,
        rules: Mapping[str, Rule],
        whole_row: Callable[[Mapping[str, Any]], list[str]] = _sound,
    ) -> None:
        names = {*column_names(columns), "updated_at"}
        if set(rules) != names:
            raise RuntimeError(
                f"store.sync.validate: {table.name} rules {sorted(rules)} differ from the "
                f"contract's columns {sorted(names)}"
            )
        self.table = table
        self._checks = [_ColumnCheck.of(table.c[name], rule) for name, rule in rules.items()]
        self._whole_row = whole_row

    def problems(self, row: Mapping[str, Any], window: Window) -> list[str]:
        """What is wrong with `row`; empty when the replica may take it."""
        found = [
            f"{check.name} {problem}"
            for check in self._checks
            if (problem := check.problem(row[check.name], window)) is not None
        ]
        return found or self._whole_row(row)


CONTRACTS: Final[Mapping[str, TableContract]] = {
    contract.table.name: contract
    for contract in (
        TableContract(
            program_table,
            ProgramColumns,
            {
                "code": key,
                "name": words,
                "kind": choice(ProgramKind),
                "max_items": free,
                "max_age_years": free,
                "ship_window_days": free,
                "quote_valid_days": free,
                "revise_response_working_days": free,
                "ineligible_disposition": choice(INELIGIBLE_DISPOSITIONS),
                "value_cap_cents": cents,
                "brand": words,
                "grade_percents": grade_table,
                "broken_percent": free,
                "dirty_percent": free,
                "age_step_percent": free,
                "updated_at": moment,
            },
            # The numbers' ranges are the policy's own (bench.program_checks).
            whole_row=_usable_program,
        ),
        TableContract(
            catalog_table,
            CatalogModelColumns,
            {
                "sku": key,
                "program_code": key,
                "brand": words,
                "name": words,
                "released_on": day,
                "base_value_cents": cents,
                "has_storage": free,
                "gtins": codes,
                "updated_at": moment,
            },
        ),
        TableContract(
            request_table,
            RequestColumns,
            {
                "id": key,
                "program_code": key,
                "customer_ref": words,
                "created_at": moment,
                "tracking_number": code,
                "shipping_cost_cents": cents,
                "status": choice(RequestStatus),
                "updated_at": moment,
            },
        ),
        TableContract(
            item_table,
            RequestItemColumns,
            {
                "id": key,
                "request_id": key,
                "sku": key,
                "declared_serial": code,
                "declared_condition": choice(Condition),
                "purchased_on": day,
                "offer_cents": cents,
                "quoted_at": moment,
                "updated_at": moment,
            },
        ),
        TableContract(
            inspector_table,
            InspectorColumns,
            {
                "id": key,
                "name": words,
                "role": choice(Role),
                "pin_hash": text(MAX_PIN_HASH_CHARS),
                "active": free,
                "updated_at": moment,
            },
        ),
    )
}


def fragile(column: Column[Any]) -> bool:
    """Whether the driver decodes this column's values itself, and so can fail on one."""
    return _python_type(column)[0] in (datetime, date, list, object)


def from_text(column: Column[Any], value: str | None) -> Any:
    """A value read as text because the driver could not decode it, decoded as its column
    type says, or `Unreadable` (which the column's check then refuses)."""
    if value is None:
        return None
    python, _refused, _word = _python_type(column)
    try:
        if python is datetime:
            read = datetime.fromisoformat(value)
            # SQLite keeps UTC without an offset (store.sqltypes.UTCDateTime).
            return read if read.tzinfo is not None else read.replace(tzinfo=UTC)
        if python is date:
            return date.fromisoformat(value)
        if python in (list, object):
            return json.loads(value)
    except ValueError:
        return Unreadable(value)
    return value
