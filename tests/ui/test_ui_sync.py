"""The header through a real outage of central PostgreSQL, while inspections go on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.cli.demo import seed_central
from tests.support.netproxy import Proxy
from tests.support.station import SIZE, Station, confirm_an_inspection, dataset, header, wait_until
from tests.support.store_helpers import central_count


@pytest.fixture
def proxy(pg_url: str) -> Iterator[Proxy]:
    seed_central(pg_url, dataset())
    url = make_url(pg_url)
    running = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield running
    running.close()


async def test_header_goes_online_offline_with_the_queue_then_online(
    tmp_path: Path, pg_url: str, proxy: Proxy
) -> None:
    database = make_url(pg_url).database
    assert database
    station = Station(tmp_path, proxy.url(database), sync_interval=0.2)
    app = station.app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE")

        proxy.cut()
        await wait_until(pilot, lambda: header(app)["sync"] == "OFFLINE since 10:30")
        assert app.screen.query_one("StationHeader #sync").has_class("-bad")

        await confirm_an_inspection(pilot)  # the bench goes on working
        await wait_until(pilot, lambda: header(app)["sync"] == "OFFLINE since 10:30 · 1 queued")
        assert central_count(pg_url) == 0

        proxy.restore()
        await wait_until(pilot, lambda: header(app)["sync"] == "ONLINE", seconds=20)
        assert app.session.store.queued_count() == 0
    assert central_count(pg_url) == 1
