"""The print worker: prints the station's print queue in order, in a background thread.

The inspector never waits on a printer: confirming queues the label (with the inspection,
in one transaction) and wakes this worker. It prints the oldest job first and marks each
printed as soon as the printer took it, so a job prints once; a job the printer fails
stays at the head of the queue and is retried with capped backoff, the jobs behind it
waiting their turn. After a restart the queue is still there and the worker starts on it.
No Textual: the app listens through `on_state`, called from this thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from bench.backoff import Backoff
from bench.config import LabelsConfig
from bench.labels import LABEL_SIZES, disposition_layout
from bench.layout import Layout, LayoutError
from bench.printing import PrinterState, PrintJob, PrintQueue
from bench.problems import DISK_FULL, disk_full
from bench.sheets import command_sheet
from drivers.labels import code128
from drivers.printers.base import Printer, PrinterError

log = logging.getLogger(__name__)

StateCallback = Callable[[PrinterState], None]


def pages_of(job: PrintJob, labels: LabelsConfig) -> list[Layout]:
    """The job laid out: a label on [labels] size at its dpi, the sheet on its paper."""
    if job.label is None:
        return command_sheet(labels.paper, code128)
    return [disposition_layout(job.label, LABEL_SIZES[labels.size], labels.dpi, code128)]


class PrintWorker:
    """Works through `queue` on `printer`. `wake()` after queueing a job; `stop()` ends it."""

    def __init__(
        self,
        queue: PrintQueue,
        printer: Printer,
        labels: LabelsConfig,
        on_state: StateCallback,
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.queue = queue
        self.printer = printer
        self.labels = labels
        self.on_state = on_state
        self.backoff = backoff or Backoff(base=1.0, cap=30.0)
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-print", daemon=True)
        # A job the printer took whose mark could not be stored (a full disk): marked at
        # the next try, never sent to the printer again.
        self._printed: int | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 0.0) -> None:
        """Ask the worker to finish; wait at most `timeout` s (0: do not wait)."""
        self._stop.set()
        self._wake.set()
        if timeout:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                state = self.print_queued()
            except Exception as error:  # a bug or a broken database must not stop printing
                state = self._failed(error)
            self.on_state(state)
            if state.ok:
                self.backoff.reset()
                self._wake.wait()  # until something is queued
            else:
                self._wake.wait(self.backoff.next_delay())
            self._wake.clear()

    def print_queued(self) -> PrinterState:
        """Print every queued job, oldest first; stop at the first the printer fails."""
        while not self._stop.is_set():
            waiting = self.queue.queued_prints()
            if not waiting:
                break
            for queued in waiting:
                if self._stop.is_set():
                    break
                title = queued.job.title
                if self._printed == queued.id:
                    self._mark_printed(queued.id, title)
                    continue
                try:
                    pages = pages_of(queued.job, self.labels)
                    self.printer.print_pages(
                        title, f"{queued.id:06d}-{queued.job.file_stem}", pages
                    )
                except (LayoutError, PrinterError) as error:
                    if isinstance(error, PrinterError) and not error.lasting:
                        log.warning(
                            "printing %s on %s failed: %s", title, self.printer.where, error
                        )
                        self.queue.mark_print_failed(queued.id, str(error))
                        return PrinterState(
                            ok=False,
                            queued=self.queue.print_queue_count(),
                            problem=str(error),
                            failed_job=title,
                        )
                    log.error("%s cannot be printed, set aside: %s", title, error)
                    self.queue.abandon_print(queued.id, str(error), self.clock())
                    continue
                self._printed = queued.id
                self._mark_printed(queued.id, title)
        return PrinterState(ok=True, queued=self.queue.print_queue_count())

    def _failed(self, error: Exception) -> PrinterState:
        if disk_full(error):
            log.warning("printing: cannot record it in the station database: %s", error)
            return PrinterState(ok=False, queued=self._queued(), problem=DISK_FULL)
        log.exception("printing: the queue could not be worked")
        return PrinterState(ok=False, queued=0, problem="printing failed: see the log")

    def _queued(self) -> int:
        try:
            return self.queue.print_queue_count()
        except Exception:  # the count is only for the header
            return 0

    def _mark_printed(self, job_id: int, title: str) -> None:
        self.queue.mark_printed(job_id, self.clock())
        self._printed = None
        log.info("printed %s on %s", title, self.printer.where)
