"""`bench serve` in a real browser: Debian's Chromium, driven by Playwright.

The test starts the real `bench serve` process on a free port, opens the page in headless
Chromium, types a badge and a PIN into the terminal key by key, as a supervisor at a desk
would, and reads what the desk wrote. textual-serve draws the terminal on a canvas, so
the text is read where it travels: the websocket frames from the desk's process, which
carry the screen's characters between its escape sequences.
"""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bench.cli.demo import seed_central
from bench.demo_data import DEMO_PINS, demo_dataset

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BENCH = Path(sys.executable).with_name("bench")
SUPERVISOR, INSPECTOR = "EMP-0002", "EMP-0001"
TIMEOUT = 30.0
STALE_STATION = "B-03"
# Escape sequences (CSI, OSC, single-character) between the characters a screen shows.
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")

if CHROMIUM is None:
    pytest.skip(
        "no Chromium: install Debian's chromium package (.ci/run does) to test bench serve",
        allow_module_level=True,
    )
playwright = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Desk:
    """The desk's page: keys go in, the text of every frame received is kept."""

    page: playwright.Page
    received: list[bytes] = field(default_factory=list)

    def text(self) -> str:
        raw = b"".join(self.received)
        return ESCAPES.sub(b"", raw).decode("utf-8", "replace")

    def wait_text(self, wanted: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while wanted not in self.text():
            if time.monotonic() > deadline:
                tail = self.text()[-1500:]
                raise AssertionError(f"{wanted!r} never reached the browser; last text: {tail}")
            self.page.wait_for_timeout(100)

    def type(self, text: str) -> None:
        for key in text:
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(60)  # a person typing, not a scanner's burst
        self.page.keyboard.press("Enter")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    central = tmp_path / "central.db"
    seed_central(f"sqlite:///{central}", demo_dataset(date.today(), request_count=20))
    # A station silent for an hour: the desk's Throughput tab calls it STALE.
    with sqlite3.connect(central) as conn:
        conn.execute(
            "INSERT INTO station_heartbeats (station_id, last_seen, queue_depth, app_version) "
            "VALUES (?, ?, 0, '0.1.0')",
            (STALE_STATION, (datetime.now(UTC) - timedelta(hours=1)).isoformat()),
        )
    config = tmp_path / "config.toml"
    config.write_text(
        '[station]\nid = "DESK-1"\n'
        '[scanner]\nkind = "wedge"\n'
        f'[store]\nlocal_path = "{tmp_path / "desk.db"}"\ncentral_url = "sqlite:///{central}"\n'
        f'[log]\npath = "{tmp_path / "bench.log"}"\n'
    )
    port = free_port()
    server = subprocess.Popen(
        [str(BENCH), "--config", str(config), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.stdout else ""
                raise AssertionError(f"bench serve did not start: {output}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def desk(served: str) -> Iterator[Desk]:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            opened = Desk(page)
            page.on(
                "websocket",
                lambda socket: socket.on(
                    "framereceived",
                    lambda frame: opened.received.append(
                        frame if isinstance(frame, bytes) else frame.encode()
                    ),
                ),
            )
            page.goto(served)
            page.click("#terminal")
            yield opened
        finally:
            browser.close()


def test_serve_listens_on_loopback_only_by_default(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    outside = [
        address
        for *_, (address, *_) in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        if not address.startswith("127.")
    ]
    for address in outside:
        with socket.socket() as probe:
            assert probe.connect_ex((address, port)) != 0, f"reachable on {address}"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) == 0


def test_an_inspector_badge_does_not_open_the_desk(desk: Desk) -> None:
    desk.wait_text("SCAN YOUR BADGE")
    desk.type(INSPECTOR)
    desk.type(DEMO_PINS[INSPECTOR])
    desk.wait_text("Supervisors only")


def test_a_supervisor_logs_in_from_the_browser(desk: Desk) -> None:
    desk.wait_text("SCAN YOUR BADGE")
    desk.type(SUPERVISOR)
    desk.type(DEMO_PINS[SUPERVISOR])
    desk.wait_text("Sam Supervisor")
    # Straight to the supervisor screen, Throughput first, with central's stations.
    desk.wait_text("Throughput")
    desk.wait_text("From central, as of")
    desk.wait_text(f"{STALE_STATION} STALE since")
