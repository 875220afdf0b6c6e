"""The real serial driver against real pseudo-terminals: framing, unplugging, the event loop.

No mock of pyserial anywhere: `SimulatedScanner` is a pty, pyserial opens its slave end as
it would open /dev/ttyACM0, and closing the master end makes the driver's next read fail
the way an unplugged USB scanner does (DESIGN.md, "Measured facts"). What these tests pin
down (issue 3):

- a seeded 10,000-frame stream with random terminators, splits, merges, garbage, over-long
  and half-sent frames yields exactly the valid scans in order and one notice per bad frame;
- unplugging mid-frame closes the port at once and shows SCANNER DISCONNECTED; a new
  device behind the same by-id link (or the same USB vid:pid at a new tty) is picked up
  again, and the next scan arrives once;
- reconnect attempts back off, capped at one second;
- the asyncio event loop is never blocked 50 ms by the driver: connect, read, disconnect,
  close.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import pytest

from bench.config import parse_config
from bench.scans import Scan, ScanSource
from drivers.framing import FramingSettings, Unreadable
from drivers.framing import UnreadableReason as R
from drivers.scanner import scanner_from_config
from drivers.serial_scanner import (
    ScannerState,
    ScannerStatus,
    SerialScanner,
    SerialSettings,
)
from drivers.simulated import SimulatedScanner, SimulatedSerialScanner
from tests.support.scanner_callbacks import Collector
from tests.support.scanner_streams import Expect, make_stream

CHAR_TIMEOUT = 0.1  # short, so half-sent frames cost little test time; see the stream test


def settings(port: str | Path, **overrides: Any) -> SerialSettings:
    values: dict[str, Any] = {
        "port": str(port),
        "framing": FramingSettings(inter_char_timeout=CHAR_TIMEOUT, max_frame_length=64),
        "double_read_window": 0.0,
    }
    values.update(overrides)
    return SerialSettings(**values)


@pytest.fixture
def make_scanner() -> Iterator[Callable[..., tuple[SerialScanner, Collector]]]:
    """Build and start scanners; every one is stopped and joined after the test."""
    started: list[SerialScanner] = []

    def make(
        port: str | Path,
        *,
        comports: Any = None,
        on_state: Callable[[ScannerState], None] | None = None,
        **overrides: Any,
    ) -> tuple[SerialScanner, Collector]:
        seen = Collector()
        scanner = SerialScanner(
            settings(port, **overrides),
            seen.on_scan,
            seen.on_unreadable,
            on_state or seen.on_state,
            comports=comports,
        )
        scanner.start()
        started.append(scanner)
        return scanner, seen

    yield make
    for scanner in started:
        scanner.stop()
    for scanner in started:
        assert scanner.join(2.0), "the reader thread did not end"


@pytest.fixture
def device(tmp_path: Path) -> Iterator[SimulatedScanner]:
    """A scanner behind a by-id style link, as udev would name it."""
    with SimulatedScanner(link=tmp_path / "usb-Honeywell_Scanner_1900-if00") as simulated:
        yield simulated


def open_ttys() -> set[str]:
    """The ptys this process holds open: proof that a port was (or was not) closed."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/dev/pts/"):
            found.add(target)
    return found


def outcomes(events: list[Scan | Unreadable]) -> list[tuple[str, object, object]]:
    return [
        ("scan", e.text, e.symbology) if isinstance(e, Scan) else ("unreadable", e.reason, None)
        for e in events
    ]


def assert_stream(events: list[Scan | Unreadable], expected: list[Expect]) -> None:
    """Exactly the expected scans in order and one notice (of an allowed reason) per bad
    frame; on a mismatch, say where."""
    got = outcomes(events)
    for index, want in enumerate(expected):
        assert index < len(got), f"only {len(got)} events, expected {len(expected)}"
        kind, value, symbology = got[index]
        if want.kind == "scan":
            assert (kind, value, symbology) == ("scan", want.text, want.symbology), index
        else:
            assert kind == "unreadable" and value in want.reasons, (index, got[index], want)
    assert len(got) == len(expected)


# --- reading -------------------------------------------------------------------------------


class TestReading:
    def test_frames_arrive_as_scans_on_the_reader_thread(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        scanner, seen = make_scanner(device.port)
        seen.wait_status(ScannerStatus.CONNECTED)
        assert scanner.state.device == device.device  # the link, followed
        device.send("TI-000123")
        device.send("]C10100614141999996" + "21ABC\x1d10LOT", terminator="CRLF")
        device.send("EMP-0042", terminator="LF")
        seen.wait_for("3 scans", lambda: len(seen.events) == 3)
        assert outcomes(seen.events) == [
            ("scan", "TI-000123", None),
            ("scan", "0100614141999996" + "21ABC\x1d10LOT", "]C1"),
            ("scan", "EMP-0042", None),
        ]
        assert all(isinstance(e, Scan) and e.source is ScanSource.SERIAL for e in seen.events)
        assert threading.get_ident() not in seen.threads
        assert len(seen.threads) == 1  # one reader thread, for callbacks in order

    def test_a_half_sent_frame_is_flushed_after_the_timeout(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        _, seen = make_scanner(device.port)
        seen.wait_status(ScannerStatus.CONNECTED)
        sent = time.monotonic()
        device.send_half("TI-000123")
        seen.wait_for("the cut-off notice", lambda: seen.notices == [R.INCOMPLETE])
        assert time.monotonic() - sent >= CHAR_TIMEOUT  # not before the timeout
        device.send("TI-000124")
        seen.wait_for("the next scan", lambda: seen.scans == ["TI-000124"])

    def test_a_split_frame_with_a_pause_under_the_timeout_is_one_scan(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        _, seen = make_scanner(device.port)
        seen.wait_status(ScannerStatus.CONNECTED)
        device.send_split(b"TI-000123\r", [2, 5, 9], pause=CHAR_TIMEOUT / 4)
        seen.wait_for("one scan", lambda: seen.scans == ["TI-000123"])
        assert seen.notices == []

    def test_double_reads_are_dropped_and_a_deliberate_rescan_counts(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        _, seen = make_scanner(device.port, double_read_window=0.4)
        seen.wait_status(ScannerStatus.CONNECTED)
        device.write(device.frame("CMD:YES") * 3)  # one trigger pull, read three times
        device.send("TI-000001")
        device.send("CMD:YES")  # a different code came between: this one counts
        seen.wait_for("2 + 1 scans", lambda: len(seen.scans) == 3)
        time.sleep(0.45)
        device.send("CMD:YES")  # the inspector answers the next question the same way
        seen.wait_for("the rescan", lambda: len(seen.scans) == 4)
        time.sleep(0.1)
        assert seen.scans == ["CMD:YES", "TI-000001", "CMD:YES", "CMD:YES"]

    def test_a_failing_callback_does_not_stop_the_reader(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        seen = Collector()
        calls: list[str] = []

        def broken(scan: Scan) -> None:
            calls.append(scan.text)
            if len(calls) == 1:
                raise RuntimeError("a bug in a screen")

        scanner = SerialScanner(settings(device.port), broken, seen.on_unreadable, seen.on_state)
        scanner.start()
        try:
            seen.wait_status(ScannerStatus.CONNECTED)
            device.send("TI-000001")
            device.send("TI-000002")
            seen.wait_for("both scans", lambda: calls == ["TI-000001", "TI-000002"])
            assert seen.status() is ScannerStatus.CONNECTED
        finally:
            scanner.stop()
            assert scanner.join(2.0)


class TestSeededStreams:
    @staticmethod
    def pump(
        stream_seed: int,
        frames: int,
        device: SimulatedScanner,
        seen: Collector,
        mode: Literal["line", "stx"] = "line",
    ) -> None:
        stream = make_stream(stream_seed, frames, mode=mode, max_frame_length=64)
        seen.wait_status(ScannerStatus.CONNECTED)
        for index, segment in enumerate(stream.segments):
            for chunk in segment:  # back to back: the reader sees them split and merged
                device.write(chunk)
            if index < len(stream.expected_before_pause):
                # A half-sent frame ends the segment: the line stays quiet until the
                # driver has reported it, which is the pause the inter-char timeout needs.
                want = stream.expected_before_pause[index]
                seen.wait_for(f"{want} events", partial(reached, seen, want))
        seen.wait_for(
            f"{len(stream.expected)} events",
            lambda: len(seen.events) >= len(stream.expected),
            timeout=30,
        )
        time.sleep(CHAR_TIMEOUT * 2)  # anything extra would show up now
        assert_stream(list(seen.events), stream.expected)
        assert seen.statuses == [ScannerStatus.CONNECTING, ScannerStatus.CONNECTED]

    def test_a_thousand_frames(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        _, seen = make_scanner(device.port)
        self.pump(11, 1_000, device, seen)

    @pytest.mark.slow
    def test_ten_thousand_frames(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        _, seen = make_scanner(device.port)
        self.pump(2024, 10_000, device, seen)

    def test_stx_etx_frames(self, tmp_path: Path, make_scanner: Any) -> None:
        with SimulatedScanner(link=tmp_path / "scanner", terminator="STX/ETX") as device:
            framing = FramingSettings(
                terminator="STX/ETX", inter_char_timeout=CHAR_TIMEOUT, max_frame_length=64
            )
            _, seen = make_scanner(device.port, framing=framing)
            self.pump(5, 1_000, device, seen, mode="stx")


# --- unplugging -----------------------------------------------------------------------------


class TestUnplugAndReplug:
    def test_unplugged_mid_frame_then_back_behind_the_same_link(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        released_at_disconnect: list[bool] = []
        first_device = device.device
        states = Collector()

        def on_state(state: ScannerState) -> None:
            # At the moment DISCONNECTED is shown, is the old device still held open?
            if state.status is ScannerStatus.DISCONNECTED and not released_at_disconnect:
                released_at_disconnect.append(first_device not in open_ttys())
            states.on_state(state)

        scanner, seen = make_scanner(
            device.port,
            on_state=on_state,
            framing=FramingSettings(inter_char_timeout=5.0),  # only the unplug may end it
        )
        seen.states = states.states  # one list of states to wait on
        seen.wait_status(ScannerStatus.CONNECTED)
        assert first_device in open_ttys()
        device.send("TI-000001")
        seen.wait_for("the first scan", lambda: seen.scans == ["TI-000001"])

        device.send_half("TI-000002")
        time.sleep(0.3)  # the reader has the half frame (it polls every 50 ms)
        device.unplug()  # the cable is pulled mid-frame
        seen.wait_status(ScannerStatus.DISCONNECTED, timeout=2.0)
        assert released_at_disconnect == [True]  # the port was closed before it was shown
        assert scanner.state.label == "SCANNER DISCONNECTED"
        assert scanner.state.problem
        assert seen.notices == [R.DISCONNECTED]  # the half frame: one notice, not a scan

        time.sleep(1.5)  # unplugged for a while: retries back off, nothing else happens
        assert seen.status() is ScannerStatus.DISCONNECTED
        device.plug()  # a new pty behind the same link (the kernel may reuse the number)
        seen.wait_status(ScannerStatus.CONNECTED, timeout=2.0)  # backoff capped at 1 s
        assert scanner.state.device == device.device
        assert scanner.state.label == "SCANNER CONNECTED"
        device.send("TI-000003")
        seen.wait_for("the next scan", lambda: "TI-000003" in seen.scans)
        time.sleep(0.3)
        assert seen.scans == ["TI-000001", "TI-000003"]  # once, and nothing of TI-000002
        assert seen.notices == [R.DISCONNECTED]

    def test_usb_vid_pid_follows_the_scanner_to_a_new_tty(
        self, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        usb = FakeUsb()
        with (
            SimulatedScanner() as before,
            SimulatedScanner() as after,  # the same scanner, replugged: a new tty name
            SimulatedScanner() as other,
        ):
            assert before.device != after.device
            usb.ports = [usb_port(other.device, vid=0x1A86), usb_port(before.device)]
            scanner, seen = make_scanner("0c2e:0b61", comports=usb)
            seen.wait_status(ScannerStatus.CONNECTED)
            assert scanner.state.device == before.device  # not the other vendor's port
            before.send("TI-000001")
            seen.wait_for("a scan", lambda: seen.scans == ["TI-000001"])

            usb.ports = usb.ports[:1]  # unplugged: gone from the USB list and the tty closes
            before.unplug()
            seen.wait_status(ScannerStatus.DISCONNECTED)
            seen.wait_for(
                "the not-found problem",
                lambda: "No USB scanner 0c2e:0b61" in (scanner.state.problem or ""),
            )
            usb.ports = [*usb.ports, usb_port(after.device)]  # plugged in again, elsewhere
            seen.wait_status(ScannerStatus.CONNECTED, timeout=2.0)
            assert scanner.state.device == after.device
            after.send("TI-000002")
            seen.wait_for("the scan after replug", lambda: seen.scans == ["TI-000001", "TI-000002"])

    def test_retries_back_off_to_at_most_one_second(
        self, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        usb = FakeUsb()
        scanner, seen = make_scanner("0c2e:0b61", comports=usb)
        time.sleep(2.8)  # retries at about 0, .05, .15, .35, .75, 1.55, 2.55 s
        gaps = [later - earlier for earlier, later in zip(usb.calls, usb.calls[1:], strict=False)]
        assert gaps[0] < 0.2  # the first retry is quick: a replug takes a moment
        assert all(gap < 1.0 + 0.15 for gap in gaps), gaps  # capped at one second
        assert gaps[-1] > 0.9, gaps  # ...and it got there: no spinning
        assert len(usb.calls) < 12
        # Each failed retry is not news: the header was told once.
        assert seen.statuses == [ScannerStatus.CONNECTING, ScannerStatus.DISCONNECTED]
        with SimulatedScanner() as device:
            usb.ports = [usb_port(device.device)]
            appeared = time.monotonic()
            seen.wait_status(ScannerStatus.CONNECTED, timeout=2.0)
            assert time.monotonic() - appeared < 1.2
            scanner.stop()
            assert scanner.join(1.0)

    def test_a_port_that_is_missing_at_start_is_picked_up_when_it_appears(
        self, tmp_path: Path, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        link = tmp_path / "usb-Scanner-if00"
        scanner, seen = make_scanner(link)
        seen.wait_status(ScannerStatus.DISCONNECTED)
        assert scanner.state.problem == f"No scanner at {link}: is it plugged in?"
        with SimulatedScanner(link=link) as device:
            seen.wait_status(ScannerStatus.CONNECTED, timeout=2.0)
            device.send("EMP-0042")
            seen.wait_for("a scan", lambda: seen.scans == ["EMP-0042"])

    def test_an_unexpected_error_while_opening_is_retried_not_fatal(
        self, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        usb = FakeUsb()
        failures = iter([RuntimeError("sysfs hiccup"), KeyError("vid")])

        def flaky() -> list[SimpleNamespace]:
            error = next(failures, None)
            if error is not None:
                raise error
            return usb()

        with SimulatedScanner() as device:
            usb.ports = [usb_port(device.device)]
            _, seen = make_scanner("0c2e:0b61", comports=flaky)
            seen.wait_status(ScannerStatus.CONNECTED)
            assert ScannerStatus.DISCONNECTED in seen.statuses
            device.send("TI-000001")
            seen.wait_for("a scan", lambda: seen.scans == ["TI-000001"])

    def test_a_port_in_use_by_another_program_is_reported(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        _, first = make_scanner(device.port)
        first.wait_status(ScannerStatus.CONNECTED)
        second, seen = make_scanner(device.port)
        seen.wait_status(ScannerStatus.DISCONNECTED)
        assert "in use by another program" in (second.state.problem or "")


def reached(seen: Collector, count: int) -> bool:
    return len(seen.events) >= count


class FakeUsb:
    """Stands in for `serial.tools.list_ports.comports`: the USB devices plugged in now."""

    def __init__(self) -> None:
        self.ports: list[SimpleNamespace] = []
        self.calls: list[float] = []

    def __call__(self) -> list[SimpleNamespace]:
        self.calls.append(time.monotonic())
        return list(self.ports)


def usb_port(device: str, vid: int = 0x0C2E, pid: int = 0x0B61) -> SimpleNamespace:
    return SimpleNamespace(
        device=device, vid=vid, pid=pid, serial_number="17042B1234", description="Scanner"
    )


# --- stopping, URLs, the factory -------------------------------------------------------------


class TestStopping:
    def test_stop_returns_at_once_and_the_thread_closes_the_port(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        scanner, seen = make_scanner(device.port)
        seen.wait_status(ScannerStatus.CONNECTED)
        assert device.device in open_ttys()
        began = time.perf_counter()
        scanner.stop()
        assert time.perf_counter() - began < 0.005
        assert scanner.join(1.0)
        assert device.device not in open_ttys()
        assert seen.statuses[-1] is ScannerStatus.STOPPED

    def test_stop_while_waiting_to_retry(
        self, tmp_path: Path, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        scanner, seen = make_scanner(tmp_path / "absent", backoff_first=1.0)
        seen.wait_status(ScannerStatus.DISCONNECTED)
        began = time.monotonic()
        scanner.stop()
        assert scanner.join(1.0)
        assert time.monotonic() - began < 0.2

    def test_a_scanner_starts_once(
        self, device: SimulatedScanner, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        scanner, _ = make_scanner(device.port)
        with pytest.raises(RuntimeError):
            scanner.start()


class TestUrls:
    def test_loop_url_opens(
        self, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        scanner, seen = make_scanner("loop://")
        seen.wait_status(ScannerStatus.CONNECTED)
        assert scanner.state.device == "loop://"

    def test_a_scanner_behind_a_serial_to_network_bridge(
        self, make_scanner: Callable[..., tuple[SerialScanner, Collector]]
    ) -> None:
        with socket.create_server(("127.0.0.1", 0)) as server:
            server.settimeout(5)
            host, port = server.getsockname()
            _, seen = make_scanner(f"socket://{host}:{port}")
            connection, _ = server.accept()
            seen.wait_status(ScannerStatus.CONNECTED)
            connection.sendall(b"TI-000001\rTI-0")
            seen.wait_for("a scan", lambda: seen.scans == ["TI-000001"])
            connection.close()  # the bridge drops the link mid-frame
            seen.wait_status(ScannerStatus.DISCONNECTED)
            assert seen.notices == [R.DISCONNECTED]
            connection, _ = server.accept()  # the driver dials again
            seen.wait_status(ScannerStatus.CONNECTED)
            connection.sendall(b"TI-000002\r")
            seen.wait_for("the scan after reconnecting", lambda: len(seen.scans) == 2)
            connection.close()
        assert seen.scans == ["TI-000001", "TI-000002"]


class TestFromConfig:
    def test_each_kind(self, tmp_path: Path) -> None:
        seen = Collector()
        callbacks: dict[str, Any] = {
            "on_scan": seen.on_scan,
            "on_unreadable": seen.on_unreadable,
            "on_state": seen.on_state,
        }

        def config(**scanner: Any) -> Any:
            return parse_config({"station": {"id": "T"}, "scanner": scanner}, base_dir=tmp_path)

        assert scanner_from_config(config(kind="wedge").scanner, **callbacks) is None
        serial = scanner_from_config(
            config(
                kind="serial", port="0c2e:0b61", baud=115200, parity="even", terminator="LF"
            ).scanner,
            **callbacks,
        )
        assert isinstance(serial, SerialScanner)
        assert serial.settings.describe() == "115200 8E1, LF"
        assert serial.settings.double_read_window == 1.5
        assert serial.settings.framing.inter_char_timeout == 0.2

    def test_the_simulated_kind_goes_through_the_serial_driver(self, tmp_path: Path) -> None:
        seen = Collector()
        config = parse_config(
            {"station": {"id": "T"}, "scanner": {"kind": "simulated"}}, base_dir=tmp_path
        )
        driver = scanner_from_config(
            config.scanner,
            on_scan=seen.on_scan,
            on_unreadable=seen.on_unreadable,
            on_state=seen.on_state,
        )
        assert isinstance(driver, SimulatedSerialScanner)
        pty = driver.device.device
        driver.start()
        try:
            seen.wait_status(ScannerStatus.CONNECTED)
            driver.scan("TI-000123")
            seen.wait_for("the scan", lambda: seen.scans == ["TI-000123"])
            scan = seen.events[0]
            assert isinstance(scan, Scan) and scan.source is ScanSource.SIMULATED
        finally:
            driver.stop()
            assert driver.join(2.0)
        assert not driver.device.plugged and pty not in open_ttys()
        assert seen.statuses[-1] is ScannerStatus.STOPPED  # stopped, never "disconnected"
        assert ScannerStatus.DISCONNECTED not in seen.statuses


# --- the event loop ---------------------------------------------------------------------------


async def test_the_event_loop_is_never_blocked_by_the_driver(tmp_path: Path) -> None:
    """A ticker on the loop measures the longest gap while the driver connects, reads
    2,000 frames, loses the device, finds it again and is stopped; the callbacks post to
    the loop as the app will (`call_from_thread` is `call_soon_threadsafe` underneath)."""
    loop = asyncio.get_running_loop()
    device = SimulatedScanner(link=tmp_path / "usb-Scanner-if00")
    inbox: asyncio.Queue[Scan | Unreadable | ScannerState] = asyncio.Queue()

    def post(item: Scan | Unreadable | ScannerState) -> None:
        loop.call_soon_threadsafe(inbox.put_nowait, item)

    scanner = SerialScanner(settings(device.port), post, post, post)
    gaps: list[float] = []
    ticking = True

    async def ticker() -> None:
        last = loop.time()
        while ticking:
            await asyncio.sleep(0.002)
            now = loop.time()
            gaps.append(now - last)
            last = now

    async def until(what: str, condition: Callable[[Any], bool]) -> None:
        async with asyncio.timeout(5):
            while not condition(await inbox.get()):
                pass

    def is_status(status: ScannerStatus) -> Callable[[Any], bool]:
        return lambda item: isinstance(item, ScannerState) and item.status is status

    scans = 0

    def count_scans(item: Any) -> bool:
        nonlocal scans
        scans += isinstance(item, Scan)
        return scans == 2_000

    tick = asyncio.create_task(ticker())
    try:
        await asyncio.sleep(0.05)
        scanner.start()  # connect
        await until("connected", is_status(ScannerStatus.CONNECTED))
        frames = b"".join(device.frame(f"TI-{n:06d}") for n in range(2_000))
        await asyncio.to_thread(device.write, frames)  # read
        await until("2,000 scans", count_scans)
        await asyncio.to_thread(device.unplug)  # disconnect
        await until("disconnected", is_status(ScannerStatus.DISCONNECTED))
        await asyncio.to_thread(device.plug)
        await until("reconnected", is_status(ScannerStatus.CONNECTED))
        scanner.stop()  # close
        await until("stopped", is_status(ScannerStatus.STOPPED))
    finally:
        ticking = False
        await tick
        scanner.stop()
        device.close()
    assert len(gaps) > 50  # the ticker ran all along
    print(f"longest gap between ticks: {max(gaps) * 1000:.1f} ms over {len(gaps)} ticks")
    assert max(gaps) < 0.05, f"the loop was blocked {max(gaps) * 1000:.0f} ms"
