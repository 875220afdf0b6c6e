"""The print queue in the station's SQLite file, worked by the print worker on a real TCP
printer port: a label is queued in the inspection's own transaction, printed once, kept
while the printer fails, and still there (and printed) after a restart or a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from queue import Queue

import pytest
from sqlalchemy import func, select, text

from bench.backoff import Backoff
from bench.config import LabelsConfig
from bench.printing import PrinterState, PrintJob, PrintKind
from drivers.printers.queue import PrintWorker
from drivers.printers.zpl import ZplPrinter
from store.errors import StoreError
from store.local import LocalStore, inspection_table, outbox_table, print_job_table
from tests.support.barcodes import sample_label
from tests.support.inspections import finished
from tests.support.printers import ZplServer, wait_for

LABELS = LabelsConfig(size="4x3", dpi=203, paper="letter")


def label_job(item_id: str) -> PrintJob:
    return PrintJob.of_label(sample_label(item_id=item_id))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "station.db") as opened:
        yield opened


@pytest.fixture
def printer_port() -> Iterator[ZplServer]:
    server = ZplServer(listening=False)
    yield server
    server.close()


def worker(store: LocalStore, server: ZplServer, states: Queue[PrinterState]) -> PrintWorker:
    printer = ZplPrinter(address=("127.0.0.1", server.port), timeout=2)
    return PrintWorker(store, printer, LABELS, states.put, backoff=Backoff(base=0.05, cap=0.2))


def print_queue_out(store: LocalStore, server: ZplServer) -> None:
    """Run a print worker over the station's queue until it says everything printed."""
    states: Queue[PrinterState] = Queue()
    printing = worker(store, server, states)
    printing.start()
    try:
        assert states.get(timeout=10) == PrinterState(ok=True, queued=0)
    finally:
        printing.stop(timeout=5)


def rows(store: LocalStore, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


class TestQueuedWithTheInspection:
    def test_the_label_is_queued_with_the_inspection(self, store: LocalStore) -> None:
        done = finished(1)
        store.finish_inspection(done, label_job(done.started.request_item_id))
        (queued,) = store.queued_prints()
        assert queued.job == label_job("TI-000001-01")
        assert queued.job.kind is PrintKind.LABEL
        assert store.print_queue_count() == 1
        assert store.last_label() == queued.job

    def test_no_label_is_queued_without_the_inspection(self, store: LocalStore) -> None:
        # The queue refuses the job (as a full disk would): nothing of the inspection is
        # kept either, so the outcome stays on screen to confirm again.
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TRIGGER no_room BEFORE INSERT ON print_jobs "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                )
            )
        done = finished(1)
        with pytest.raises(StoreError):
            store.finish_inspection(done, label_job(done.started.request_item_id))
        assert store.latest_inspection(done.started.request_item_id) is None
        assert rows(store, outbox_table) == 0
        assert rows(store, print_job_table) == 0
        assert rows(store, inspection_table) == 0

    def test_confirming_again_queues_no_second_label(self, store: LocalStore) -> None:
        done = finished(1)
        store.finish_inspection(done, label_job("TI-000001-01"))
        store.finish_inspection(done, label_job("TI-000001-01"))  # a retry after a crash
        assert store.print_queue_count() == 1


class TestPrinted:
    def test_each_job_prints_once_in_order(
        self, store: LocalStore, printer_port: ZplServer
    ) -> None:
        printer_port.listen()
        for n in (1, 2, 3):
            store.finish_inspection(finished(n), label_job(f"TI-00000{n}-01"))
        states: Queue[PrinterState] = Queue()
        printing = worker(store, printer_port, states)
        printing.start()
        try:
            assert states.get(timeout=10) == PrinterState(ok=True, queued=0)
            printing.wake()  # nothing queued: nothing more is sent
            assert states.get(timeout=10).ok
        finally:
            printing.stop(timeout=5)
        wait_for(lambda: len(printer_port.received) == 3)
        assert printer_port.item_ids() == ["TI-000001-01", "TI-000002-01", "TI-000003-01"]
        assert store.queued_prints() == []

    def test_a_failing_printer_leaves_the_job_queued_until_it_is_back(
        self, store: LocalStore, printer_port: ZplServer
    ) -> None:
        store.queue_print(label_job("TI-000001-01"))
        store.queue_print(label_job("TI-000002-01"))
        states: Queue[PrinterState] = Queue()
        printing = worker(store, printer_port, states)
        printing.start()
        try:
            failed = states.get(timeout=10)
            assert failed == PrinterState(
                ok=False,
                queued=2,
                problem=f"printer {printer_port.address} refused the connection",
                failed_job="the label of TI-000001-01",
            )
            first = store.queued_prints()[0]
            assert first.job == label_job("TI-000001-01")
            assert first.attempts >= 1
            assert first.last_error == failed.problem
            printer_port.listen()  # switched on: the retry gets through
            wait_for(lambda: len(printer_port.received) == 2)
            wait_for(lambda: store.print_queue_count() == 0)
        finally:
            printing.stop(timeout=5)
        assert printer_port.item_ids() == ["TI-000001-01", "TI-000002-01"]

    def test_a_job_that_can_never_print_is_set_aside(
        self, store: LocalStore, printer_port: ZplServer
    ) -> None:
        printer_port.listen()
        store.queue_print(PrintJob.command_sheet())  # pages of paper, on a label printer
        store.queue_print(label_job("TI-000001-01"))
        print_queue_out(store, printer_port)
        wait_for(lambda: len(printer_port.received) == 1)
        assert printer_port.item_ids() == ["TI-000001-01"]
        with store.engine.connect() as conn:
            error = conn.execute(
                select(print_job_table.c.last_error).where(
                    print_job_table.c.abandoned_at.is_not(None)
                )
            ).scalar_one()
        assert "bench labels commands -o sheet.pdf" in error


class TestAfterARestart:
    def test_the_queue_survives_reopening_the_store(
        self, tmp_path: Path, printer_port: ZplServer
    ) -> None:
        path = tmp_path / "station.db"
        with LocalStore.open(path) as before:
            before.finish_inspection(finished(1), label_job("TI-000001-01"))
        with LocalStore.open(path) as after:
            assert [q.job for q in after.queued_prints()] == [label_job("TI-000001-01")]
            printer_port.listen()
            print_queue_out(after, printer_port)
        assert printer_port.item_ids() == ["TI-000001-01"]

    def test_a_label_queued_when_the_bench_was_killed_prints_after_the_restart(
        self, tmp_path: Path, printer_port: ZplServer
    ) -> None:
        path = tmp_path / "station.db"
        # The bench confirms, its printer is off (the port refuses), and it is killed -9
        # while the label waits for a retry.
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(printer_port.port)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "refused"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(10)
        assert child.returncode == -signal.SIGKILL
        assert printer_port.received == []
        printer_port.listen()
        with LocalStore.open(path) as after:
            print_queue_out(after, printer_port)
        assert printer_port.item_ids() == ["TI-000001-01"]


CHILD = """
import sys, threading
from bench.config import LabelsConfig
from bench.printing import PrintJob
from drivers.printers.queue import PrintWorker
from drivers.printers.zpl import ZplPrinter
from store.local import LocalStore
from tests.support.barcodes import sample_label
from tests.support.inspections import finished

store = LocalStore.open(sys.argv[1])
store.finish_inspection(finished(1), PrintJob.of_label(sample_label(item_id="TI-000001-01")))

def report(state):
    if not state.ok:
        print("refused", flush=True)

printer = ZplPrinter(address=("127.0.0.1", int(sys.argv[2])), timeout=2)
PrintWorker(store, printer, LabelsConfig("4x3", 203, "letter"), report).start()
threading.Event().wait()
"""
