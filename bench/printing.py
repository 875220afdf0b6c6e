"""Print jobs: what the station's print queue holds, and what it asks of the layers below.

A confirmed inspection's label must come out even when the printer is off, jammed or out
of labels, and must not hold the inspector up while it does not. So the label is never
sent to the printer from the screen: it is queued as a `PrintJob` in the station's
database, in the transaction that stores the inspection, and a print worker
(`drivers.printers.queue`) prints the queue in order, in the background, retrying what
fails. A job carries what its label says (not where it comes from), so it prints the
same after a restart, and a reprint is one more job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bench.domain import CatalogModel, Disposition, FinishedInspection, Grade
from bench.labels import DispositionLabel


class PrintKind(StrEnum):
    LABEL = "label"
    """An item's disposition label, on the label stock of [labels] size."""
    COMMAND_SHEET = "command_sheet"
    """The command codes, on paper of [labels] paper: a page printer's job."""


@dataclass(frozen=True)
class PrintJob:
    """What to print. `label` is set for a label, None for the command sheet."""

    kind: PrintKind
    label: DispositionLabel | None = None

    @classmethod
    def of_label(cls, label: DispositionLabel) -> PrintJob:
        return cls(PrintKind.LABEL, label)

    @classmethod
    def command_sheet(cls) -> PrintJob:
        return cls(PrintKind.COMMAND_SHEET)

    @property
    def title(self) -> str:
        """What the job is, for the inspector, the log and the print spooler."""
        if self.label is None:
            return "the command sheet"
        return f"the label of {self.label.item_id}"

    @property
    def file_stem(self) -> str:
        """A name for the job's file: the item id, or "command-sheet"."""
        return self.label.item_id if self.label else "command-sheet"

    def payload(self) -> dict[str, Any]:
        """The job as JSON values, for the queue's table."""
        label = self.label
        if label is None:
            return {}
        return {
            "item_id": label.item_id,
            "disposition": label.disposition.value,
            "model_name": label.model_name,
            "grade": label.grade.value if label.grade else None,
            "value_cents": label.value_cents,
            "station_id": label.station_id,
            "inspector_id": label.inspector_id,
            "inspector_name": label.inspector_name,
            "printed_at": label.printed_at.isoformat(),
            "second_grading": label.second_grading,
        }

    @classmethod
    def from_payload(cls, kind: str, payload: dict[str, Any]) -> PrintJob:
        """The job `payload` stored; ValueError or KeyError if it is not one."""
        if PrintKind(kind) is PrintKind.COMMAND_SHEET:
            return cls.command_sheet()
        return cls.of_label(
            DispositionLabel(
                item_id=str(payload["item_id"]),
                disposition=Disposition(payload["disposition"]),
                model_name=str(payload["model_name"]),
                grade=Grade(payload["grade"]) if payload["grade"] else None,
                value_cents=int(payload["value_cents"]),
                station_id=str(payload["station_id"]),
                inspector_id=str(payload["inspector_id"]),
                inspector_name=payload["inspector_name"],
                printed_at=datetime.fromisoformat(payload["printed_at"]),
                # Jobs queued before second gradings existed have no such key.
                second_grading=bool(payload.get("second_grading", False)),
            )
        )


@dataclass(frozen=True)
class QueuedPrint:
    """A job in the queue, not printed yet: `id` orders the queue."""

    id: int
    job: PrintJob
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class PrinterState:
    """What the header shows of the printer: working, or failing and why; jobs waiting."""

    ok: bool
    queued: int
    problem: str | None = None
    """What went wrong with the last job tried, in plain words; None while printing works."""
    failed_job: str | None = None
    """The title of the job that failed, while it waits to be retried."""


class PrintQueue(Protocol):
    """The station's print queue as the print worker uses it. Each call is one short
    transaction; a job leaves the queue only once it is marked printed or abandoned."""

    def queued_prints(self, limit: int = 20) -> list[QueuedPrint]:
        """The oldest jobs not printed yet, in the order they were queued."""

    def mark_printed(self, job_id: int, at: datetime) -> None: ...

    def mark_print_failed(self, job_id: int, error: str) -> None:
        """The printer failed this job for a passing reason: it stays queued."""

    def abandon_print(self, job_id: int, error: str, at: datetime) -> None:
        """The job can never print (it cannot be laid out): out of the queue, logged."""

    def print_queue_count(self) -> int: ...


class Catalog(Protocol):
    """What a label needs from the station's replica besides the inspection."""

    def catalog_model(self, sku: str) -> CatalogModel | None: ...


def label_of(
    inspection: FinishedInspection,
    *,
    declared_sku: str | None,
    catalog: Catalog,
    inspector_name: str | None,
    printed_at: datetime,
    second_grading: bool = False,
) -> DispositionLabel:
    """An inspection's label, naming the model the device was identified as, else the one
    the customer declared, else the bare sku."""
    identified = inspection.started.identified_sku
    model_name = identified or declared_sku or "unknown model"
    for sku in (identified, declared_sku):
        if sku and (model := catalog.catalog_model(sku)):
            model_name = model.name
            break
    return DispositionLabel.of(
        inspection,
        model_name=model_name,
        inspector_name=inspector_name,
        printed_at=printed_at,
        second_grading=second_grading,
    )
