"""`bench report`: the real command on a central (SQLite and PostgreSQL) holding the small
site of tests/support/supervision.py, its files compared with the site recounted by hand."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from bench.cli import main
from store.central import central_engine, init_central, inspection_table
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
        # A request's line names no item: an empty cell.
        (line["kind"], line["request_id"], line["item_id"] or None,
         datetime.fromisoformat(line["since"]))
        for line in found
    ] == site.recount_stuck(rows, by_supersedes=True)  # fmt: skip
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


def graded(n: int, item: str, inspector: str, answers: dict[str, str], outcome: str,
           second_of: uuid.UUID | None = None) -> dict[str, Any]:  # fmt: skip
    """An inspection of the site's day with these answers (given in this order)."""
    row = site._inspection(200 + n, item, "B-01", inspector, outcome,
                           site.SHIFT + timedelta(hours=2, minutes=n), 60)  # fmt: skip
    row["answers"] = [
        {"question": q, "value": v, "source": "inspector", "reason": None,
         "inspector_id": inspector, "answered_at": row["finished_at"].isoformat()}
        for q, v in answers.items()
    ]  # fmt: skip
    return {**row, "second_of": second_of}


def test_grading_rows_are_the_recount_and_the_json_sums_them_up(
    central: Seeded, config: Path, tmp_path: Path
) -> None:
    url, _ = central
    firsts = [
        graded(0, "TI-900001-01", "EMP-0001", {"broken": "no", "dirty": "no"}, "accept"),
        graded(1, "TI-900002-01", "EMP-0003", {"broken": "yes", "defect": "cracked"}, "reject"),
    ]
    seconds = [
        graded(2, "TI-900001-01", "EMP-0003", {"broken": "no", "dirty": "yes"}, "reject",
               firsts[0]["id"]),
        # Not asked about the defect: only what both answered is compared.
        graded(3, "TI-900002-01", "EMP-0001", {"broken": "yes"}, "reject", firsts[1]["id"]),
        # Finished the next day: outside the window.
        graded(24 * 60, "TI-900001-01", "EMP-0002", {"broken": "no"}, "accept", firsts[0]["id"]),
    ]  # fmt: skip
    engine = central_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(inspection_table), [*firsts, *seconds])
    engine.dispose()
    expected = []
    for first, second in zip(firsts, seconds[:2], strict=True):
        ours = {a["question"]: a["value"] for a in first["answers"]} | {"outcome": first["outcome"]}
        theirs = {a["question"]: a["value"] for a in second["answers"]} | {
            "outcome": second["outcome"]
        }
        expected += [
            {"first_inspection_id": str(first["id"]), "second_inspection_id": str(second["id"]),
             "item_id": first["request_item_id"], "question": q,
             "first_inspector_id": first["inspector_id"], "first_answer": ours[q],
             "second_inspector_id": second["inspector_id"], "second_answer": theirs[q],
             "agree": str(ours[q] == theirs[q])}
            for q in ours if q in theirs
        ]  # fmt: skip
    assert len(expected) == 5  # broken, dirty, outcome; broken, outcome

    out = tmp_path / "grading.csv"
    assert main(report(config, url, "grading", *WINDOW, "-o", str(out))) == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "first_inspection_id,second_inspection_id,item_id,question,first_inspector_id,"
        "first_answer,second_inspector_id,second_answer,agree"
    )
    assert list(csv.DictReader(io.StringIO(text))) == expected

    as_json = tmp_path / "grading.json"
    assert main(report(config, url, "grading", *WINDOW, "--format", "json",
                       "-o", str(as_json))) == 0  # fmt: skip
    document = json.loads(as_json.read_text(encoding="utf-8"))
    assert [{**r, "agree": str(r["agree"])} for r in document["rows"]] == expected
    summary = document["summary"]
    assert summary["pairs"] == 2
    by_question = {q["question"]: q for q in summary["questions"]}
    assert (by_question["broken"]["compared"], by_question["broken"]["agreed"]) == (2, 2)
    # broken: no/no and yes/yes, kappa 1; outcome: accept/reject, reject/reject, kappa 0.
    assert by_question["broken"]["kappa"] == 1.0
    assert (by_question["outcome"]["rate"], by_question["outcome"]["kappa"]) == (0.5, 0.0)
    assert by_question["dirty"]["rate"] == 0.0
    by_inspector = {(i["inspector_id"], i["as"]): i for i in summary["inspectors"]}
    assert (by_inspector[("EMP-0001", "first")]["compared"],
            by_inspector[("EMP-0001", "first")]["agreed"]) == (3, 1)  # fmt: skip


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
