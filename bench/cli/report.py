"""`bench report throughput|stuck|quotes|grading`: the supervisor's figures from central,
as CSV or JSON, for a spreadsheet or the payroll and customer-service systems.

Read from central only (BENCH_CENTRAL_URL or `[store] central_url`): a report stands for
the whole site, so a station's own figures would be a wrong answer, not a fallback. Times
are written in the site's zone (`[site] time_zone`), money both as cents and as dollars.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.cli.common import CommandFailed, central_failed, central_url_of, os_reason
from bench.config import load_config, parse_config

if TYPE_CHECKING:
    from bench.supervision import FigureSource, QuoteDeadline, StuckLine, SupervisionSettings

THROUGHPUT_COLUMNS = (
    "station_id", "inspector_id", "inspections", "accept", "revise", "reject", "hold",
    "median_seconds",
)  # fmt: skip
STUCK_COLUMNS = ("kind", "request_id", "item_id", "since", "detail", "next_step")
QUOTE_COLUMNS = (
    "inspection_id", "request_id", "item_id", "response_due_on", "working_days_left",
    "state", "amount_cents", "amount_dollars",
)  # fmt: skip
GRADING_COLUMNS = (
    "first_inspection_id", "second_inspection_id", "item_id", "question",
    "first_inspector_id", "first_answer", "second_inspector_id", "second_answer", "agree",
)  # fmt: skip
# A grading report without --since covers every second grading central holds.
EVERYTHING = datetime(1970, 1, 1, tzinfo=UTC)


def add_commands(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="the supervisor's figures from central as CSV or JSON",
        description="Write a report from the central database. Times are read and written "
        "in the site's time zone ([site] time_zone); a time without a zone is taken in it.",
    )
    report.add_argument(
        "report",
        choices=("throughput", "stuck", "quotes", "grading"),
        help="throughput: inspections per station and inspector; stuck: what waits for a "
        "person, with the next step; quotes: revised quotes and the customer's last day; "
        "grading: each answer of each blind second grading beside the first's",
    )
    report.add_argument(
        "--since",
        type=str,
        help="from this time or date, included, e.g. 2026-11-24 or 2026-11-24T08:00 "
        "(throughput default: today's start; the others default: everything)",
    )
    report.add_argument(
        "--until",
        type=str,
        help="up to this time or date, excluded (throughput default: now)",
    )
    report.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="csv (default) or json"
    )
    report.add_argument(
        "-o", "--output", type=Path, help="the file to write (default: standard output)"
    )
    report.add_argument("--url", help="central database URL (default: BENCH_CENTRAL_URL or config)")
    report.set_defaults(command=run_report)


@dataclass(frozen=True)
class Table:
    """A report's rows as plain values, with where and when they were read."""

    columns: Sequence[str]
    rows: list[dict[str, Any]]
    source: str
    as_of: datetime
    summary: dict[str, Any] | None = None
    """Figures over the rows, written in the JSON report only."""


def run_report(args: argparse.Namespace) -> int:
    from store.central import central_engine
    from store.central.supervision import CentralFigures

    settings = _settings(args.config)
    since = _moment(args.since, "--since", settings)
    until = _moment(args.until, "--until", settings)
    if since and until and since >= until:
        raise CommandFailed("--since must be before --until.")
    url = central_url_of(args)
    engine = central_engine(url)
    try:
        figures = CentralFigures(engine, settings, report=True)
        build = {"throughput": throughput, "stuck": stuck, "quotes": quotes, "grading": grading}[
            args.report
        ]
        table = build(figures, since, until, settings)
    except Exception as error:  # unreachable, or no schema: one plain line
        raise central_failed(url, error) from None
    finally:
        engine.dispose()
    text = as_csv(table) if args.format == "csv" else as_json(table, args.report, since, until)
    _write(text, args.output)
    return 0


def _settings(config_path: Path) -> SupervisionSettings:
    """The site's settings from the config file; the schema's defaults without one (a
    supervisor's desk may have only BENCH_CENTRAL_URL)."""
    from bench.supervision import settings_of

    if config_path.exists():
        return settings_of(load_config(config_path))
    minimal = {"station": {"id": "report"}, "scanner": {"kind": "wedge"}}
    return settings_of(parse_config(minimal, base_dir=Path.cwd()))


def _moment(text: str | None, option: str, settings: SupervisionSettings) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandFailed(
            f"{option} {text!r} is not a date or time: write it as 2026-11-24 or "
            "2026-11-24T08:00 (or with its offset, 2026-11-24T08:00-05:00)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.time_zone)


def throughput(
    figures: FigureSource,
    since: datetime | None,
    until: datetime | None,
    settings: SupervisionSettings,
) -> Table:
    now = datetime.now(UTC).astimezone(settings.time_zone)
    start = since or datetime.combine(now.date(), time(), settings.time_zone)
    found = figures.throughput(start, until or now)
    rows = [{name: getattr(row, name) for name in THROUGHPUT_COLUMNS} for row in found.rows]
    return Table(THROUGHPUT_COLUMNS, rows, found.source, found.as_of)


def stuck(
    figures: FigureSource,
    since: datetime | None,
    until: datetime | None,
    settings: SupervisionSettings,
) -> Table:
    now = datetime.now(UTC)
    found = figures.stuck(now, limit=None)
    rows = [
        stuck_row(line, settings)
        for line in found.rows
        if (since is None or line.since >= since) and (until is None or line.since < until)
    ]
    return Table(STUCK_COLUMNS, rows, found.source, found.as_of)


def stuck_row(line: StuckLine, settings: SupervisionSettings) -> dict[str, Any]:
    return {
        "kind": line.kind.value,
        "request_id": line.request_id or "",
        "item_id": line.item_id or "",
        "since": line.since.astimezone(settings.time_zone).isoformat(),
        "detail": line.detail,
        "next_step": line.next_step,
    }


def quotes(
    figures: FigureSource,
    since: datetime | None,
    until: datetime | None,
    settings: SupervisionSettings,
) -> Table:
    today = datetime.now(UTC).astimezone(settings.time_zone).date()
    found = figures.quotes(today, limit=None)
    first = since.astimezone(settings.time_zone).date() if since else date.min
    rows = [
        quote_row(quote)
        for quote in found.rows
        if quote.response_due_on >= first
        and (until is None or _before(quote.response_due_on, until, settings))
    ]
    return Table(QUOTE_COLUMNS, rows, found.source, found.as_of)


def _before(day: date, until: datetime, settings: SupervisionSettings) -> bool:
    return datetime.combine(day, time(), settings.time_zone) < until


def quote_row(quote: QuoteDeadline) -> dict[str, Any]:
    return {
        "inspection_id": quote.inspection_id,
        "request_id": quote.request_id,
        "item_id": quote.item_id,
        "response_due_on": quote.response_due_on.isoformat(),
        "working_days_left": quote.working_days_left,
        "state": quote.state.value,
        "amount_cents": quote.final_cents,
        "amount_dollars": f"{quote.final_cents // 100}.{quote.final_cents % 100:02d}",
    }


def grading(
    figures: FigureSource,
    since: datetime | None,
    until: datetime | None,
    settings: SupervisionSettings,
) -> Table:
    """One row per question (and the outcome) both graders of a second grading answered;
    the JSON's summary has the agreement per question and per inspector."""
    now = datetime.now(UTC).astimezone(settings.time_zone)
    found = figures.grading(since or EVERYTHING, until or now)
    from bench.grading import agreement

    figured = agreement(found.rows)
    rows = [
        {
            "first_inspection_id": c.pair.first.inspection_id,
            "second_inspection_id": c.pair.second.inspection_id,
            "item_id": c.pair.item_id,
            "question": c.question,
            "first_inspector_id": c.pair.first.inspector_id,
            "first_answer": c.first_answer,
            "second_inspector_id": c.pair.second.inspector_id,
            "second_answer": c.second_answer,
            "agree": c.agree,
        }
        for c in figured.comparisons
    ]
    summary = {
        "pairs": figured.pairs,
        "questions": [
            {"question": q.question, "compared": q.compared, "agreed": q.agreed,
             "rate": round(q.rate, 4), "kappa": None if q.kappa is None else round(q.kappa, 4)}
            for q in figured.questions
        ],
        "inspectors": [
            {"inspector_id": i.inspector_id, "as": i.role.value, "pairs": i.pairs,
             "compared": i.compared, "agreed": i.agreed, "rate": round(i.rate, 4)}
            for i in figured.inspectors
        ],
    }  # fmt: skip
    return Table(GRADING_COLUMNS, rows, found.source, found.as_of, summary)


def as_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table.columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table.rows)
    return out.getvalue()


def as_json(table: Table, report: str, since: datetime | None, until: datetime | None) -> str:
    document: dict[str, Any] = {
        "report": report,
        "source": table.source,
        "as_of": table.as_of.isoformat(),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "columns": list(table.columns),
        "rows": table.rows,
    }
    if table.summary is not None:
        document["summary"] = table.summary
    return json.dumps(document, indent=2) + "\n"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandFailed(f"Cannot write {output}: {os_reason(output, error)}.") from None
