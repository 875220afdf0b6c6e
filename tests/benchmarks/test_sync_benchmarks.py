"""The push, pull, supervisor and PIN guess benchmarks hand `python -m benchmarks` real
figures: a quick run of each measures what it names, against its yardstick where it has one."""

from __future__ import annotations

import os
import time

import pytest

from benchmarks import pin_guess, pull, push, supervisor

needs_postgres = pytest.mark.skipif(
    not os.environ.get("BENCH_TEST_PG_URL"), reason="BENCH_TEST_PG_URL is not set"
)


def test_pin_guess_times_the_kdf_against_the_median_guess() -> None:
    (figure,) = pin_guess.figures(quick=True)
    assert len(figure.samples) == 5
    assert figure.value == min(figure.samples) > 0
    assert figure.yardstick_value == figure.median
    assert figure.met is None  # documented, not held to a target


def test_a_run_counts_the_cpu_it_burned_not_the_time_it_waited() -> None:
    def spin() -> None:
        until = time.perf_counter() + 0.2
        while time.perf_counter() < until:
            pass

    (spun, _), (slept, _) = push.Run.of(spin), push.Run.of(lambda: time.sleep(0.2))
    assert spun.seconds >= 0.2 and slept.seconds >= 0.2
    assert spun.process_cpu > 0.15 and slept.process_cpu < 0.05
    # One core spinning is at least its share of the machine's, most of the time.
    assert 0.8 / (os.cpu_count() or 1) <= spun.machine_busy <= 1
    assert 0 <= slept.machine_busy <= 1


@pytest.mark.slow
@pytest.mark.postgres
@needs_postgres
def test_push_is_measured_against_copy_of_the_same_rows_and_the_orm_loop() -> None:
    against_copy, against_orm = push.figures(quick=True)
    assert len(against_copy.samples) == 2  # one rate per alternated run
    assert against_copy.yardstick_value is not None and against_copy.yardstick_value > 0
    assert against_copy.ratio is not None
    per_run = against_copy.note.split(";")[0].removeprefix("per run ").split(", ")
    assert len(per_run) == 2 and all(r.endswith("x") for r in per_run)
    # Met only when every run is at 0.8x COPY, so never when the median run is below it.
    assert against_copy.met == (min(float(r[:-1]) for r in per_run) >= 0.8)
    assert "COPY of the inspections alone" in against_copy.note
    assert "pushing, " in against_copy.note and "of both cores busy" in against_copy.note
    assert against_orm.ratio is not None and against_orm.ratio > 1  # COPY beats a row a commit


@pytest.mark.slow
@pytest.mark.postgres
@needs_postgres
def test_pull_counts_every_request_and_item_it_replicated() -> None:
    rate, memory = pull.figures(quick=True)
    # 20,000 requests, an item each, and the one program.
    assert "40,001 rows" in rate.name
    assert rate.value > 0 and memory.unit == "MB" and memory.value > 0


@pytest.mark.slow
@pytest.mark.postgres
@needs_postgres
def test_supervisor_times_every_screen_and_the_years_report_on_a_small_seed() -> None:
    measured = supervisor.figures(quick=True)
    names = [f.name for f in measured]
    assert any("load (generate_series)" in n for n in names)
    screens = [f for f in measured if f.target == "< 200 ms"]
    assert len(screens) == 9
    assert all(len(f.samples) == supervisor.QUICK_RUNS for f in screens)
    (report,) = [f for f in measured if "bench report throughput" in f.name]
    assert report.target == "< 10 s" and report.note.endswith("rows")
