"""What a sync round found, in a module light enough for the UI to import at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
