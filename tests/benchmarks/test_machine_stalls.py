"""The steps' yardstick for their tails: a bare process that notes the machine's stalls,
and which timings overlapped one."""

from __future__ import annotations

import os
import signal
import time

from benchmarks.station import STALL_MS, MachineStalls
from benchmarks.steps import STEPS, Measured, _cpu_note, _stalled_note


def test_a_stall_of_the_witness_is_noted_with_when_it_began() -> None:
    with MachineStalls() as stalls:
        process = stalls._process
        assert process is not None
        # The witness stopped for 80 ms is what a stalled machine does to it.
        before = time.perf_counter()
        os.kill(process.pid, signal.SIGSTOP)
        time.sleep(0.08)
        os.kill(process.pid, signal.SIGCONT)
        after = time.perf_counter()
        time.sleep(0.05)
    assert stalls.woke > 20
    assert stalls.longest >= 70
    # The stop is one stall, from when the witness was next due to wake (1 ms after it last
    # woke, before the stop) to when it woke after it.
    (at, stopped) = max(stalls.stalls, key=lambda stall: stall[1])
    assert at - 0.001 <= before and at + stopped / 1000 >= after
    assert stopped in stalls.during(before, after)
    assert stopped not in stalls.during(at + stopped / 1000 + 0.001, at + stopped / 1000 + 0.002)
    assert all(ms >= STALL_MS for _, ms in stalls.stalls)


def test_a_step_says_which_of_its_timings_a_stall_overlapped() -> None:
    stalls = MachineStalls()
    stalls.stalls = [(10.0, 30.0)]  # a 30 ms stall from t = 10 s
    windows = {step: [] for step in STEPS}
    windows[STEPS[0]] = [(9.0, 9.01), (10.02, 10.05), (11.0, 11.01)]
    measured = Measured({step: [] for step in STEPS}, windows, stalls, {step: [] for step in STEPS})
    assert measured.stalled(STEPS[0]) == [0.0, 30.0, 0.0]
    note = _stalled_note([10.0, 40.0, 12.0], measured.stalled(STEPS[0]))
    assert note.startswith("1 timing(s) overlapped a stall of the machine")
    assert "took 40.0 ms, in a stall of 30.0 ms" in note
    assert note.endswith("p99 of the other 2: 12.0 ms")
    assert _stalled_note([10.0], [0.0]) == "no timing overlapped a stall of the machine"


def test_a_step_gives_its_cpu_time_at_the_median_and_in_its_slowest_tenth() -> None:
    # Twenty timings: the two slowest (a tenth) waited half of their time.
    samples = [10.0] * 18 + [20.0, 30.0]
    cpu = [9.5] * 18 + [10.0, 14.0]
    note = _cpu_note(samples, cpu)
    assert (
        note
        == "the app's thread on the CPU 9.5 ms of the median 10.0, 12.0 of the slowest tenth's 25.0"
    )
