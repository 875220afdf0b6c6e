"""`bench report`: the real command on a central (SQLite and PostgreSQL) holding the small
site of tests/support/supervision.py, its files compared with the site recounted by hand."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main
from store.central import central_engine, init_central
from tests.support import supervision as site

Seeded = tuple[str, list[dict[str, Any]]]  # central's URL, the rows written to it
HEADER = "station_id,inspector_id,inspections,accept,revise,reject,hold,median_seconds"
COLUMNS = HEADER.split(",")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def central(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    url = (
        request.getfixturevalue("pg_url")
        if request.param == "postgres"
        else f"sqlite:///{tmp_path / 'central.db'}"
    )
    init_central(url)
    engine = central_engine(url)
    rows = site.seed_central(engine)
    engine.dispose()
    yield url, rows


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[station]\nid = "B-01"\n[scanner]\nkind = "wedge"\n'
        '[site]\ntime_zone = "America/New_York"\n',
        encoding="utf-8",
    )
    return path


def report(config: Path, url: str, *args: str) -> list[str]:
    return ["--config", str(config), "report", *args, "--url", url]


WINDOW = ("--since", "2026-11-24T08:00", "--until", "2026-11-24T16:00")  # New York time


def test_throughput_csv_is_the_recount(central: Seeded, config: Path, tmp_path: Path) -> None:
    url, rows = central
    out = tmp_path / "throughput.csv"
    assert main(report(config, url, "throughput", *WINDOW, "--format", "csv", "-o", str(out))) == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    expected = [
        {name: str(row[name]) for name in COLUMNS}
        for row in site.recount_throughput(rows, site.SINCE, site.UNTIL)
    ]
    assert list(csv.DictReader(io.StringIO(text))) == expected
    assert len(expected) == 12  # 3 stations x 4 inspectors


def test_throughput_json_to_standard_output(
    central: Seeded, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, rows = central
    assert main(report(config, url, "throughput", *WINDOW, "--format", "json")) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["source"], document["columns"]) == ("central", COLUMNS)
    assert document["since"] == "2026-11-24T08:00:00-05:00"
    assert document["rows"] == [
        {name: row[name] for name in COLUMNS}
        for row in site.recount_throughput(rows, site.SINCE, site.UNTIL)
    ]


def test_stuck_in_csv_and_json(central: Seeded, config: Path, tmp_path: Path) -> None:
    url, rows = central
    out = tmp_path / "stuck.csv"
    assert main(report(config, url, "stuck", "--format", "csv", "-o", str(out))) == 0
    found = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(found[0]) == ["kind", "request_id", "item_id", "since", "detail", "next_step"]
    assert [
        (line["kind"], line["request_id"], line["item_id"], datetime.fromisoformat(line["since"]))
        for line in found
    ] == site.recount_stuck(rows, by_supersedes=True)
    assert all(line["since"].endswith("-05:00") and line["next_step"] for line in found)
    as_json = tmp_path / "stuck.json"
    assert main(report(config, url, "stuck", "--format", "json", "-o", str(as_json))) == 0
    document = json.loads(as_json.read_text(encoding="utf-8"))
    assert document["rows"] == found


def test_quotes_with_cents_and_dollars(central: Seeded, config: Path, tmp_path: Path) -> None:
    url, rows = central
    out = tmp_path / "quotes.json"
    assert main(report(config, url, "quotes", "--format", "json", "-o", str(out))) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    today = datetime.now(UTC).astimezone(site.NEW_YORK).date()
    assert [
        (q["item_id"], q["response_due_on"], q["working_days_left"],
         q["state"] == "accepted by silence")
        for q in document["rows"]
    ] == [
        (item, due.isoformat(), left, past)
        for item, due, left, past in site.recount_quotes(rows, True, today)
    ]  # fmt: skip
    assert {(q["amount_cents"], q["amount_dollars"]) for q in document["rows"]} == {(1344, "13.44")}
    csv_out = tmp_path / "quotes.csv"
    assert main(report(config, url, "quotes", "-o", str(csv_out))) == 0
    assert csv_out.read_text(encoding="utf-8").splitlines()[0] == (
        "inspection_id,request_id,item_id,response_due_on,working_days_left,state,"
        "amount_cents,amount_dollars"
    )


def test_grading_says_there_are_none_yet(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "grading.csv"
    assert main(["--config", str(config), "report", "grading", "-o", str(out)]) == 0
    assert "No second gradings exist yet" in capsys.readouterr().err
    assert not out.exists()


def test_an_unreachable_central_is_said_plainly(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BENCH_CENTRAL_URL", "postgresql://bench:SECRET@127.0.0.1:9/trade_in")
    out = tmp_path / "throughput.csv"
    code = main(["--config", str(config), "report", "throughput", *WINDOW, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("bench: Central database postgresql://bench:***@127.0.0.1:9/trade_in: ")
    assert "Check the URL" in err and "SECRET" not in err and "Traceback" not in err
    assert not out.exists()


def test_a_time_that_is_no_time_is_refused(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(config), "report", "throughput", "--since", "last tuesday"])
    assert code == 1
    assert "--since 'last tuesday' is not a date or time" in capsys.readouterr().err
