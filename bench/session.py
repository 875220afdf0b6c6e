"""The inspection session: what a scan or a key means at this moment, and what gets recorded.

Screens ask the session and show what it answers; they never touch the store. The session
never imports Textual, so the whole inspection flow is tested without a UI. Everything an
inspector can get wrong comes back as a `Problem` in plain words with what to do next.

Long on purpose: `Session` is the station's one state machine (who is logged
in, which request, which inspection) and each method is one of its transitions; split
across modules, every part would reach into the same state. The session records through
`bench.station.StationRecords`, a Protocol, so importing it loads no database code.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Concatenate, ParamSpec, TypeVar

from bench import pins
from bench.checklist import (
    YES,
    Checklist,
    ChecklistError,
    DeviceFacts,
    OverrideNeedsReason,
    Question,
    prefills,
)
from bench.disputes import Disputes, KeyKind, SearchKey, search_key
from bench.domain import (
    ITEM_REOPENED,
    AnswerRecord,
    AuditLine,
    CatalogModel,
    Decision,
    FinishedInspection,
    Grade,
    IdentifiedBy,
    InspectedItem,
    InspectionRecord,
    InspectionStarted,
    Inspector,
    ProgramPolicy,
    Request,
    RequestItem,
    RequestStatus,
    Role,
)
from bench.grading import GRADING_WINDOW, GradingFigures, agreement, picked_for_second_grading
from bench.matching import (
    already_inspected,
    device_facts,
    match_device,
    second_grading_elsewhere,
)
from bench.policy import (
    arrived_late,
    decide,
    request_problems,
    with_response_due,
)
from bench.printing import PrintJob, label_of
from bench.problems import NeedsReason, Problem, station_problem
from bench.reasons import REOPEN_REASONS
from bench.scans import Classified, ScanKind, classify, describe
from bench.settlement import Settlement, settle
from bench.station import (
    QuarantinedRow,
    Refused,
    SecondGradingDue,
    StationError,
    StationRecords,
)
from bench.supervision import (
    PAGE,
    SETTLEMENT_STATUSES,
    Figures,
    FigureSource,
    QuoteDeadline,
    SettlementLine,
    ShiftFigures,
    StuckKey,
    StuckLine,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemRow:
    """One line of the request screen."""

    item: RequestItem
    model_name: str
    decision: Decision | None  # the confirmed outcome, once inspected
    reopened: bool = False
    """A supervisor reopened it: it waits for a new inspection."""
    second_grading: bool = False
    """Its inspection waits for a blind second grading (`decision` is None for whoever
    may do it: they must not see the first outcome)."""


@dataclass(frozen=True)
class Reopened:
    """A supervisor reopened an inspected item: the inspection that no longer counts, and why."""

    item_id: str
    inspection_id: str
    reason: str
    by: str


@dataclass
class ActiveInspection:
    """The inspection on the bench: its saved start, the item, the checklist."""

    started: InspectionStarted
    inspected: InspectedItem
    checklist: Checklist


P = ParamSpec("P")
R = TypeVar("R")


def station_safe(step: Callable[P, R]) -> Callable[P, R | Problem]:
    """A step that writes to the station's database answers a Problem when the database
    refuses (a full disk, say), instead of stopping the bench; what it had stored stays."""

    @functools.wraps(step)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Problem:
        try:
            return step(*args, **kwargs)
        except StationError as error:
            log.error("station database: %s", error)
            return station_problem(error)

    return guarded


def supervisors_only_problem(what: str, inspector: Inspector | None) -> Problem:
    who = f"{inspector.name} is logged in as an inspector" if inspector else "Nobody is logged in"
    return Problem(
        "Supervisors only",
        f"Only a supervisor can {what}: ask a supervisor to log in.",
        f"{who}. A supervisor logs in with their own badge (F2 logs out first).",
    )


S = TypeVar("S", bound="Session")


def supervisor_only(
    what: str,
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R | Problem]]:
    """A transition only a supervisor may make: anyone else gets a Problem saying so (what
    they tried, in `what`: "reopen an item"), and nothing is done. The screens also hide
    its keys from inspectors; this guard is what holds."""

    def guard(step: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R | Problem]:
        @functools.wraps(step)
        def guarded(session: S, /, *args: P.args, **kwargs: P.kwargs) -> R | Problem:
            refused = session.refuse_unless_supervisor(what)
            if refused is not None:
                return refused
            return step(session, *args, **kwargs)

        return guarded

    return guard


NOTHING_PULLED_YET = Problem(
    "Nothing loaded from central yet",
    "This station has not loaded its inspectors from central yet, so no badge is known here.",
    "Check that central can be reached: the header says OFFLINE and why, and the log has the "
    "details. Badges work as soon as the first sync gets through.",
)


class Session:
    """One station's session: who is logged in, which request, which inspection."""

    def __init__(
        self,
        store: StationRecords,
        station_id: str,
        clock: Callable[[], datetime],
        *,
        country: str,
        subdivision: str | None,
        desk: bool = False,
        prints_pages: bool = True,
        figures: FigureSource | None = None,
        time_zone: tzinfo | None = None,
        second_share: float = 0.0,
    ) -> None:
        self.store = store
        self.figures = figures
        """Where the supervisor's figures come from (the station opener's choice)."""
        self.time_zone = time_zone
        """The site's zone (`[site] time_zone`): "today" of the figures; None: the clock's."""
        # A supervisors' desk (`bench desk`, `bench serve`) lets no inspector in.
        self.desk = desk
        self.station_id = station_id
        self.clock = clock
        # Whose public holidays the customer's working days to answer a revision skip.
        self.country = country
        self.subdivision = subdivision
        self.inspector: Inspector | None = None
        self.request: Request | None = None
        self.program: ProgramPolicy | None = None
        self.active: ActiveInspection | None = None
        self.missing_items: dict[str, str] = {}
        """Items of the open request the pull skipped, with why: it cannot be finished."""
        self._decisions: dict[str, Decision] = {}
        self._reopened: dict[str, str] = {}
        """Items of the open request a supervisor reopened -> the inspection reopened."""
        self.last_saved: FinishedInspection | None = None
        """The inspection of the open request saved last: the request screen confirms it."""
        self.prints_pages = prints_pages
        """Whether the station's printer takes office paper (the command sheet)."""
        self.last_reopened: Reopened | None = None
        """The item of the open request reopened last, if nothing was saved since."""
        self.second_share = second_share
        """The share of finished inspections picked for a blind second grading."""
        self._second_due: dict[str, SecondGradingDue] = {}
        """Items of the open request whose inspection waits for its second grading."""
        self.last_picked = False
        """`last_saved` was picked for a second grading: it goes on the shelf."""
        self._opened: list[tuple[str, str | None, datetime]] = []
        """Requests opened and not audited yet, by whom and when (`record_pending`)."""
        self._begun: InspectionStarted | None = None
        """The inspection begun last, until it is written (`record_pending`)."""

    # -- who ----------------------------------------------------------------------------

    def find_inspector(self, badge: str) -> Inspector | Problem:
        found = self._active_inspector(badge)
        return found if isinstance(found, Problem) else found[0]

    def _active_inspector(self, badge: str) -> tuple[Inspector, str] | Problem:
        """The inspector on this badge, with the PIN hash, if active at this station."""
        found = self.store.inspector(badge.upper())
        if found is None and not self.store.knows_inspectors():
            return NOTHING_PULLED_YET
        if found is None or not found[0].active:
            return Problem(
                "Unknown badge",
                f"No active inspector {badge} at this station.",
                "Scan your own badge or type your id. A supervisor adds inspectors with "
                "`bench inspectors add`.",
            )
        return found

    @property
    def is_supervisor(self) -> bool:
        return self.inspector is not None and self.inspector.role is Role.SUPERVISOR

    def refuse_unless_supervisor(self, what: str) -> Problem | None:
        """None when a supervisor is logged in; else why `what` is refused, in plain words."""
        if self.is_supervisor:
            return None
        log.warning(
            "%s tried to %s: supervisors only",
            self.inspector.id if self.inspector else "nobody",
            what,
        )
        return supervisors_only_problem(what, self.inspector)

    def nothing_pulled_yet(self) -> bool:
        """A new station that has never reached central: no badge can work yet."""
        return not self.store.knows_inspectors()

    @station_safe
    def login(self, badge: str, pin: str) -> Inspector | Problem:
        record = self._active_inspector(badge)
        if isinstance(record, Problem):
            return record
        found, pin_hash = record
        if self.desk and found.role is not Role.SUPERVISOR:
            return Problem(
                "Supervisors only",
                f"{found.id} is an inspector's badge; this is the supervisors' desk.",
                "Inspect at a bench. A supervisor's badge and PIN open the desk.",
            )
        now = self.clock()
        failures = self.store.login_failure_times(found.id, now - pins.LOCK_FOR)
        state = pins.lock_state(failures, now)
        if state.locked and state.until is not None:
            return Problem(
                "Badge locked",
                f"Too many wrong PINs for {found.id}.",
                f"Try again after {state.until.astimezone().strftime('%H:%M')}, "
                "or ask a supervisor.",
            )
        if not pins.verify_pin(pin, pin_hash):
            self.store.record_login_failure(found.id, now)
            self._audit("login_failed", {"inspector": found.id}, inspector_id=found.id)
            state = pins.lock_state([*failures, now], now)  # with the failure just recorded
            if state.locked:
                return Problem(
                    "Badge locked",
                    f"{pins.LOCK_AFTER} wrong PINs for {found.id}.",
                    f"The badge is locked for {int(pins.LOCK_FOR.total_seconds() // 60)} "
                    "minutes, or ask a supervisor.",
                )
            return Problem(
                "Wrong PIN",
                f"The PIN does not match {found.id}.",
                f"Type it again: {state.attempts_left} tries left before the badge locks.",
            )
        self.store.clear_login_failures(found.id)
        self.inspector = found
        self._audit("login", {})
        log.info("inspector %s logged in at %s", found.id, self.station_id)
        return found

    def logout(self) -> None:
        if self.inspector is not None:
            # Logging out always works: a bench whose disk is full must still let people go.
            station_safe(self._audit)("logout", {})
            log.info("inspector %s logged out", self.inspector.id)
        self.inspector = None
        self.close_request()
        self.active = None

    # -- which request ------------------------------------------------------------------

    @station_safe
    def open_request(self, code: str) -> Request | Problem:
        request = self.store.find_request(code)
        if request is None:
            skipped = self._skipped("requests").get(code.strip().upper())
            if skipped is not None:
                return Problem(
                    "Request cannot be inspected",
                    f"Request {code} could not be loaded from central: {skipped}.",
                    "The portal must correct it; it arrives by itself once corrected. Put "
                    "the package aside for a supervisor (F7 lists what was skipped).",
                )
            return Problem(
                "Unknown request",
                f"No request or tracking number {code} in this station's copy.",
                "Check the label. A request made in the last minutes arrives with the next "
                "sync; if it stays unknown, put the package aside for a supervisor.",
            )
        if request.status is RequestStatus.CANCELLED:
            # Nothing is owed on a cancelled request: inspecting it would only confuse credit.
            return Problem(
                "Request cancelled",
                f"Request {request.id} is cancelled: nothing to inspect.",
                "Put the package aside for a supervisor.",
            )
        program = self.store.program(request.program_code)
        if program is None:
            skipped = self._skipped("programs").get(request.program_code)
            if skipped is not None:
                return Problem(
                    "Program cannot be inspected",
                    f"Program {request.program_code} of request {request.id} cannot be "
                    f"inspected: {skipped}.",
                    "The portal must correct the program in central; until then put the "
                    "package aside for a supervisor (F7 lists what was skipped).",
                )
            return Problem(
                "Unknown program",
                f"Request {request.id} belongs to program {request.program_code}, "
                "which this station does not know.",
                "Put the package aside for a supervisor.",
            )
        self.request = request
        self.program = program
        prefix = f"{request.id}-"
        self.missing_items = {
            key: why
            for key, why in self._skipped("request_items").items()
            if key.startswith(prefix)
        }
        self._load_decisions()
        self.last_saved = None
        self.last_reopened = None
        # Written once the request is on screen (`record_pending`), or first thing at the
        # next write, whichever comes first: its commit is not what the inspector waits on.
        self._opened.append(
            (request.id, self.inspector.id if self.inspector else None, self.clock())
        )
        return request

    @station_safe
    def record_pending(self) -> None:
        """Write what was held until it was on screen: the requests opened since the last
        write (`open_request`), then the inspection begun (`inspect_device`), in that order.
        Called by the app after the frame; else first thing at the session's next write."""
        self._write_pending()

    def _write_pending(self) -> None:
        while self._opened:
            request_id, who, at = self._opened[0]
            self.store.audit("request_opened", self.station_id, who, {"request": request_id}, at)
            self._opened.pop(0)
        if self._begun is not None:
            self.store.begin_inspection(self._begun)
            self._begun = None

    def _load_decisions(self) -> None:
        """The open request's confirmed outcomes; a reopened item's counts for nothing."""
        assert self.request is not None
        found = self.store.request_inspections(self.request.id)
        self._reopened = found.reopened
        self._decisions = {
            item: decided for item, decided in found.decisions.items() if item not in found.reopened
        }
        self._second_due = {
            item: due for item, due in found.second_due.items() if item not in found.reopened
        }

    def item_rows(self) -> list[ItemRow]:
        if self.request is None:
            return []
        rows = []
        for item in self.request.items:
            model = self.store.catalog_model(item.sku)
            rows.append(
                ItemRow(
                    item,
                    model.name if model else item.sku,
                    None if self.blind_to(item.id) else self._decisions.get(item.id),
                    item.id in self._reopened,
                    item.id in self._second_due,
                )
            )
        return rows

    def close_request(self) -> None:
        """The inspector is done with this package: back to waiting for a label."""
        self.request = None
        self.program = None
        self.missing_items = {}
        self._decisions = {}
        self._reopened = {}
        self._second_due = {}
        self.last_saved = None
        self.last_reopened = None
        self.last_picked = False

    def blind_to(self, item_id: str) -> bool:
        """The item waits for its second grading and the inspector logged in may do it (it
        is not theirs): nothing of the first inspection may be shown to them."""
        due = self._second_due.get(item_id)
        return (
            due is not None
            and self.inspector is not None
            and due.first_inspector_id != self.inspector.id
        )

    @property
    def settlement_hidden(self) -> bool:
        """What the customer gets would tell a second grader the first outcome."""
        return any(self.blind_to(item) for item in self._second_due)

    def _closed(self) -> dict[str, Problem]:
        """The items of the open request that cannot be inspected now, with why: inspected
        already, unless they wait for a second grading the inspector may do."""
        assert self.request is not None
        closed: dict[str, Problem] = {}
        for item in self.request.items:
            if item.id not in self._decisions or self.blind_to(item.id):
                continue
            if item.id in self._second_due:
                closed[item.id] = second_grading_elsewhere(item)
            else:
                closed[item.id] = already_inspected(item, self._decisions[item.id])
        return closed

    def request_warnings(self) -> list[str]:
        """What is wrong with the request as a whole, for the request screen."""
        if self.request is None or self.program is None:
            return []
        warnings = request_problems(self.program, self.request)
        for item_id, why in sorted(self.missing_items.items()):
            warnings.append(
                f"Item {item_id} could not be loaded from central ({why}): the request cannot "
                "be finished here until the portal corrects it."
            )
        if arrived_late(self.program, self.request, self.today):
            warnings.append(
                f"Arrived after the {self.program.ship_window_days}-day shipping window: "
                "its items go on hold for a supervisor."
            )
        return warnings

    def settlement(self) -> Settlement:
        """What the customer gets for the request so far, and whether it can be paid: what
        central's `request_settlements` says once this bench's results reach it."""
        assert self.request is not None and self.program is not None
        # An item the pull skipped is still an item of the request: it keeps it pending.
        items = [item.id for item in self.request.items] + list(self.missing_items)
        return settle(
            self.program.kind,
            self.request.shipping_cost_cents,
            items,
            self._decisions.items(),
            self.today,
        )

    @property
    def pending_items(self) -> list[RequestItem]:
        if self.request is None:
            return []
        return [
            item
            for item in self.request.items
            if item.id not in self._decisions or self.blind_to(item.id)
        ]

    @property
    def request_done(self) -> bool:
        """Every item inspected, and none missing: what the customer gets can be said."""
        return self.request is not None and not self.pending_items and not self.missing_items

    def _skipped(self, table: str) -> dict[str, str]:
        """Keys of `table` the pull skipped, with why."""
        return {row.key: row.reason for row in self.store.quarantined_rows() if row.table == table}

    def skipped_rows(self) -> list[QuarantinedRow]:
        """Every central row the pull skipped: the list a supervisor opens from the header."""
        return self.store.quarantined_rows()

    # -- which device -------------------------------------------------------------------

    @station_safe
    def inspect_device(self, scan: Classified) -> ActiveInspection | Problem:
        """Match a scanned device to an item of the open request and start its checklist."""
        if self.request is None:
            return Problem(
                "No request open",
                "Scan the package label first.",
                "Scan the request id or tracking number on the package.",
            )
        facts = device_facts(scan)
        model = (
            self.store.model_by_gtin(facts.gtin, self.request.program_code) if facts.gtin else None
        )
        matched = match_device(
            self.request, self._closed(), scan, model, facts.serial, self._declared_name
        )
        if isinstance(matched, Problem):
            return matched
        return self._start(matched, model, facts)

    @station_safe
    def inspect_item(self, item_id: str) -> ActiveInspection | Problem:
        """Start an item picked by hand (a device with no readable label)."""
        if self.request is None:
            return Problem("No request open", "Scan the package label first.", "")
        item = next((i for i in self.request.items if i.id == item_id), None)
        if item is None:
            return Problem(
                "Not in this request",
                f"{item_id} is not an item of {self.request.id}.",
                "Scan a device of this request, or its item label.",
            )
        closed = self._closed().get(item.id)
        if closed is not None:
            return closed
        # Nothing was scanned: the record says so, and no scanned code stands in for it.
        return self._start(item, None, DeviceFacts(""), IdentifiedBy.HAND)

    def _declared_name(self, item: RequestItem) -> str | None:
        declared = self.store.catalog_model(item.sku)
        return declared.name if declared else None

    def _start(
        self,
        item: RequestItem,
        model: CatalogModel | None,
        facts: DeviceFacts,
        identified_by: IdentifiedBy = IdentifiedBy.SCAN,
    ) -> ActiveInspection | Problem:
        assert self.request is not None and self.program is not None
        assert self.inspector is not None, "an inspection needs a logged-in inspector"
        declared = self.store.catalog_model(item.sku)
        if declared is None:
            return Problem(
                "Unknown model",
                f"Item {item.id} declares model {item.sku}, which the catalog lacks.",
                "Put the device aside for a supervisor.",
            )
        # A scan without a GTIN says nothing of the model: the declared one is presumed.
        identified = model if facts.gtin else declared
        inspected = InspectedItem(item, self.request.created_at, declared, identified)
        second_of = self._second_due[item.id].inspection_id if self.blind_to(item.id) else None
        started = InspectionStarted(
            id=str(uuid.uuid4()),
            request_item_id=item.id,
            station_id=self.station_id,
            inspector_id=self.inspector.id,
            started_at=self.clock(),
            scanned_code=facts.scanned_code,
            identified_sku=identified.sku if identified else None,
            identified_by=identified_by,
            supersedes=None if second_of else self._reopened.get(item.id),
            second_of=second_of,
        )
        if self._begun is not None:  # one begun before it: written first
            self._write_pending()
        # Written once its checklist is on screen (`record_pending`), or before the answers
        # (its begin is what a restart resumes): the inspector does not wait on its commit.
        # A bench that stops in between has nothing of it to resume but the scan.
        self._begun = started
        checklist = Checklist(
            self.program,
            inspected,
            prefills(self.program, inspected, facts, self.today),
            self.today,
        )
        self.active = ActiveInspection(started, inspected, checklist)
        log.info("inspection %s started for %s", started.id, item.id)
        return self.active

    # -- the checklist ------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.clock().date()

    def answer(self, value: str, reason: str | None = None) -> Problem | NeedsReason | None:
        """Answer the question on show."""
        active, inspector = self._require_active()
        try:
            record = active.checklist.answer(value, inspector.id, self.clock(), reason)
        except OverrideNeedsReason as needs:
            return NeedsReason(str(needs))
        except ChecklistError as error:
            return Problem("Not an answer", str(error), "Use the keys shown under the question.")
        return self._store_answers(active, (record,))

    def change_fact(self, index: int, reason: str | None = None) -> Problem | NeedsReason | None:
        """Turn one of the data's answers on show (from 0) to the other answer."""
        active, inspector = self._require_active()
        try:
            record = active.checklist.change_fact(index, inspector.id, self.clock(), reason)
        except OverrideNeedsReason as needs:
            return NeedsReason(str(needs))
        except ChecklistError as error:
            return Problem("Nothing to change", str(error), "Use the keys shown under the facts.")
        return self._store_answers(active, (record,))

    def keep(self) -> Problem | None:
        """Let the data's answers on show stand, or keep the answer given before."""
        active, inspector = self._require_active()
        try:
            records = active.checklist.keep(inspector.id, self.clock())
        except ChecklistError as error:
            return Problem("Answer needed", str(error), "Answer with the keys shown.")
        return self._store_answers(active, records)

    def _store_answers(
        self, active: ActiveInspection, records: tuple[AnswerRecord, ...]
    ) -> Problem | None:
        if not records:
            return None

        def store() -> None:
            self._write_pending()
            self.store.record_answers(active.started.id, records)

        stored = station_safe(store)()
        if isinstance(stored, Problem):
            # Not stored, so not given: the step stays on show, to answer again.
            active.checklist.take_back()
            return stored
        return None

    def back(self) -> bool:
        active, _ = self._require_active()
        return active.checklist.back()

    @station_safe
    def cancel_inspection(self) -> None:
        if self.active is None or self.inspector is None:
            return
        self._write_pending()
        self.store.cancel_inspection(self.active.started.id, self.inspector.id, self.clock())
        log.info("inspection %s cancelled", self.active.started.id)
        self.active = None

    def decision(self) -> Decision:
        active, _ = self._require_active()
        assert self.program is not None
        decided = decide(self.program, active.inspected, active.checklist.to_answers(), self.today)
        # The customer is notified of a revision on the inspection's (local) date.
        return with_response_due(decided, self.program, self.today, self.country, self.subdivision)

    @station_safe
    def confirm(self) -> FinishedInspection:
        """Record the outcome: the inspection and its outbox row, in one local transaction.
        When that cannot be written, nothing of it is, and the outcome stays to confirm."""
        active, inspector = self._require_active()
        decision = self.decision()
        # From the records: a grade not asked (it could not change the outcome) is none.
        grade = active.checklist.value(Question.GRADE)
        done = FinishedInspection(
            started=active.started,
            finished_at=self.clock(),
            answers=active.checklist.records,
            grade=Grade(grade) if grade else None,
            wiped=active.checklist.value(Question.WIPED) == YES,
            decision=decision,
        )
        item_id = active.started.request_item_id
        second_of = active.started.second_of
        picked = not second_of and picked_for_second_grading(done.started.id, self.second_share)
        # A second grading counts for nothing: the device leaves with the first's label.
        labelled = (self.store.latest_inspection(item_id) if second_of else None) or done
        label = label_of(
            labelled,
            declared_sku=active.inspected.item.sku,
            catalog=self.store,
            inspector_name=self._inspector_name(labelled.started.inspector_id, inspector),
            printed_at=done.finished_at,
            second_grading=picked,
        )
        # Queued with the inspection: a confirmed device always gets its label.
        self._write_pending()
        self.store.finish_inspection(done, PrintJob.of_label(label), second_grading_due=picked)
        if second_of:
            self._second_due.pop(item_id, None)
        else:
            self._decisions[item_id] = decision
            self._reopened.pop(item_id, None)
        if picked:
            self._second_due[item_id] = SecondGradingDue(
                item_id, done.started.id, done.started.inspector_id
            )
        self.last_saved = done
        self.last_picked = picked
        self.last_reopened = None
        self.active = None
        log.info(
            "inspection %s confirmed: %s %s cents, %s",
            done.started.id,
            decision.outcome.value,
            decision.final_cents,
            decision.disposition.value,
        )
        return done

    # -- printing -----------------------------------------------------------------------

    @station_safe
    def reprint_item(self, item_id: str) -> PrintJob | Problem:
        """Queue the label of an item of the open request again, from its latest
        inspection at this station (printed now)."""
        item = (
            next((i for i in self.request.items if i.id == item_id), None) if self.request else None
        )
        inspection = self.store.latest_inspection(item_id) if item else None
        if item is None or inspection is None:
            return Problem(
                "No label to reprint",
                f"{item_id} has no confirmed inspection at this station yet.",
                "Inspect it first; F4 reprints the last label printed here.",
            )
        found = self.store.inspector(inspection.started.inspector_id)
        label = label_of(
            inspection,
            declared_sku=item.sku,
            catalog=self.store,
            inspector_name=found[0].name if found else None,
            printed_at=self.clock(),
            second_grading=item_id in self._second_due,
        )
        return self._queue(PrintJob.of_label(label))

    @station_safe
    def reprint_last(self) -> PrintJob | Problem:
        """Queue the label queued last at this station again, as it was."""
        last = self.store.last_label()
        if last is None:
            return Problem(
                "No label to reprint",
                "No label has been printed at this station yet.",
                "Labels print when an outcome is confirmed.",
            )
        return self._queue(last)

    @station_safe
    def print_command_sheet(self) -> PrintJob | Problem:
        """Queue the command sheet, on a printer that takes paper."""
        if not self.prints_pages:
            return Problem(
                "The command sheet needs a page printer",
                "This station's printer is a zpl label printer; the sheet is pages of "
                "letter or A4 paper.",
                "Write it to a file with `bench labels commands -o sheet.pdf` and print that "
                "on an office printer.",
            )
        return self._queue(PrintJob.command_sheet())

    def _queue(self, job: PrintJob) -> PrintJob:
        self.store.queue_print(job)
        log.info("queued %s for printing", job.title)
        return job

    # -- what a supervisor does --------------------------------------------------------

    @supervisor_only("reopen an item")
    def reopenable(self, item_id: str) -> str | Problem:
        """The inspection a reopen of `item_id` would set aside, or why it cannot be: asked
        before the supervisor picks a reason, and again by `reopen_item`."""
        if self.request is None:
            return Problem("No request open", "Scan the package label first.", "")
        if self.active is not None:
            return Problem(
                "An inspection is in progress",
                f"Item {self.active.started.request_item_id} is being inspected.",
                "Finish or cancel it first.",
            )
        if item_id in self._reopened:
            return Problem(
                "Reopened already",
                f"Item {item_id} was reopened and waits for its new inspection.",
                "Scan the device (or pick the item and press Enter) to inspect it again.",
            )
        latest = self.store.latest_inspection(item_id) if item_id in self._decisions else None
        if latest is None:
            return Problem(
                "Not inspected here",
                f"Item {item_id} has no confirmed inspection at this bench.",
                "Only an inspected item can be reopened, at the bench that inspected it.",
            )
        return latest.started.id

    @station_safe
    @supervisor_only("reopen an item")
    def reopen_item(self, item_id: str, reason: str) -> Reopened | Problem:
        """Set an inspected item's latest inspection aside: the item can be inspected again,
        and its next inspection says which one it replaces. Recorded in the audit log
        alone (who, the item, the inspection, why); nothing is updated or deleted."""
        if reason not in REOPEN_REASONS:
            return Problem("Pick a reason", f"{reason} is not a reason to reopen.", "")
        inspection = self.reopenable(item_id)
        if isinstance(inspection, Problem):
            return inspection
        assert self.inspector is not None
        self._audit(
            ITEM_REOPENED,
            {"request_item_id": item_id, "inspection_id": inspection, "reason": reason},
        )
        self._reopened[item_id] = inspection
        self._decisions.pop(item_id, None)
        self._second_due.pop(item_id, None)  # set aside: nothing to grade again
        self.last_saved = None
        self.last_reopened = Reopened(item_id, inspection, reason, self.inspector.id)
        log.info("item %s reopened by %s: %s", item_id, self.inspector.id, reason)
        return self.last_reopened

    @station_safe
    @supervisor_only("look up disputed inspections")
    def find_inspections(self, code: str) -> Disputes | Problem:
        """The inspections a request id, item id, serial, IMEI or tracking number names,
        newest first, with each item's audit trail: what a dispute is settled from."""
        scan = classify(code)
        key = search_key(scan)
        if key is None:
            return Problem(
                "Nothing to look up",
                f"{describe(scan)} names no inspection.",
                "Scan or type a request id, item id, serial, IMEI or tracking number.",
            )
        figures = self._figure_source()
        if isinstance(figures, Problem):
            return figures
        found = figures.disputes(key)
        if not found.rows and ScanKind.TRACKING_NUMBER in scan.also:
            # Fifteen digits that pass Luhn may be a FedEx number after all.
            key = SearchKey(KeyKind.TRACKING, scan.value)
            found = figures.disputes(key)
        records = [row.record for row in found.rows]
        audit = {row.record.done.started.request_item_id: row.trail for row in found.rows}
        return Disputes(
            key=key,
            source=found.source,
            as_of=found.as_of,
            records=tuple(records),
            audit=audit,
            names=self._names(records, audit),
            unreachable=found.unreachable,
            unsent=sum(row.unsent for row in found.rows),
        )

    def _names(
        self, records: list[InspectionRecord], audit: dict[str, tuple[AuditLine, ...]]
    ) -> dict[str, str]:
        """The names of the inspectors the records and trails name, by id."""
        ids = {r.done.started.inspector_id for r in records}
        ids |= {a.inspector_id for r in records for a in r.done.answers}
        ids |= {
            line.inspector_id for lines in audit.values() for line in lines if line.inspector_id
        }
        names = {}
        for inspector_id in sorted(ids):
            found = self.store.inspector(inspector_id)
            if found is not None:
                names[inspector_id] = found[0].name
        return names

    # -- what a supervisor watches ----------------------------------------------------
    # Blocking reads (central over the network): the screens call these off the UI thread.

    def _site_now(self) -> datetime:
        now = self.clock()
        return now.astimezone(self.time_zone) if self.time_zone else now

    def _figure_source(self) -> FigureSource | Problem:
        if self.figures is None:
            return Problem(
                "No figures at this station",
                "This station was opened without a source of the supervisor's figures.",
                "Start it with `bench` or `bench desk`, which read central or this bench.",
            )
        return self.figures

    @supervisor_only("read the supervisor's figures")
    def shift_figures(self) -> ShiftFigures | Problem:
        """Today's throughput per station and inspector, today's hours, the stations."""
        figures = self._figure_source()
        if isinstance(figures, Problem):
            return figures
        now = self._site_now()
        midnight = datetime.combine(now.date(), time(), now.tzinfo)
        hourly = figures.hourly(midnight, now)
        since = min((count.hour for count in hourly.rows), default=midnight)
        return ShiftFigures(
            figures.throughput(since, now),
            hourly,
            figures.stations(now),
            since,
            figures.station_throughput(since, now),
        )

    @supervisor_only("read the supervisor's figures")
    def stuck_lines(
        self, after: StuckKey | None = None, limit: int = PAGE
    ) -> Figures[StuckLine] | Problem:
        """Everything still stuck and waiting for a person, oldest first, a page at a time
        (the lines after the key of the last line shown): stuck things are old by nature,
        so no window hides last week's hold."""
        figures = self._figure_source()
        if isinstance(figures, Problem):
            return figures
        now = self._site_now()
        return figures.stuck(now, limit, after)

    @supervisor_only("read the supervisor's figures")
    def quote_deadlines(
        self, offset: int = 0, limit: int = PAGE
    ) -> Figures[QuoteDeadline] | Problem:
        """Revised quotes and the customer's last day, soonest first."""
        figures = self._figure_source()
        if isinstance(figures, Problem):
            return figures
        return figures.quotes(self._site_now().date(), limit, offset)

    @supervisor_only("read the supervisor's figures")
    def settlement_lines(
        self, status: str | None = None, offset: int = 0, limit: int = PAGE
    ) -> Figures[SettlementLine] | Problem:
        """Requests by settlement status (one status, or all), in request order."""
        if status is not None and status not in SETTLEMENT_STATUSES:
            return Problem("No such status", f"{status} is not a settlement status.", "")
        figures = self._figure_source()
        if isinstance(figures, Problem):
            return figures
        return figures.settlements(status, limit, offset)

    @supervisor_only("see the second gradings")
    def grading(self) -> GradingFigures | Problem:
        """How often second graders agreed with the first, over the last days: the whole
        site's from central, or this bench's when central is out of reach."""
        figures = self._figure_source()
        if isinstance(figures, Problem):
            return figures
        now = self.clock()
        since = now - GRADING_WINDOW
        # Up to now, this second included: a grading just confirmed is finished at `now`.
        found = figures.grading(since, now + timedelta(seconds=1))
        return GradingFigures(
            agreement(found.rows),
            found.source,
            found.as_of,
            since,
            found.unreachable,
            tuple(self.store.second_gradings_waiting()),
        )

    # -- what central refused -----------------------------------------------------------

    def refused(self) -> list[Refused]:
        return self.store.refused_inspections()

    # -- resuming after a restart -------------------------------------------------------

    def unfinished(self) -> list[tuple[str, str, datetime]]:
        """(inspection id, item id, started at) of inspections a crash left open."""
        return [
            (u.started.id, u.started.request_item_id, u.started.started_at)
            for u in self.store.unfinished_inspections(self.station_id)
        ]

    @station_safe
    def discard(self, inspection_id: str) -> None:
        """Drop an unfinished inspection a crash left open, without resuming it."""
        assert self.inspector is not None
        self.store.cancel_inspection(inspection_id, self.inspector.id, self.clock())

    @station_safe
    def resume(self, inspection_id: str) -> ActiveInspection | Problem:
        found = next(
            (
                u
                for u in self.store.unfinished_inspections(self.station_id)
                if u.started.id == inspection_id
            ),
            None,
        )
        if found is None:
            return Problem("Nothing to resume", "That inspection is no longer open.", "")
        request_id = found.started.request_item_id.rsplit("-", 1)[0]
        opened = self.open_request(request_id)
        if isinstance(opened, Problem):
            return opened
        assert self.program is not None
        item = next(i for i in opened.items if i.id == found.started.request_item_id)
        declared = self.store.catalog_model(item.sku)
        assert declared is not None
        identified = (
            self.store.catalog_model(found.started.identified_sku)
            if found.started.identified_sku
            else None
        )
        inspected = InspectedItem(item, opened.created_at, declared, identified)
        picked = found.started.identified_by is IdentifiedBy.HAND
        facts = DeviceFacts("") if picked else device_facts(classify(found.started.scanned_code))
        checklist = Checklist(
            self.program,
            inspected,
            prefills(self.program, inspected, facts, self.today),
            self.today,
            records=found.answers,
        )
        self.active = ActiveInspection(found.started, inspected, checklist)
        self._audit("inspection_resumed", {"inspection": inspection_id})
        return self.active

    # -- helpers ------------------------------------------------------------------------

    def _inspector_name(self, inspector_id: str, logged_in: Inspector) -> str | None:
        """Who a label names: the inspector logged in, known without a query on the save,
        or (for the first inspection of a second grading) whoever did it."""
        if inspector_id == logged_in.id:
            return logged_in.name
        found = self.store.inspector(inspector_id)
        return found[0].name if found else None

    def _require_active(self) -> tuple[ActiveInspection, Inspector]:
        if self.active is None or self.inspector is None:
            raise ChecklistError("No inspection is open")
        return self.active, self.inspector

    def _audit(self, event: str, detail: dict[str, str], inspector_id: str | None = None) -> None:
        self._write_pending()  # the log keeps the order things happened in
        who = inspector_id or (self.inspector.id if self.inspector else None)
        self.store.audit(event, self.station_id, who, detail, self.clock())


__all__ = ["ActiveInspection", "ItemRow", "Reopened", "Session", "supervisor_only"]
