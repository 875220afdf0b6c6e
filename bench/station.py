"""What the core asks of the layers below it: the station's records and its link to central.

The inspection session and the app depend on these Protocols, never on `store/`, so the
core and the screens import neither SQLAlchemy nor the sync engine. `store.station` is the
implementation the CLI wires in; tests can wire in the same or their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bench.config import Config
from bench.domain import (
    AnswerRecord,
    CatalogModel,
    Decision,
    FinishedInspection,
    InspectionStarted,
    Inspector,
    ProgramPolicy,
    Request,
    UnfinishedInspection,
)
from bench.grading import SecondGradingWaiting
from bench.printing import PrintJob, PrintQueue
from bench.supervision import FigureSource


class StationError(Exception):
    """The station's database could not be opened, read or written; the message says what
    to check. `store.errors.StoreError` is the store's own kind of it."""


@dataclass(frozen=True)
class SyncState:
    """What the header shows: ONLINE, or OFFLINE since when; queued and dead-lettered."""

    online: bool
    queued: int
    dead: int = 0
    offline_since: datetime | None = None
    problem: str | None = None
    pushed: int = 0
    pulled: int = 0
    quarantined: int = 0
    """Central rows the last pull could not take (see `QuarantinedRow`)."""
    needs_action: str | None = None
    """Why nothing can sync until someone acts, and what to do ("central has no bench
    schema: run `bench central init`"), for the screen; None for an outage that passes."""


@dataclass(frozen=True)
class QuarantinedRow:
    """A row central holds that the replica refused: what table, which key, and why. It is
    pulled again, and leaves this list, once central corrects it."""

    table: str
    key: str
    reason: str
    seen_at: datetime


@dataclass(frozen=True)
class Refused:
    """An inspection central refused for good (a dead letter), for the supervisor."""

    inspection_id: str
    request_item_id: str
    refused_at: datetime
    reason: str
    tampered: bool = False
    """Not sent at all: its payload no longer matched its evidence chain entry."""


SECOND_GRADING_DUE = "second_grading_due"
"""The audit event of an inspection picked for a blind second grading, written with it.
It is due until a finished inspection names it as its `second_of`."""


@dataclass(frozen=True)
class SecondGradingDue:
    """An item whose inspection waits for its second grading, and who must not do it."""

    item_id: str
    inspection_id: str
    first_inspector_id: str


@dataclass(frozen=True)
class RequestInspections:
    """What this bench's inspections say of one request's items, read together when the
    request is opened (one query, not one per kind)."""

    decisions: dict[str, Decision]
    """Item id -> the decision of its latest finished inspection."""
    reopened: dict[str, str]
    """Item id -> its latest finished inspection's id, for the items a supervisor reopened
    since (from the audit log): each waits for a new inspection."""
    second_due: dict[str, SecondGradingDue]
    """Item id -> its latest inspection, when that waits for its second grading."""


class StationRecords(PrintQueue, Protocol):
    """The station's own database as the inspection session uses it: the replica it looks
    things up in, what it records, and its print queue (which the print worker works
    through). Each call is its own short transaction."""

    def inspector(self, id: str) -> tuple[Inspector, str] | None:
        """The inspector and their PIN hash, or None."""

    def knows_inspectors(self) -> bool:
        """Whether any inspector has been pulled from central yet."""

    def login_failure_times(self, inspector_id: str, since: datetime) -> list[datetime]: ...

    def record_login_failure(self, inspector_id: str, at: datetime) -> None: ...

    def clear_login_failures(self, inspector_id: str) -> None: ...

    def audit(
        self,
        event: str,
        station_id: str,
        inspector_id: str | None,
        detail: Mapping[str, Any],
        at: datetime,
    ) -> None: ...

    def find_request(self, code: str) -> Request | None: ...

    def program(self, code: str) -> ProgramPolicy | None: ...

    def catalog_model(self, sku: str) -> CatalogModel | None: ...

    def model_by_gtin(self, gtin: str, program_code: str | None = None) -> CatalogModel | None: ...

    def request_inspections(self, request_id: str) -> RequestInspections:
        """What this bench's inspections say of the request's items, in one read."""

    def latest_inspection(self, item_id: str) -> FinishedInspection | None:
        """The item's latest finished inspection here, as confirmed."""

    def begin_inspection(self, started: InspectionStarted) -> None: ...

    def record_answers(self, inspection_id: str, answers: Sequence[AnswerRecord]) -> None:
        """Append answers to an inspection in progress, all or none."""

    def cancel_inspection(self, inspection_id: str, inspector_id: str, at: datetime) -> None: ...

    def finish_inspection(
        self,
        done: FinishedInspection,
        label: PrintJob | None = None,
        second_grading_due: bool = False,
    ) -> None:
        """The inspection, its outbox row, its label's print job and, when it was picked
        for a second grading, the `second_grading_due` entry, in one transaction."""

    def second_gradings_waiting(self) -> list[SecondGradingWaiting]:
        """Every inspection picked here for a second grading and not graded again yet (nor
        set aside by a reopen), oldest pick first: the supervisor's Grading tab."""

    def queue_print(self, job: PrintJob) -> int:
        """Queue a reprint or a sheet for the printer."""

    def last_label(self) -> PrintJob | None:
        """The label queued last, printed or not."""

    def unfinished_inspections(self, station_id: str) -> list[UnfinishedInspection]: ...

    def refused_inspections(self) -> list[Refused]:
        """Inspections central refused for good, oldest first."""

    def quarantined_rows(self) -> list[QuarantinedRow]:
        """Central rows the pull refused (they break the contract), by table and key."""


class CentralLink(Protocol):
    """The background sync with central, as the app drives it."""

    def start(self) -> None: ...

    def wake(self) -> None:
        """Sync now, not at the next tick: an inspection was just saved."""

    def stop(self) -> None:
        """Finish in the background; never waits."""


@dataclass(frozen=True)
class OpenedStation:
    """An open station: its records, its link to central (None: LOCAL ONLY), the first sync
    round's state when one ran before login, how many results wait to be sent, and where
    the supervisor's figures come from (central's, or this bench's when it is out of reach)."""

    records: StationRecords
    link: CentralLink | None
    state: SyncState | None
    queued: int
    figures: FigureSource | None = None


SyncProgress = Callable[[str, int, int], None]
"""Told (what, done, total) as a long sync moves on: for a progress bar."""


class StationOpener(Protocol):
    """Opens the station of `config`: blocking, so the app calls it off the UI thread.
    `report` is told each background sync round's state. Raises StationError when the
    station's database cannot be used."""

    def __call__(
        self,
        config: Config,
        clock: Callable[[], datetime],
        progress: SyncProgress,
        report: Callable[[SyncState], None],
    ) -> OpenedStation: ...
