"""The crash loop: the real `bench` killed with SIGKILL at seeded moments of a scripted shift.

Each seed is one life of the bench: started (or restarted) on the same station folder, it
is logged into (badge burst, PIN key by key), a package and a device are scanned, the
checklist answered, the outcome confirmed (which queues its label and wakes the push),
and somewhere along that way, at the moment the seed picked, the bench process gets
SIGKILL. The next seed's start is the restart, so a seed costs one start-up.

After each kill, with the bench dead, the station's SQLite file and central are checked
(`check_after_kill`); after each restart the evidence chain is walked and, once logged in,
the inspection the kill interrupted must be offered and resume at the step it was on.
What the screen said was saved, captured before the kill, is what "saved" means.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import psycopg
from sqlalchemy import Engine

from bench.domain import Request, RequestStatus
from bench.evidence import INSPECTION
from store.local import evidence
from store.local.engine import sqlite_engine
from tests.support.tmux import (
    BADGE,
    PIN,
    TIMEOUT,
    Terminal,
    answer_key,
    moved_on,
    step_on,
    wait_station_open,
)

SEEDS_ENV: Final = "BENCH_CRASH_SEEDS"
SEED_ENV: Final = "BENCH_CRASH_SEED"
DEFAULT_SEEDS: Final = 200
# Two benches at once, each with its own station folder and devices, against one central:
# start-up is most of a seed and one start-up keeps one core busy.
STATIONS: Final = ("CRASH-1", "CRASH-2")
PHASES: Final = ("login", "checklist", "confirm", "label print", "sync")
OUTCOME_STEP: Final = "OUTCOME"
# A person's keys, well over the wedge detector's 50 ms gap.
PIN_GAP: Final = 0.07
# The checklist step a checklist kill waits for: past the last one it lands on the outcome.
CHECKLIST_STEPS: Final = 6
# A problem is shown in a heavy box; a scan read in pieces shows one.
PROBLEM_BOX: Final = "┏━"
SCAN_TRIES: Final = 3
INSPECTABLE = (RequestStatus.SUBMITTED, RequestStatus.IN_TRANSIT, RequestStatus.RECEIVED)
# The moments of a phase `KillPoint.tag` tells apart.
DEVICE, SHOWN, SENT = "device scanned", "shown", "answered"
# Moments held open by a lock the harness takes, so the kill lands in them every time: the
# push waiting on central's `inspections`; central committed and the station's write lock
# keeping the push from marking its row sent; a label written and not marked printed.
PUSHING, AT_CENTRAL, WRITTEN = "pushing", "central has it", "label written"


@dataclass(frozen=True)
class KillPoint:
    """Where in the shift a seed kills the bench, drawn from `random.Random(seed)`.

    `step` counts within the phase: login 0 start-up, 1 badge, 2-5 the PIN's keys, 6 Enter;
    checklist the steps shown in this life (from 0; past the last one, the outcome on
    show). `tag` tells a checklist step shown from one answered (its key just sent), and
    the device scan; for sync, the moment central has the inspection.
    """

    seed: int
    phase: str
    step: int
    tag: str
    delay: float  # seconds after the moment

    def __str__(self) -> str:
        moment = f"{self.tag} " if self.tag else ""
        return f"seed {self.seed}: {self.phase}, {moment}step {self.step} +{self.delay:.3f} s"


def kill_point(seed: int) -> KillPoint:
    rng = random.Random(seed)
    phase = rng.choice(PHASES)
    if phase == "login":
        step = rng.randrange(7)
        if step == 0:  # while the station opens: migrations, the first pull
            return KillPoint(seed, phase, 0, "start-up", rng.uniform(0.2, 2.5))
        return KillPoint(seed, phase, step, "", rng.uniform(0.0, 0.12))
    if phase == "checklist":
        step = rng.randrange(-1, CHECKLIST_STEPS)
        if step == -1:
            return KillPoint(seed, phase, 0, DEVICE, rng.uniform(0.0, 0.06))
        if rng.random() < 0.5:
            return KillPoint(seed, phase, step, SENT, rng.uniform(0.0, 0.05))
        return KillPoint(seed, phase, step, SHOWN, rng.uniform(0.0, 0.2))
    if phase == "confirm":
        return KillPoint(seed, phase, 0, "", rng.uniform(0.0, 0.06))
    held = rng.random()
    if phase == "label print" and held < 0.3:
        return KillPoint(seed, phase, 0, WRITTEN, 0.0)
    if phase == "sync" and held < 0.7:
        return KillPoint(seed, phase, 0, PUSHING if held < 0.35 else AT_CENTRAL, 0.0)
    return KillPoint(seed, phase, 0, "", rng.uniform(0.0, 0.3 if phase == "label print" else 0.1))


def seeds_to_run(environ: dict[str, str]) -> list[int]:
    """`BENCH_CRASH_SEED=N` replays one seed; else `BENCH_CRASH_SEEDS` seeds from 0."""
    if environ.get(SEED_ENV):
        return [int(environ[SEED_ENV])]
    return list(range(int(environ.get(SEEDS_ENV) or DEFAULT_SEEDS)))


@dataclass(frozen=True)
class Device:
    request_id: str
    item_id: str
    serial: str


def devices_of(requests: Sequence[Request]) -> list[Device]:
    """Every device the shift can scan: items with a declared serial, of requests a bench
    inspects."""
    return [
        Device(r.id, i.id, i.declared_serial)
        for r in requests
        if r.status in INSPECTABLE
        for i in r.items
        if i.declared_serial
    ]


@dataclass
class Interrupted:
    """The inspection a kill left open, and where it must resume.

    `answered` is the number of answers stored before a key sent just before the kill: if
    more are stored after it, the answer landed and the next step is due instead.
    """

    device: Device
    step: str  # a `step_on` text; "Question" alone for a kill before the first was drawn
    answered: int | None = None
    may_be_saved: bool = False  # confirm was pressed: saved or not, both are whole
    may_not_exist: bool = False  # the device scan was in flight: begun or not


class Killed(Exception):
    """The seed's kill landed: unwinds the scripted shift."""


@dataclass
class Tally:
    planned: Counter[str] = field(default_factory=Counter)
    landed: Counter[str] = field(default_factory=Counter)
    details: Counter[str] = field(default_factory=Counter)


class CrashLoop:
    """One station folder, one tmux pane, one central; `run_seed` is one life."""

    def __init__(
        self,
        station_id: str,
        term: Terminal,
        local_db: Path,
        labels: Path,
        central_url: str,
        devices: list[Device],
    ) -> None:
        self.station_id = station_id
        self.term = term
        self.local_db = local_db
        self.labels = labels
        self.devices = devices
        conninfo = central_url.replace("postgresql+psycopg://", "postgresql://")
        self.central = psycopg.connect(conninfo, autocommit=True)
        self.locker = psycopg.connect(conninfo, autocommit=True)
        self.station_lock: sqlite3.Connection | None = None
        self.engine: Engine = sqlite_engine(local_db, foreign_keys=True, pooled=False)
        self.interrupted: Interrupted | None = None
        self.saved_shown: set[str] = set()  # item ids the screen said were saved
        self.tally = Tally()
        self.point: KillPoint | None = None
        self.pid = 0
        self.last_screen = ""
        self.started = False
        self.device: Device | None = None  # the device of this life

    def close(self) -> None:
        self._close_station_lock()
        self.locker.close()
        self.central.close()
        self.engine.dispose()

    # -- one life ------------------------------------------------------------------------

    def run_seed(self, point: KillPoint) -> None:
        self.point = point
        self.tally.planned[point.phase] += 1
        if self.started:
            self.term.restart()
        self.started = True
        self.pid = self._bench_pid()
        self.device = None
        self.last_screen = ""
        with self._failing_as(point):
            try:
                self._shift(point)
            except Killed:
                pass
            else:
                raise AssertionError("the shift ended without its kill")
            self.check_after_kill(point)

    def _shift(self, point: KillPoint) -> None:
        term = self.term
        self._moment("login", 0, "start-up")
        wait_station_open(term)
        self._close_station_lock()
        self.check_chain()
        self._scan(
            BADGE,
            "the badge in its field",
            lambda s: BADGE in s and "Badge id, e.g." not in s,
            lambda: self._moment("login", 1),
        )
        self._type_pin()
        term.key("Enter")
        self._moment("login", 6)
        home = term.wait_text("SCAN A PACKAGE LABEL", f"({BADGE})")
        device, step = self._resume_or_begin(home)
        self._checklist(device, step)
        with self._central_locked(point.tag in (PUSHING, AT_CENTRAL)):
            term.key("Enter")
            self._moment(
                "confirm", 0, interrupted=Interrupted(device, OUTCOME_STEP, may_be_saved=True)
            )
            term.wait_text(f"✓ Saved {device.item_id}")
            self.saved_shown.add(device.item_id)
            if point.tag in (PUSHING, AT_CENTRAL):
                self._wait_push_blocked()
                self._moment("sync", 0, PUSHING)
            if point.tag in (AT_CENTRAL, WRITTEN):
                self._lock_station()
        self._moment("label print", 0)
        self._moment("sync", 0)
        if point.tag == WRITTEN:
            self._wait_label(device.item_id)
            self._moment("label print", 0, WRITTEN)
        if point.tag == AT_CENTRAL:
            self._wait_central(device.item_id)
            self._moment("sync", 0, AT_CENTRAL)
        raise AssertionError(f"{point} was never reached")

    def _resume_or_begin(self, home: str) -> tuple[Device, str]:
        """After login: the interrupted inspection must be offered and resume where it
        was; else the next device is begun. Returns the device and the step on show."""
        waiting = self.interrupted
        if waiting is None:
            assert "Unfinished inspection" not in home, f"nothing was interrupted:\n{home}"
            self.device = self._next_device()
            return self.device, self._begin(self.device)
        self.device = waiting.device
        self.term.wait_text(f"Unfinished inspection of {waiting.device.item_id}")
        self.term.key("F5")
        resumed = step_on(self.term.wait_for("the resumed inspection", moved_on(None)))
        assert resumed is not None
        if waiting.answered is None or self._answers_of(waiting.device) == waiting.answered:
            assert resumed.startswith(waiting.step), (
                f"{waiting.device.item_id} resumed at {resumed!r}; it was on {waiting.step!r}"
            )
        else:  # the answer sent before the kill was stored: the step after it is due
            assert resumed != waiting.step, (
                f"{waiting.device.item_id}: its answer to {waiting.step!r} was stored, yet "
                "it resumed there"
            )
        at = "the outcome" if resumed == OUTCOME_STEP else "a question"
        self.tally.details[f"resumed at {at}"] += 1
        self.interrupted = None
        if self._planned("checklist", 0, DEVICE):
            # No device scan in a resumed life: the kill lands on the first step instead.
            self.point = replace(self.point, tag=SHOWN)  # type: ignore[arg-type]
        return waiting.device, resumed

    def _begin(self, device: Device) -> str:
        self._scan(
            device.request_id,
            f"request {device.request_id}",
            lambda s: f"{device.request_id}  ·" in s and "Status" in s,
        )
        # The first step asked: "Question 1", or a later one when what comes before
        # cannot change the outcome.
        screen = self._scan(
            device.serial,
            f"the checklist of {device.item_id}",
            lambda s: device.item_id in s and moved_on(None)(s),
            lambda: self._moment(
                "checklist", 0, DEVICE, Interrupted(device, "Question", may_not_exist=True)
            ),
        )
        step = step_on(screen)
        assert step is not None
        return step

    def _scan(
        self,
        code: str,
        what: str,
        ready: Callable[[str], bool],
        sent: Callable[[], None] | None = None,
    ) -> str:
        """A wedge scan, scanned again if the bench read it in pieces (a burst slowed
        past the wedge's 50 ms gap by a machine this busy), as an inspector would."""
        for _ in range(SCAN_TRIES):
            self.term.wedge(code)
            if sent is not None:
                sent()
            screen = self.term.wait_for(what, lambda s: ready(s) or PROBLEM_BOX in s)
            if ready(screen):
                return screen
            self.tally.details["scan read in pieces, scanned again"] += 1
        raise AssertionError(f"{code} scanned {SCAN_TRIES} times, never read whole:\n{screen}")

    def _type_pin(self) -> None:
        """The PIN key by key; typed again if two keys came close enough to read as a
        scan."""
        typed = "•" * len(PIN)
        for attempt in range(SCAN_TRIES):
            for n, char in enumerate(PIN):
                self.term.type_key(char)
                if attempt == 0:
                    self._moment("login", 2 + n)
                time.sleep(PIN_GAP)
            try:
                self.term.wait_for("the PIN typed", lambda s: typed in s, timeout=2.0)
                return
            except AssertionError:
                self.tally.details["PIN read as a scan, typed again"] += 1
                for _ in range(2 * len(PIN)):
                    self.term.key("BSpace")
        raise AssertionError(f"the PIN typed {SCAN_TRIES} times never showed as typed")

    def _checklist(self, device: Device, step: str) -> None:
        """Answer each step; a checklist kill point past the last step lands on the
        outcome."""
        shown = 0
        while step != OUTCOME_STEP:
            self._moment("checklist", shown, SHOWN, Interrupted(device, step))
            answered = self._answers_of(device) if self._planned("checklist", shown, SENT) else None
            self.term.key(answer_key(step))
            self._moment("checklist", shown, SENT, Interrupted(device, step, answered))
            found = step_on(self.term.wait_for(f"the step after {step}", moved_on(step)))
            assert found is not None
            step = found
            shown += 1
        point = self.point
        assert point is not None
        if point.phase == "checklist" and point.tag != DEVICE and point.step >= shown:
            self._kill(Interrupted(device, OUTCOME_STEP))

    # -- the kill ------------------------------------------------------------------------

    def _planned(self, phase: str, step: int, tag: str = "") -> bool:
        point = self.point
        assert point is not None
        return (point.phase, point.step, point.tag) == (phase, step, tag)

    def _moment(
        self, phase: str, step: int, tag: str = "", interrupted: Interrupted | None = None
    ) -> None:
        """Kill the bench here if this is the seed's moment."""
        if self._planned(phase, step, tag):
            self._kill(interrupted)

    def _kill(self, interrupted: Interrupted | None) -> None:
        point = self.point
        assert point is not None
        time.sleep(point.delay)
        self.last_screen = self.term.screen()
        self.term.kill_bench(self.pid)
        self._release_station()
        if interrupted is not None:
            self.interrupted = interrupted
        raise Killed

    @contextmanager
    def _central_locked(self, locked: bool) -> Iterator[None]:
        """Central's `inspections` locked against inserts while the block runs: the push
        waits in it."""
        if not locked:
            yield
            return
        with self.locker.transaction():
            self.locker.execute("LOCK TABLE inspections IN SHARE ROW EXCLUSIVE MODE")
            yield

    def _wait_push_blocked(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        # The bench names itself to central by its URL's application_name.
        while not self.central.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s AND wait_event_type = 'Lock'",
            (self.station_id,),
        ).fetchone()[0]:  # type: ignore[index]
            if time.monotonic() > deadline:
                raise AssertionError("the push never reached central's inspections")
            time.sleep(0.005)

    def _lock_station(self) -> None:
        """The station's write lock, so what the bench writes next waits (up to its busy
        timeout, far longer than the kill takes)."""
        self._close_station_lock()
        held = sqlite3.connect(
            self.local_db, timeout=TIMEOUT, isolation_level=None, check_same_thread=False
        )
        held.execute("BEGIN IMMEDIATE")
        self.station_lock = held

    def _release_station(self) -> None:
        """After the kill. The connection is closed only once the bench is up again: the
        last connection to close checkpoints the WAL, and the restart must find the
        file as the kill left it."""
        if self.station_lock is not None and self.station_lock.in_transaction:
            self.station_lock.execute("ROLLBACK")

    def _close_station_lock(self) -> None:
        if self.station_lock is not None:
            self.station_lock.close()
            self.station_lock = None

    def _wait_label(self, item_id: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not any(self.labels.glob(f"*-{item_id}.png")):
            if time.monotonic() > deadline:
                raise AssertionError(f"the label of {item_id} was never written")
            time.sleep(0.005)

    def _bench_pid(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                return self.term.bench_pid()
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    # -- what the station and central hold -----------------------------------------------

    @contextmanager
    def _station(self) -> Iterator[sqlite3.Connection]:
        """The station file read only: a hot WAL stays as the kill left it for the bench."""
        with closing(sqlite3.connect(f"file:{self.local_db}?mode=ro", uri=True)) as conn:
            yield conn

    def _answers_of(self, device: Device) -> int:
        with self._station() as conn:
            (count,) = conn.execute(
                "SELECT count(*) FROM inspection_answers a JOIN inspections i "
                "ON a.inspection_id = i.id WHERE i.request_item_id = ? "
                "AND i.status = 'in_progress'",
                (device.item_id,),
            ).fetchone()
        return int(count)

    def _next_device(self) -> Device:
        with self._station() as conn:
            begun = {row[0] for row in conn.execute("SELECT request_item_id FROM inspections")}
        return next(d for d in self.devices if d.item_id not in begun)

    def _central_rows(self) -> list[tuple[str, str]]:
        return [
            (str(i), item)
            for i, item in self.central.execute(
                "SELECT id, request_item_id FROM inspections WHERE station_id = %s",
                (self.station_id,),
            )
        ]

    def _wait_central(self, item_id: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while item_id not in {item for _, item in self._central_rows()}:
            if time.monotonic() > deadline:
                raise AssertionError(f"{item_id} never reached central")
            time.sleep(0.005)

    def check_chain(self) -> None:
        """The evidence chain, walked by the library `bench audit verify` calls."""
        with self.engine.connect() as conn:
            report = evidence.verify(conn, self.station_id)
        assert report.problem is None, f"evidence chain broken: {report.summary}"

    def check_after_kill(self, point: KillPoint) -> None:
        """The station file and central as the kill left them, the bench dead."""
        if not self.local_db.exists():  # killed before the station file was created
            assert not self.saved_shown
            return
        with self._station() as conn:
            (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
            assert integrity == "ok", f"integrity_check: {integrity}"
            inspections = conn.execute(
                "SELECT id, request_item_id, status, outcome, final_cents, disposition "
                "FROM inspections WHERE station_id = ?",
                (self.station_id,),
            ).fetchall()
            outbox = {
                row[0]: row[1] for row in conn.execute("SELECT inspection_id, sent_at FROM outbox")
            }
            chained = {
                row[0]
                for row in conn.execute(
                    "SELECT ref FROM evidence_chain WHERE kind = ?", (INSPECTION,)
                )
            }
            labels = {
                row[0]: row[1]
                for row in conn.execute(
                    "SELECT json_extract(payload, '$.item_id'), printed_at FROM print_jobs"
                )
            }
        finished = {i: item for i, item, status, *_ in inspections if status == "finished"}
        open_items = [item for _, item, status, *_ in inspections if status == "in_progress"]
        # Nothing half written: a finished inspection has its outbox row, chain entry and
        # label, all with it; nothing else has any of them.
        for inspection_id, item, status, outcome, cents, disposition in inspections:
            whole = inspection_id in outbox and inspection_id in chained and item in labels
            if status == "finished":
                assert whole and None not in (outcome, cents, disposition), (
                    f"{item} finished without all of outbox row, chain entry, label, outcome"
                )
            else:
                assert inspection_id not in outbox and inspection_id not in chained, (
                    f"{item} is {status} yet has an outbox row or a chain entry"
                )
        assert set(outbox) == set(finished), "outbox rows of inspections not finished"
        items = Counter(finished.values())
        assert all(n == 1 for n in items.values()), f"an item finished twice: {items}"
        # Nothing confirmed on screen is lost.
        lost = self.saved_shown - set(finished.values())
        assert not lost, f"shown as saved, not in the station's file: {sorted(lost)}"
        # What is open is exactly what the kill interrupted.
        waiting = self.interrupted
        expected = [] if waiting is None else [waiting.device.item_id]
        if waiting is not None and (
            (waiting.may_be_saved and waiting.device.item_id in finished.values())
            or (waiting.may_not_exist and not open_items)
        ):
            self.tally.details[
                "confirm saved before the kill"
                if waiting.may_be_saved
                else "device scan not recorded"
            ] += 1
            self.interrupted = None
            expected = []
        assert open_items == expected, f"unfinished {open_items}, expected {expected}"
        # Central: each inspection once, and only what the station finished.
        rows = self._central_rows()
        ids = Counter(i for i, _ in rows)
        central_items = Counter(item for _, item in rows)
        assert all(n == 1 for n in ids.values()), f"central holds an inspection twice: {ids}"
        assert all(n == 1 for n in central_items.values()), (
            f"central holds an item twice: {central_items}"
        )
        assert set(ids) <= set(finished), "central holds an inspection the station did not finish"
        self._tally_landing(point, finished, outbox, labels, set(ids))

    def _tally_landing(
        self,
        point: KillPoint,
        finished: dict[str, str],
        outbox: dict[str, str | None],
        labels: dict[str, str | None],
        central: set[str],
    ) -> None:
        """Which phase the kill really interrupted, by what the screen and the file show."""
        tally = self.tally
        device = self.device
        if point.phase == "login":
            landed = f"({BADGE})" not in self.last_screen
        elif point.phase == "checklist":
            landed = self.interrupted is not None
        elif point.phase == "confirm":
            assert device is not None
            landed = f"✓ Saved {device.item_id}" not in self.last_screen
        else:
            assert device is not None
            item = device.item_id
            inspection = next(i for i, it in finished.items() if it == item)
            if point.phase == "label print":
                landed = labels[item] is None
            else:
                landed = outbox[inspection] is None
                # Held at central, the push must not have landed; held after, it must have.
                assert point.tag != PUSHING or inspection not in central
                assert point.tag != AT_CENTRAL or inspection in central
            if landed:
                tally.details[f"{point.phase}: {point.tag or 'at random'}"] += 1
        if landed:
            tally.landed[point.phase] += 1

    @contextmanager
    def _failing_as(self, point: KillPoint) -> Iterator[None]:
        try:
            yield
        except AssertionError as error:
            raise AssertionError(
                f"crash loop failed at {point}: {error}\n"
                f"Replay it alone: {SEED_ENV}={point.seed}; the run up to it: "
                f"{SEEDS_ENV}={point.seed + 1}.\nLast screen before the kill:\n{self.last_screen}"
            ) from error

    # -- the end of the shift ------------------------------------------------------------

    def drain(self) -> None:
        """A last start: the labels the kills left queued print and every finished
        inspection reaches central; then a clean quit."""
        if self.started:
            self.term.restart()
        wait_station_open(self.term)
        self._close_station_lock()
        self.check_chain()
        deadline = time.monotonic() + 4 * TIMEOUT
        while True:
            with self._station() as conn:
                finished = {
                    row[0]
                    for row in conn.execute("SELECT id FROM inspections WHERE status = 'finished'")
                }
                unprinted = conn.execute(
                    "SELECT count(*) FROM print_jobs WHERE printed_at IS NULL"
                ).fetchone()[0]
            missing = finished - {i for i, _ in self._central_rows()}
            if not missing and unprinted == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"after the last start {unprinted} labels unprinted, "
                    f"{len(missing)} inspections not at central"
                )
            time.sleep(0.1)

    def finished_items(self) -> set[str]:
        with self._station() as conn:
            return {
                row[0]
                for row in conn.execute(
                    "SELECT request_item_id FROM inspections WHERE status = 'finished'"
                )
            }

    def central_items(self) -> Counter[str]:
        return Counter(item for _, item in self._central_rows())
