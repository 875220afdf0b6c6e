"""An error nobody foresaw: its traceback is in bench.log, where a technician looks, before
the app exits; a thread that dies leaves its traceback there too."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import NoReturn

import pytest

from bench.logs import setup_logging
from tests.support.station import SIZE, SeededStation, Station, scan, station_open


class Boom(Exception):
    pass


class TestUnexpectedErrors(SeededStation):
    async def test_an_error_in_a_handler_is_logged_with_its_traceback(
        self, station: Station, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        log = setup_logging(station.folder / "crash.log", "INFO")
        app = station.app()

        def explode(*_: object) -> None:
            raise Boom("the unforeseen")

        with pytest.raises(Boom):
            async with app.run_test(size=SIZE) as pilot:
                await station_open(pilot)
                monkeypatch.setattr(app.session, "find_inspector", explode)
                await scan(pilot, "EMP-0001")
                await pilot.pause()
        text = log.read_text(encoding="utf-8")
        assert "bench stopped on an unexpected error" in text
        assert "Traceback (most recent call last)" in text
        assert "Boom: the unforeseen" in text
        assert app.return_code == 1


def test_a_thread_that_dies_leaves_its_traceback_in_the_log(tmp_path: Path) -> None:
    log = setup_logging(tmp_path / "bench.log", "INFO")

    def reader() -> None:
        raise Boom("the cable caught fire")

    thread = threading.Thread(target=reader, name="bench-scanner-reader")
    thread.start()
    thread.join()
    text = log.read_text(encoding="utf-8")
    assert "bench-scanner-reader stopped on an unexpected error" in text
    assert "Boom: the cable caught fire" in text


async def test_an_unexpected_error_while_opening_the_station_is_shown_and_logged(
    tmp_path: Path,
) -> None:
    from screens.app import make_app
    from screens.startup import StartupScreen
    from tests.support.station import wait_until

    log = setup_logging(tmp_path / "bench.log", "INFO")

    def broken(*_: object) -> NoReturn:
        raise Boom("the replica is made of cheese")

    app = make_app(Station(tmp_path, "").config(), open_station=broken)
    async with app.run_test(size=SIZE) as pilot:
        error = "#startup-error"
        await wait_until(pilot, lambda: app.screen.query_one(error).has_class("-visible"))
        assert isinstance(app.screen, StartupScreen)
        assert "the replica is made of cheese" in str(app.screen.query_one(error).render())
    assert "Boom: the replica is made of cheese" in log.read_text(encoding="utf-8")
