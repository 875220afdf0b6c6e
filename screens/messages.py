"""App-wide messages: past-tense events posted by drivers, workers and screens.

Screens never call the app: they do what they do through the session and post what
happened here; the app decides what is shown next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the first frame needs the messages, not the modules of what they carry
    from bench.domain import FinishedInspection, Inspector, Request
    from bench.printing import PrinterState, PrintJob
    from bench.scans import Scan
    from bench.session import ActiveInspection
    from bench.station import OpenedStation, SyncState
    from drivers.framing import Unreadable
    from drivers.serial_scanner import ScannerState


class ScanRead(Message):
    """A scanner (wedge, serial or simulated) read one code."""

    def __init__(self, scan: Scan) -> None:
        super().__init__()
        self.scan = scan


class StationOpened(Message):
    """The local store is open and the replica loaded: the station can log people in."""

    def __init__(self, station: OpenedStation) -> None:
        super().__init__()
        self.station = station


class StartupFailed(Message):
    """The station could not open its store: the message says why and what to do.
    `in_config`: a value of config.toml is what is wrong ([station] country)."""

    def __init__(self, message: str, *, in_config: bool = False) -> None:
        super().__init__()
        self.message = message
        self.in_config = in_config


class LoggedIn(Message):
    """An inspector's badge and PIN were accepted."""

    def __init__(self, inspector: Inspector) -> None:
        super().__init__()
        self.inspector = inspector


class RequestOpened(Message):
    """A package label was scanned: its request is the session's now."""

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.request = request


class RequestClosed(Message):
    """The inspector is done with the package: back to waiting for a label."""


class InspectionOpened(Message):
    """A device's inspection began, or one a crash left open was resumed."""

    def __init__(self, active: ActiveInspection) -> None:
        super().__init__()
        self.active = active


class ChecklistCompleted(Message):
    """The last question was answered: the outcome is ready to confirm."""


class ChecklistReopened(Message):
    """The inspector went back from the outcome to change an answer."""


class InspectionCancelled(Message):
    """The inspection on the bench was cancelled; its answers are discarded."""


class InspectionSaved(Message):
    """An inspection was confirmed and written with its outbox row."""

    def __init__(self, done: FinishedInspection) -> None:
        super().__init__()
        self.done = done


class SyncStateChanged(Message):
    """A sync round ended: ONLINE or OFFLINE, how many queued, how many refused."""

    def __init__(self, state: SyncState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncStateChanged)


class SyncProgressed(Message):
    """A long sync (or the first replica load) moved on; a burst collapses to the latest."""

    def __init__(self, what: str, done: int, total: int) -> None:
        super().__init__()
        self.what = what
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgressed) and message.what == self.what


class ScanUnreadable(Message):
    """The scanner sent a frame that is not a scan: shown as a notice, never stored."""

    def __init__(self, unreadable: Unreadable) -> None:
        super().__init__()
        self.unreadable = unreadable


class ScannerStateChanged(Message):
    """The scanner connected, disconnected or is trying again."""

    def __init__(self, state: ScannerState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ScannerStateChanged)


class PrintQueued(Message):
    """A reprint or the command sheet was queued: the print worker should start on it."""

    def __init__(self, job: PrintJob) -> None:
        super().__init__()
        self.job = job


class PrinterStateChanged(Message):
    """The print worker printed the queue, or the printer failed a job and it waits."""

    def __init__(self, state: PrinterState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PrinterStateChanged)
