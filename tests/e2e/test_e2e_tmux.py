"""The bench in a real terminal: `bench --config` under tmux, scans typed like a wedge scanner.

The Pilot tests drive the app in-process; this one runs the console script exactly as a
station does (its own process, a real pty, a real TERM, a config file on disk) and types
into it the way a keyboard-wedge scanner does: a burst of characters and an Enter within
milliseconds. It reads what a person would read (`capture-pane`), answers the checklist by
the question on screen, quits with ctrl+q and then checks what reached the station
database and the log file.

A private tmux server (`-L bench-e2e-<random>`) keeps it away from any tmux the developer
runs; it is killed at the end whatever happens.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench.cli.demo import seed_central
from bench.demo_data import demo_dataset
from store.local import LocalStore
from tests.support.store_helpers import finished_inspection, outbox_rows
from tests.support.tmux import (
    BADGE,
    BENCH,
    OUTCOME,
    PIN,
    StationFiles,
    Terminal,
    answer_checklist,
    bench_in_tmux,
    log_in,
    quit_bench,
)

pytestmark = pytest.mark.slow

STATION_ID = "E2E-1"
REQUEST = "TI-000001"
ITEM = "TI-000001-01"


@pytest.fixture
def station_files(tmp_path: Path) -> StationFiles:
    central = f"sqlite:///{tmp_path / 'central.db'}"
    dataset = demo_dataset(date.today(), request_count=40)
    seed_central(central, dataset)
    # The hint for the request's device: the code that is not the request id itself.
    serial = next(
        h.code for h in dataset.scan_hints if REQUEST in h.description and h.code != REQUEST
    )
    local_db, log = tmp_path / "station.db", tmp_path / "bench.log"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[station]\nid = "{STATION_ID}"\n\n'
        '[scanner]\nkind = "wedge"\n\n'
        f'[store]\nlocal_path = "{local_db}"\ncentral_url = "{central}"\n\n'
        f'[log]\npath = "{log}"\n\n'
        # No inspection picked for a second grading by chance: the screens stay as read.
        "[grading]\nsecond_share = 0\n",
        encoding="utf-8",
    )
    return StationFiles(tmp_path, config, local_db, log, serial)


@pytest.fixture
def terminal(station_files: StationFiles) -> Iterator[Terminal]:
    with bench_in_tmux(station_files) as term:
        yield term


def test_station_inspection_in_a_real_terminal(
    terminal: Terminal, station_files: StationFiles
) -> None:
    term = terminal
    log_in(term)

    # A label the station does not know: said plainly, and the bench carries on.
    term.wedge("TI-999999")
    term.wait_text("Unknown request", "TI-999999")
    assert term.exit_status() is None, "the bench died on an unknown request"

    # The package, then its device.
    term.wedge(REQUEST)
    term.wait_text(REQUEST, "Wyze Cam Pan v2", station_files.device_serial, "waiting")
    term.wedge(station_files.device_serial)
    term.wait_text(ITEM, "Question 1 of")

    outcome = answer_checklist(term)
    shown = OUTCOME.search(outcome)
    assert shown is not None and shown.group(1) == "ACCEPT", outcome
    assert "REFURBISH" in outcome, outcome
    term.key("Enter")
    term.wait_for(
        f"{ITEM} shown as accepted on the request screen",
        lambda s: re.search(r"^\s*01\s+Wyze Cam Pan v2.*ACCEPT", s, re.MULTILINE) is not None,
    )

    quit_bench(term)

    store = LocalStore.open(station_files.local_db)
    try:
        outbox = [r for r in outbox_rows(store) if r.payload.get("request_item_id") == ITEM]
        assert len(outbox) == 1, outbox
        inspection_id = outbox[0].inspection_id
        finished = finished_inspection(store, inspection_id)
        assert finished is not None
        assert finished.started.request_item_id == ITEM
        assert finished.decision.outcome.value == "accept"
        assert finished.started.station_id == STATION_ID
        assert finished.started.inspector_id == BADGE
        assert finished.started.scanned_code == station_files.device_serial
        assert outbox[0].payload["outcome"] == "accept"
    finally:
        store.close()

    assert station_files.log.exists()
    log = station_files.log.read_text(encoding="utf-8")
    assert f"inspection {inspection_id} confirmed: accept" in log, log


# --- a central the portal filled by hand, poison rows and all ---------------------------

GOOD_REQUEST, GOOD_ITEM, GOOD_SERIAL = "TI-000101", "TI-000101-01", "WYZEGOOD00001"
# Only the contract's columns (DESIGN.md), as a portal that knows nothing of the bench's
# own would write them; the last rows are what no station can use.
PORTAL_SQL = """
INSERT INTO programs (code, name, kind, max_items, max_age_years, ship_window_days,
    quote_valid_days, revise_response_working_days, ineligible_disposition, value_cap_cents)
VALUES ('WYZE-TU', 'Wyze Trade-Up', 'trade_up', 1, 4, 14, 14, 5, 'recycle', NULL);
INSERT INTO catalog_models (sku, program_code, brand, name, released_on, base_value_cents,
    has_storage, gtins)
VALUES ('WYZE-PAN-V2', 'WYZE-TU', 'Wyze', 'Wyze Cam Pan v2', '2019-01-01', 2000, false,
    ARRAY['00810014960256']),
    ('WYZE-NULL-GTIN', 'WYZE-TU', 'Wyze', 'Wyze Cam v3', '2020-01-01', 2000, false,
    ARRAY[NULL]::text[]);
INSERT INTO requests (id, program_code, customer_ref, created_at, tracking_number,
    shipping_cost_cents, status)
VALUES ('TI-000101', 'WYZE-TU', 'CUST-101', now() - interval '2 days', NULL, 809, 'received'),
    ('TI-000102', 'WYZE-TU', 'CUST-102', now() - interval '2 days', NULL, 809, 'received');
INSERT INTO request_items (id, request_id, sku, declared_serial, declared_condition,
    purchased_on, offer_cents, quoted_at)
VALUES ('TI-000101-01', 'TI-000101', 'WYZE-PAN-V2', 'WYZEGOOD00001', 'good', '2025-06-01',
    1500, now() - interval '2 days'),
    ('TI-000102-01', 'TI-000102', 'WYZE-PAN-V2', NULL, 'good', '12000-01-01',
    1500, now() - interval '2 days'),
    ('TI-000102-02', 'TI-000102', 'WYZE-PAN-V2', NULL, 'good', '2025-06-01',
    -5000, now() - interval '2 days');
INSERT INTO inspectors (id, name, role, pin_hash, active)
VALUES ('EMP-0001', 'Ana Inspector', 'inspector', %(pin_hash)s, true);
"""


@pytest.mark.postgres
def test_a_station_on_a_central_with_poison_rows(tmp_path: Path, pg_url: str) -> None:
    """The good request is inspected end to end; the rows no station can use are counted
    in the header, never stop the rest, and `bench sync --once` lists them and exits 0."""
    import psycopg

    from bench.pins import hash_pin
    from store.central import init_central

    init_central(pg_url)
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql")) as conn:
        for statement in filter(str.strip, PORTAL_SQL.split(";")):
            params = {"pin_hash": hash_pin(PIN)} if "%(pin_hash)s" in statement else None
            conn.execute(statement, params)
    local_db, log = tmp_path / "station.db", tmp_path / "bench.log"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[station]\nid = "{STATION_ID}"\n\n[scanner]\nkind = "wedge"\n\n'
        f'[store]\nlocal_path = "{local_db}"\ncentral_url = "{pg_url}"\n\n'
        f'[log]\npath = "{log}"\n',
        encoding="utf-8",
    )
    files = StationFiles(tmp_path, config, local_db, log, GOOD_SERIAL)
    with bench_in_tmux(files) as term:
        log_in(term)
        term.wait_text("3 SKIPPED (F7)")
        term.wedge(GOOD_REQUEST)
        term.wait_text(GOOD_REQUEST, "Wyze Cam Pan v2", "waiting")
        term.wedge(GOOD_SERIAL)
        term.wait_text(GOOD_ITEM, "Question 1 of")
        outcome = answer_checklist(term)
        found = OUTCOME.search(outcome)
        assert found is not None and found.group(1) == "ACCEPT", outcome
        term.key("Enter")
        term.wait_text("ALL DONE")
        term.wedge("TI-000102")  # both of its items were skipped: it says so
        term.wait_text("ITEMS MISSING")
        quit_bench(term)

    env = {k: v for k, v in os.environ.items() if k != "BENCH_CENTRAL_URL"}
    done = subprocess.run(
        [str(BENCH), "--config", str(config), "sync", "--once"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    listed = done.stdout + done.stderr
    for key in ("TI-000102-01", "TI-000102-02", "WYZE-NULL-GTIN"):
        assert key in listed, listed
    assert "ONLINE: sent 0" in done.stdout  # the inspection went up while the bench ran
