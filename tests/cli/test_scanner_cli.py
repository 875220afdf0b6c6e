"""``bench scanner``: listing ports, --listen and simulate, run as a technician would.

--listen and simulate run as real `bench` processes against real ptys: the listener must
print each frame's raw bytes, text, symbology and meaning as the scanner sends it, and the
simulator must be a scanner the serial driver reads like any other (frames, garbage,
splits, half-sent frames, unplug and replug). Bad input ends in one plain line.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

import drivers.ports
from bench.cli import main
from drivers.framing import FramingSettings
from drivers.framing import UnreadableReason as R
from drivers.serial_scanner import ScannerStatus, SerialScanner, SerialSettings
from drivers.simulated import SimulatedScanner
from tests.support.commands import BENCH, assert_plain_failure, run
from tests.support.scanner_callbacks import Collector


class Process:
    """A `bench` process whose output lines are read on a thread, so waits can time out."""

    def __init__(self, *args: str, cwd: Path, stdin: bool = False) -> None:
        environment = {k: v for k, v in os.environ.items() if k != "BENCH_CENTRAL_URL"}
        self.popen = subprocess.Popen(
            [BENCH, *args],
            cwd=cwd,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, text: str, timeout: float = 10.0) -> str:
        """The next line containing `text` (earlier lines are kept in `seen`)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r}; got {self.seen}") from None
            self.seen.append(line)
            if text in line:
                return line

    def send(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()

    def finish(self, timeout: float = 10.0) -> tuple[int, str]:
        if self.popen.stdin is not None:
            self.popen.stdin.close()
        code = self.popen.wait(timeout)
        assert self.popen.stderr is not None
        return code, self.popen.stderr.read()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.kill()


# --- listing ------------------------------------------------------------------------------


def test_listing_the_ports_of_this_machine(tmp_path: Path) -> None:
    result = run("scanner", cwd=tmp_path)
    assert result.returncode == 0, result
    assert "No serial ports found" in result.stdout or 'config.toml: port = "' in result.stdout


def test_listing_shows_usb_ids_by_id_links_and_the_value_for_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    with SimulatedScanner() as scanner, SimulatedScanner() as plain:
        (by_id / "usb-Honeywell_Scanner_17042B1234-if00").symlink_to(scanner.device)
        ports = [
            SimpleNamespace(
                device=scanner.device,
                description="Honeywell 1900G",
                vid=0x0C2E,
                pid=0x0B61,
                serial_number="17042B1234",
            ),
            SimpleNamespace(
                device=plain.device, description="n/a", vid=None, pid=None, serial_number=None
            ),
        ]
        monkeypatch.setattr(drivers.ports, "system_comports", lambda: ports)
        monkeypatch.setattr(drivers.ports, "LINK_DIRS", (by_id,))
        config = tmp_path / "config.toml"
        config.write_text(
            f'[station]\nid = "B-07"\n[scanner]\nkind = "serial"\nport = "{by_id}/nope"\n'
        )
        assert main(["--config", str(config), "scanner"]) == 0
        devices = scanner.device, plain.device
    out = capsys.readouterr().out
    link = by_id / "usb-Honeywell_Scanner_17042B1234-if00"
    assert f"{devices[0]}  USB 0c2e:0b61, serial 17042B1234  Honeywell 1900G" in out
    assert f"    {link}\n" in out
    assert f'    config.toml: port = "{link}"' in out
    assert f'    config.toml: port = "{devices[1]}"' in out
    assert f"[scanner] port {by_id}/nope: No scanner at {by_id}/nope: is it plugged in?" in out


def test_listen_options_without_listen_are_refused(tmp_path: Path) -> None:
    message = assert_plain_failure(run("scanner", "--port", "/dev/ttyACM0", cwd=tmp_path), 1)
    assert "--port is for --listen" in message


# --- listening ------------------------------------------------------------------------------


def test_listen_prints_each_frame_as_it_arrives(tmp_path: Path, processes: list[Process]) -> None:
    with SimulatedScanner(link=tmp_path / "usb-Scanner-if00") as scanner:
        listener = Process(
            "scanner", "--listen", "--port", scanner.port, "--count", "5", cwd=tmp_path
        )
        processes.append(listener)
        listener.expect(f"Listening on {scanner.port} (9600 8N1, CR)")
        assert f"connected to {scanner.port} ({scanner.device})" in listener.expect("connected")
        scanner.send("TI-000123")
        scanner.send("]C10100614141999996" + "21ABC\x1d10LOT7", terminator="CRLF")
        scanner.write(b"TI-00\x00123\r")
        scanner.send("TI-000123")
        scanner.send("TI-000123")  # the same code again at once: a double read
        lines = [listener.expect(" raw ") for _ in range(5)]
        code, stderr = listener.finish()
    assert code == 0, stderr
    assert lines[0].endswith("raw TI-000123\\r  text TI-000123  symbology -  => Request TI-000123")
    assert (
        "raw ]C10100614141999996" + "21ABC\\x1d10LOT7\\r\\n  text 0100614141999996"
        "21ABC\\x1d10LOT7  symbology ]C1  => GS1 GTIN 00614141999996, serial ABC, batch LOT7"
    ) in lines[1]
    assert lines[2].endswith(
        "raw TI-00\\x00123\\r  UNREADABLE (control_bytes): The scanner sent control "
        "characters — scan again"
    )
    assert "[double read" not in lines[3]
    assert lines[4].endswith("=> Request TI-000123  [double read: the bench ignores it]")
    assert "Traceback" not in stderr


def test_listen_takes_the_settings_from_the_config_and_shows_disconnects(
    tmp_path: Path, processes: list[Process]
) -> None:
    link = tmp_path / "usb-Scanner-if00"
    (tmp_path / "config.toml").write_text(
        f'[station]\nid = "B-07"\n[scanner]\nkind = "serial"\nport = "{link}"\n'
        'baud = 115200\nterminator = "STX/ETX"\n'
    )
    with SimulatedScanner(link=link, terminator="STX/ETX") as scanner:
        listener = Process("scanner", "--listen", "--count", "2", cwd=tmp_path)
        processes.append(listener)
        listener.expect(f"Listening on {link} (115200 8N1, STX/ETX)")
        listener.expect("connected")
        scanner.send("EMP-0042")
        assert listener.expect(" raw ").endswith(
            "raw \\x02EMP-0042\\x03  text EMP-0042  symbology -  => Badge EMP-0042"
        )
        scanner.unplug()
        assert "DISCONNECTED: Scanner disconnected" in listener.expect("DISCONNECTED")
        scanner.plug()
        listener.expect("connected")
        scanner.send("CMD:YES")
        assert listener.expect(" raw ").endswith("=> Command YES")
        code, stderr = listener.finish()
    assert code == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("config", "args", "code", "says"),
    [
        (None, (), 1, "No config.toml to take the scanner's port from: pass --port"),
        ('kind = "wedge"\n', (), 1, 'has [scanner] kind = "wedge": there is no serial port'),
        (None, ("--port", "/dev/x", "--parity", "N"), 2, "[scanner] parity must be one of"),
        (None, ("--port", "/dev/x", "--count", "0"), 1, "--count must be at least 1"),
    ],
)
def test_listen_refuses_what_it_cannot_use(
    tmp_path: Path, config: str | None, args: tuple[str, ...], code: int, says: str
) -> None:
    if config is not None:
        (tmp_path / "config.toml").write_text(f'[station]\nid = "B-07"\n[scanner]\n{config}')
    message = assert_plain_failure(run("scanner", "--listen", *args, cwd=tmp_path), code)
    assert says in message


# --- the simulated scanner ----------------------------------------------------------------------


def test_simulate_is_a_scanner_the_driver_reads(tmp_path: Path, processes: list[Process]) -> None:
    link = tmp_path / "bench-scanner"
    simulator = Process("scanner", "simulate", "--link", str(link), cwd=tmp_path, stdin=True)
    processes.append(simulator)
    assert f'port = "{link}"' in simulator.expect("Simulated scanner at")
    seen = Collector()
    reader = SerialScanner(
        SerialSettings(
            port=str(link),
            framing=FramingSettings(inter_char_timeout=0.1),
            double_read_window=0.0,
        ),
        seen.on_scan,
        seen.on_unreadable,
        seen.on_state,
    )
    reader.start()
    try:
        seen.wait_status(ScannerStatus.CONNECTED)
        for line, done in [
            ("TI-000123", "sent TI-000123\\r"),
            ("!split ]C1EMP-0042", "sent ]C1EMP-0042\\r"),
            ("!garbage", "sent "),
            ("!half TI-000777", "sent TI-00"),
            ("!crlf CMD:YES", "sent CMD:YES\\r\\n"),
            ("!raw 41424344310d", "sent ABCD1\\r"),
            ("!!BANG", "sent !BANG\\r"),
            ("!nonsense", "unknown command !nonsense"),
        ]:
            simulator.send(line)
            simulator.expect(done)
            if line.startswith("!half"):  # what followed at once would be read as its tail
                seen.wait_for("the cut-off notice", lambda: R.INCOMPLETE in seen.notices)
        seen.wait_for("5 scans", lambda: len(seen.scans) == 5)
        assert seen.scans == ["TI-000123", "EMP-0042", "CMD:YES", "ABCD1", "!BANG"]
        assert len(seen.notices) == 2
        assert seen.notices[0] in (R.CONTROL_BYTES, R.UNDECODABLE)
        assert seen.notices[1] is R.INCOMPLETE

        simulator.send("!unplug")
        simulator.expect("unplugged")
        seen.wait_status(ScannerStatus.DISCONNECTED)
        simulator.send("TI-000999")
        simulator.expect("unplugged: !plug first")
        simulator.send("!plug")
        simulator.expect(f"plugged in at {link}")
        seen.wait_status(ScannerStatus.CONNECTED, timeout=3.0)
        simulator.send("EMP-0043")
        seen.wait_for("the scan after replug", lambda: seen.scans[-1:] == ["EMP-0043"])
        code, stderr = simulator.finish()
    finally:
        reader.stop()
        reader.join(2.0)
    assert code == 0, stderr
    assert not link.is_symlink()  # the link goes with the simulator


def test_simulate_help_and_refusals(tmp_path: Path) -> None:
    result = run("scanner", "simulate", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "!unplug" in result.stdout and "!garbage" in result.stdout
    taken = tmp_path / "taken"
    taken.write_text("not a link")
    message = assert_plain_failure(run("scanner", "simulate", "--link", str(taken), cwd=tmp_path))
    assert "exists and is not a link" in message
    missing = tmp_path / "no" / "such" / "folder" / "link"
    message = assert_plain_failure(run("scanner", "simulate", "--link", str(missing), cwd=tmp_path))
    assert "is not a folder" in message
