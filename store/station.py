"""Opening a station: its SQLite file, and the sync with central when one is configured.

This is the `bench.station.StationOpener` the CLI wires into the app. It runs in the app's
start-up worker, off the UI thread, and imports SQLAlchemy and the sync engine only then:
importing this module costs nothing before the first screen is up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bench import __version__
from bench.config import Config, ConfigError, calendar_problem, central_url
from bench.station import OpenedStation, SyncProgress, SyncState
from bench.supervision import FigureSource, settings_of

if TYPE_CHECKING:
    from store.local import LocalStore
    from store.sync import SyncEngine


def sync_engine(
    store: LocalStore,
    config: Config,
    url: str,
    progress: SyncProgress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncEngine:
    """The sync engine of the station `config` describes, with central at `url`."""
    from store.sync import SyncEngine

    return SyncEngine(
        store,
        url,
        config.station.id,
        app_version=__version__,
        batch_size=config.sync.batch_size,
        clock=clock,
        progress=progress,
        round_deadline=config.sync.round_deadline_seconds,
    )


def open_station(
    config: Config,
    clock: Callable[[], datetime],
    progress: SyncProgress,
    report: Callable[[SyncState], None],
) -> OpenedStation:
    """Open the local store; load the replica first if it is empty; set up the sync worker.

    Raises StoreError when the station's database cannot be used, ConfigError (with the
    message load_config would give) when the config names a country or subdivision with no
    holiday calendar, or a time zone there is none of: `bench` leaves those checks to this
    worker, after the first frame.
    """
    wrong = calendar_problem(config)
    if wrong:
        raise ConfigError(wrong)
    from store.local import LocalStore

    store = LocalStore.open(config.store.local_path)
    url = central_url(config)
    figures = supervisor_figures(store, config, url, clock)
    if not url:
        return OpenedStation(store, None, None, store.queued_count(), figures)
    from store.sync import Backoff, SyncWorker

    engine = sync_engine(store, config, url, progress, clock)
    first = None
    if not all(store.replica_counts().values()):
        # A new station has nothing to look requests up in: load it before login,
        # behind the progress bar. Later pulls happen in the background.
        first = engine.run_once()
    interval = config.sync.interval_seconds
    worker = SyncWorker(
        engine, report, interval=interval, backoff=Backoff(base=min(1.0, interval), cap=30.0)
    )
    queued = first.queued if first is not None else store.queued_count()
    return OpenedStation(store, worker, first, queued, figures)


def supervisor_figures(
    store: LocalStore, config: Config, url: str | None, clock: Callable[[], datetime]
) -> FigureSource:
    """Central's figures (on an engine of their own, apart from the sync's), falling back on
    this station's file; this station's alone when no central is configured."""
    from store.local.supervision import LocalFigures
    from store.supervision import StationFigures

    settings = settings_of(config)
    local = LocalFigures(store.engine, config.station.id, settings)
    if not url:  # no central: its schema and the PostgreSQL dialect are never imported
        return StationFigures(None, local, clock, config.station.id)
    from store.central import configured_engine
    from store.central.supervision import CentralFigures

    central = CentralFigures(lambda: configured_engine(url), settings)
    return StationFigures(central, local, clock, config.station.id)
