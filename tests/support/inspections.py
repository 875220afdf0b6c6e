"""Finished inspections made up for store and sync tests: valid, varied, reproducible."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from bench.domain import (
    AnswerRecord,
    AnswerSource,
    Decision,
    Disposition,
    FinishedInspection,
    InspectionStarted,
    Outcome,
    Reason,
)

BASE = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
DECISIONS = (
    Decision(Outcome.ACCEPT, 1500, Disposition.REFURBISH, ()),
    Decision(Outcome.REJECT, 0, Disposition.RECYCLE, (Reason.TOO_OLD,)),
    Decision(Outcome.HOLD, 0, Disposition.HOLD, (Reason.SERIAL_MISMATCH,)),
    # Notified Sun 29 Nov 2026 (BASE): Mon 30 .. Fri 4 Dec are the 5 working days to reject.
    Decision(
        Outcome.REVISE, 1344, Disposition.REFURBISH, (Reason.CONDITION_DIFFERS,), date(2026, 12, 4)
    ),
)
REVISED, ACCEPTED = DECISIONS[3], DECISIONS[0]


def finished(
    n: int, station: str = "B-07", item: str | None = None, seed: int = 0
) -> FinishedInspection:
    """The n-th made-up inspection of a station; the same n and seed give the same one."""
    rng = random.Random(f"{station}/{seed}/{n}")
    started_at = BASE + timedelta(seconds=40 * n)
    started = InspectionStarted(
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        request_item_id=item or f"TI-{n:06d}-01",
        station_id=station,
        inspector_id="EMP-0001",
        started_at=started_at,
        scanned_code=f"SN{n:08d}",
        identified_sku="WYZE-PAN-V2",
    )
    answers = tuple(
        AnswerRecord(q, v, AnswerSource.INSPECTOR, "EMP-0001", started_at + timedelta(seconds=i))
        for i, (q, v) in enumerate([("broken", "no"), ("dirty", "no"), ("factory_reset", "yes")])
    )
    return FinishedInspection(
        started=started,
        finished_at=started_at + timedelta(seconds=30),
        answers=answers,
        grade=None,
        wiped=False,
        decision=rng.choice(DECISIONS),
    )
