"""Sync between a station and central, in four parts: the rounds (`engine`: push pipeline,
pull, heartbeat), the encoding and loading of pushed rows (`pgcopy`), the pull into the
replica (`pull`) and the background thread that runs rounds (`worker`).

The names the app and the CLI use are re-exported here, so `from store.sync import
SyncEngine, SyncWorker, Backoff` works as it always has.
"""

from bench.backoff import Backoff
from bench.station import SyncState
from store.sync.engine import PushReport, SyncEngine
from store.sync.worker import SyncWorker

__all__ = ["Backoff", "PushReport", "SyncEngine", "SyncState", "SyncWorker"]
