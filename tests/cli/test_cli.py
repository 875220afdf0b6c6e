"""The `bench` console script, run for real in subprocesses from a temporary folder.

The bar: bad input gets a clear message and nothing is lost. A missing or broken
config.toml, an unwritable path, an unreachable central database or a malformed PIN ends
in a plain message on stderr and a non-zero exit, never a traceback, and never shows a
database password.
"""

from __future__ import annotations

import argparse
import gc
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import bench
from bench.cli import build_parser, main, parse_args
from bench.config import example_text, load_config
from bench.pins import verify_pin
from tests.support.commands import assert_plain_failure, run, run_on_a_terminal

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_CONFIG = ROOT / "config.toml"
CONTRACT_TABLES = {
    "programs",
    "catalog_models",
    "requests",
    "request_items",
    "inspectors",
    "inspections",
    "station_heartbeats",
}
SUBCOMMANDS = (
    "demo",
    "central",
    "inspectors",
    "seed",
    "init-config",
    "sync",
    "scanner",
    "labels",
    "desk",
    "serve",
    "report",
    "audit",
)


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def sqlite_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def altered_config(folder: Path, old: str, new: str) -> int:
    """Write the committed config.toml into `folder` with the one line `old` replaced by
    `new`; return that line's number (1-based). `old` may name its section first,
    "[scanner] baud = 9600", for a line that is in two sections."""
    lines = COMMITTED_CONFIG.read_text(encoding="utf-8").splitlines(keepends=True)
    section, _, key_line = old.partition("] ") if old.startswith("[") else ("", "", old)
    if not key_line:  # a section header itself, "[scanner]"
        section, key_line = "", old
    hits, where = [], ""
    for i, line in enumerate(lines):
        if line.startswith("["):
            where = line.strip()
        if line.startswith(key_line) and (not section or where == f"{section}]"):
            hits.append(i)
    assert len(hits) == 1, f"{old!r} is not one line of config.toml"
    index = hits[0]
    lines[index] = lines[index].replace(key_line, new, 1)
    (folder / "config.toml").write_text("".join(lines), encoding="utf-8")
    return index + 1


# -- version and help ------------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"bench {bench.__version__}\n"
    assert bench.__version__ == "0.1.0"


def test_help_lists_every_command_and_the_config_option(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in SUBCOMMANDS:
        assert re.search(rf"^\s+{re.escape(command)}\s", result.stdout, re.MULTILINE), command
    assert "--config" in result.stdout
    assert "--version" in result.stdout


@pytest.mark.parametrize(
    "argv", [[], ["--config", "station/config.toml"], ["--conf", "a.toml"], ["demo"]]
)
def test_the_station_s_own_start_reads_its_arguments_as_the_parser_does(argv: list[str]) -> None:
    # `bench` and `bench --config PATH` build no parser; anything else goes through it.
    assert parse_args(argv) == build_parser().parse_args(argv)


def test_a_config_option_without_its_path_is_the_parser_s_usage_error() -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--config", "--version"])
    assert stopped.value.code == 2


def subcommands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    """Every subcommand under `parser`, at any depth: its words, its parser, its help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, helps.get(name)
                yield from subcommands(sub, (*path, name))


ALL_SUBCOMMANDS = [words for words, _, _ in subcommands(build_parser())]


def test_the_walk_finds_every_subcommand() -> None:
    assert {words[0] for words in ALL_SUBCOMMANDS} == set(SUBCOMMANDS)
    assert {("central", "init"), ("inspectors", "add"), ("scanner", "simulate")} <= set(
        ALL_SUBCOMMANDS
    )


def test_every_subcommand_and_each_of_its_options_has_help() -> None:
    missing = []
    for words, sub, help_text in subcommands(build_parser()):
        if not help_text:
            missing.append(" ".join(words))
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(
                    f"{' '.join(words)} {'/'.join(action.option_strings) or action.dest}"
                )
    assert missing == []


@pytest.mark.parametrize("words", ALL_SUBCOMMANDS, ids=" ".join)
def test_help_of_every_subcommand(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr()
    assert shown.out.startswith(f"usage: bench {' '.join(words)} ")
    assert shown.err == ""
    parser = {path: sub for path, sub, _ in subcommands(build_parser())}[words]
    text = " ".join(shown.out.split())  # argparse wraps the help at the terminal's width
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            assert " ".join(str(action.help).split()) in text, action.dest


@pytest.mark.parametrize(("group", "command"), [("central", "init"), ("inspectors", "add")])
def test_a_command_group_alone_shows_its_commands(tmp_path: Path, group: str, command: str) -> None:
    result = run(group, cwd=tmp_path)
    assert result.returncode == 2
    assert re.search(rf"^\s+{command}\s", result.stderr, re.MULTILINE)
    assert "Traceback" not in result.stderr


# -- config.toml -----------------------------------------------------------------------


def test_first_run_without_config_says_how_to_make_one(tmp_path: Path) -> None:
    result = run(cwd=tmp_path, timeout=20)
    message = assert_plain_failure(result, code=2)
    assert "No config file at ./config.toml" in message
    assert "`bench init-config`" in message
    assert "bench demo" in message
    assert "config.example.toml" not in message  # a pip install has no such file at hand
    assert result.stdout == ""
    assert not (tmp_path / "config.toml").exists()

    # What the message says to do works, and the station then starts from that file.
    assert run("init-config", cwd=tmp_path).returncode == 0
    assert load_config(tmp_path / "config.toml").station.id == "B-07"


def test_malformed_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    line = altered_config(tmp_path, 'id = "B-07"', 'id = "B-07')  # unterminated string
    result = run(cwd=tmp_path, timeout=20)
    assert_plain_failure(result, code=2)
    assert f"config.toml, line {line}, column" in result.stderr
    assert "not valid TOML" in result.stderr
    assert f'{line:>5} | id = "B-07' in result.stderr  # the line itself, quoted


def test_config_errors_name_the_file_given_with_config(tmp_path: Path) -> None:
    altered_config(tmp_path, "[scanner] baud = 9600", "baud = 9600 x")
    elsewhere = tmp_path / "site" / "bench.toml"
    elsewhere.parent.mkdir()
    (tmp_path / "config.toml").rename(elsewhere)
    result = run("--config", str(elsewhere), cwd=tmp_path, timeout=20)
    message = assert_plain_failure(result, code=2)
    assert message.startswith(f"bench: {elsewhere}, line ")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "[scanner] baud = 9600",
            "buad = 9600",
            ["config.toml: unknown key [scanner] buad.", "Did you mean baud?"],
        ),
        (
            "[scanner] baud = 9600",
            'baud = "9600"',
            ['config.toml: [scanner] baud must be an integer, got the string "9600".'],
        ),
        (
            'kind = "wedge"',
            'kind = "usb"',
            ['config.toml: [scanner] kind must be one of serial, wedge, simulated, got "usb".'],
        ),
        (
            "[scanner]",
            "[scaner]",
            ["config.toml: unknown section [scaner].", "Did you mean [scanner]?"],
        ),
    ],
    ids=["unknown-key", "wrong-type", "bad-choice", "unknown-section"],
)
def test_a_wrong_key_or_value_is_named_with_what_is_expected(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    altered_config(tmp_path, old, new)
    before = (tmp_path / "config.toml").read_bytes()
    result = run(cwd=tmp_path, timeout=20)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    for words in expected:
        assert words in result.stderr
    assert result.stderr.startswith("bench: ")
    assert (tmp_path / "config.toml").read_bytes() == before  # nothing rewritten


def config_error_after_the_first_frame(tmp_path: Path, line: str, wrong: str, key: str) -> str:
    """Run bench on a terminal with `line` of config.toml made `wrong`: the station does not
    open, q quits with exit 2 and no traceback; what stderr then says of `key`."""
    altered_config(tmp_path, line, wrong)
    code, written = run_on_a_terminal(
        cwd=tmp_path, until=b"THE STATION DID NOT OPEN", keys=b"q", timeout=30
    )
    assert code == 2, written[-2000:]
    assert "Traceback" not in written
    return written[written.rindex(f"bench: config.toml: {key}") :]


def test_an_unknown_country_is_shown_on_screen_then_said_as_a_config_error(
    tmp_path: Path,
) -> None:
    """[station] country is checked as the station opens, after the first frame (its
    calendar costs more than that frame): on screen until q, then on stderr, exit 2."""
    said = config_error_after_the_first_frame(
        tmp_path, 'country = "US"', 'country = "XX"', "[station] country"
    )
    assert said.startswith(
        "bench: config.toml: [station] country must be a country whose public holidays "
        'bench knows, got "XX". Valid codes: AD, AE, '
    )
    assert " GB, " in said and " US, " in said


def test_an_unknown_time_zone_is_shown_on_screen_then_said_as_a_config_error(
    tmp_path: Path,
) -> None:
    """[site] time_zone too is checked as the station opens, after the first frame."""
    said = config_error_after_the_first_frame(
        tmp_path,
        'time_zone = "America/New_York"',
        'time_zone = "America/Gotham"',
        "[site] time_zone",
    )
    assert said.startswith(
        'bench: config.toml: [site] time_zone must be an IANA time zone such as "America/New_York"'
        ' or "Europe/Paris", got "America/Gotham".'
    )


def test_the_app_is_imported_and_started_with_the_collector_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.cli import station

    held: list[bool] = []

    class App:
        config_problem = None
        return_code = 0

        def run(self) -> None:
            held.append(gc.isenabled())

    def station_app(*args: object, **kwargs: object) -> App:
        held.append(gc.isenabled())
        return App()

    monkeypatch.setattr(station, "station_app", station_app)
    monkeypatch.setattr(station, "log_to_file", lambda config: tmp_path / "bench.log")
    altered_config(tmp_path, 'local_path = "bench-local.db"', 'local_path = "station.db"')
    config = load_config(tmp_path / "config.toml", check_calendar=False)
    assert station.run_app(config, hints=(), demo=False) == 0
    assert held == [False, False]  # until its first frame: the app lets it go then
    assert gc.isenabled()


def test_the_committed_config_loads() -> None:
    config = load_config(COMMITTED_CONFIG)
    assert config.station.id == "B-07"
    assert config.scanner.baud == 9600


# -- the station database path ---------------------------------------------------------


def test_an_unwritable_station_database_stops_before_the_tui(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    altered_config(tmp_path, 'local_path = "bench-local.db"', 'local_path = "afile/station.db"')
    started = time.monotonic()
    result = run(cwd=tmp_path, timeout=20)  # a TUI that started would hang until killed
    assert time.monotonic() - started < 15
    message = assert_plain_failure(result, code=1)
    database = tmp_path.resolve() / "afile" / "station.db"
    assert f"Cannot write the station database {database}" in message
    assert f"{tmp_path.resolve() / 'afile'} is a file, not a folder" in message
    assert "Check [store] local_path in config.toml" in message
    assert result.stdout == ""  # no screen was drawn
    assert (tmp_path / "afile").read_text() == "not a folder\n"


def test_a_station_database_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    altered_config(tmp_path, 'local_path = "bench-local.db"', 'local_path = "db"')
    result = run(cwd=tmp_path, timeout=20)
    message = assert_plain_failure(result, code=1)
    assert f"Cannot write the station database {tmp_path.resolve() / 'db'}" in message
    assert "Check [store] local_path" in message


def test_demo_with_an_unusable_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    result = run("demo", "--dir", "afile/demo", cwd=tmp_path, timeout=20)
    message = assert_plain_failure(result, code=1)
    assert f"{tmp_path.resolve() / 'afile'} is a file, not a folder" in message
    assert "--dir" in message


# -- init-config -----------------------------------------------------------------------


def test_init_config_writes_a_loadable_file_and_never_overwrites(tmp_path: Path) -> None:
    result = run("init-config", cwd=tmp_path)
    assert result.returncode == 0, result
    assert "Wrote config.toml" in result.stdout
    written = tmp_path / "config.toml"
    config = load_config(written)
    assert config.station.id == "B-07"
    assert config.scanner.kind == "wedge"
    assert config.store.local_path == tmp_path.resolve() / "bench-local.db"

    edited = written.read_text(encoding="utf-8").replace('id = "B-07"', 'id = "B-12"')
    written.write_text(edited, encoding="utf-8")
    again = run("init-config", cwd=tmp_path)
    message = assert_plain_failure(again, code=1)
    assert message == (
        "bench: config.toml exists already: edit it, or pass --force to replace it with the "
        "example."
    )
    assert written.read_text(encoding="utf-8") == edited  # the edit is not lost
    assert load_config(written).station.id == "B-12"

    forced = run("init-config", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced
    assert load_config(written).station.id == "B-07"
    assert written.read_text(encoding="utf-8") == example_text()


def test_init_config_refuses_a_folder_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    result = run("init-config", "site", "--force", cwd=tmp_path)
    message = assert_plain_failure(result, code=1)
    assert message == "bench: site is a folder: give the path of the file to write."


def test_init_config_to_another_path(tmp_path: Path) -> None:
    result = run("init-config", "site/b07.toml", cwd=tmp_path)
    assert result.returncode == 0, result
    assert load_config(tmp_path / "site" / "b07.toml").station.id == "B-07"
    assert not (tmp_path / "config.toml").exists()


def test_init_config_into_an_unwritable_place_says_so(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    result = run("init-config", "afile/config.toml", cwd=tmp_path)
    message = assert_plain_failure(result, code=1)
    assert message == "bench: Cannot write afile/config.toml: afile is a file, not a folder."


# -- central init ----------------------------------------------------------------------


@pytest.mark.slow
def test_central_init_on_sqlite_creates_the_contract_and_can_rerun(tmp_path: Path) -> None:
    database = tmp_path / "c.db"
    url = f"sqlite:///{database}"
    first = run("central", "init", "--url", url, cwd=tmp_path)
    assert first.returncode == 0, first
    assert first.stdout == f"Central schema is up to date at {url}\n"
    assert "Applied migration 0001" in first.stderr
    assert sqlite_tables(database) >= CONTRACT_TABLES

    second = run("central", "init", "--url", url, cwd=tmp_path)
    assert second.returncode == 0, second
    assert "Applied migration" not in second.stderr  # nothing left to do
    assert sqlite_tables(database) >= CONTRACT_TABLES


def test_central_init_takes_the_url_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "env.db"
    result = run(
        "central", "init", cwd=tmp_path, env={"BENCH_CENTRAL_URL": f"sqlite:///{database}"}
    )
    assert result.returncode == 0, result
    assert sqlite_tables(database) >= CONTRACT_TABLES


def test_central_init_without_any_url_says_how_to_give_one(tmp_path: Path) -> None:
    message = assert_plain_failure(run("central", "init", cwd=tmp_path), code=1)
    assert "--url" in message
    assert "BENCH_CENTRAL_URL" in message


@pytest.mark.slow
def test_central_init_on_postgres(tmp_path: Path, pg_url: str) -> None:
    from sqlalchemy import create_engine, inspect

    first = run("central", "init", "--url", pg_url, cwd=tmp_path)
    assert first.returncode == 0, first
    again = run("central", "init", "--url", pg_url, cwd=tmp_path)
    assert again.returncode == 0, again
    engine = create_engine(pg_url)
    try:
        assert set(inspect(engine).get_table_names()) >= CONTRACT_TABLES
    finally:
        engine.dispose()


# -- inspectors add --------------------------------------------------------------------


def add_kim(
    folder: Path, url: str | None, pin: str = "482159\n", name: str = "Kim"
) -> subprocess.CompletedProcess[str]:
    args = ["inspectors", "add", "EMP-0042", "--name", name, "--role", "supervisor"]
    args += ["--pin-stdin", *(["--url", url] if url else [])]
    return run(*args, cwd=folder, stdin=pin)


@pytest.mark.slow
def test_inspectors_add_stores_a_hash_that_verifies_and_upserts(tmp_path: Path) -> None:
    database = tmp_path / "c.db"
    url = f"sqlite:///{database}"
    assert run("central", "init", "--url", url, cwd=tmp_path).returncode == 0

    added = add_kim(tmp_path, url)
    assert added.returncode == 0, added
    assert added.stdout == f"Inspector EMP-0042 (Kim, supervisor) saved in {url}\n"
    rows = sqlite_rows(database, "SELECT id, name, role, pin_hash FROM inspectors")
    assert len(rows) == 1
    badge, name, role, pin_hash = rows[0]
    assert (badge, name, role) == ("EMP-0042", "Kim", "supervisor")
    assert isinstance(pin_hash, str)
    assert pin_hash != "482159"
    assert "482159" not in pin_hash
    assert verify_pin("482159", pin_hash)
    assert not verify_pin("482158", pin_hash)
    assert "482159" not in added.stdout + added.stderr

    renamed = add_kim(tmp_path, url, pin="730012\n", name="Kim Lee")
    assert renamed.returncode == 0, renamed
    rows = sqlite_rows(database, "SELECT id, name, role, pin_hash FROM inspectors")
    assert len(rows) == 1  # updated, not added twice
    assert rows[0][:3] == ("EMP-0042", "Kim Lee", "supervisor")
    new_hash = rows[0][3]
    assert isinstance(new_hash, str)
    assert verify_pin("730012", new_hash)
    assert not verify_pin("482159", new_hash)  # the PIN was reset


@pytest.mark.parametrize("pin", ["12\n", "4821\n", "48215\n", "123456789\n", "12a456\n", "\n"])
def test_inspectors_add_refuses_a_bad_or_short_pin_and_writes_nothing(
    tmp_path: Path, pin: str
) -> None:
    database = tmp_path / "c.db"
    result = add_kim(tmp_path, f"sqlite:///{database}", pin=pin)
    message = assert_plain_failure(result, code=1)
    assert message == (
        "bench: The PIN on standard input must be 6 to 8 digits ([login] pin_min_length = 6)."
    )
    if pin.strip():
        assert pin.strip() not in result.stderr  # the PIN is never echoed
    assert result.stdout == ""
    assert not database.exists()  # refused before the database was touched


def test_inspectors_add_takes_the_minimum_from_the_config(tmp_path: Path) -> None:
    database = tmp_path / "c.db"
    url = f"sqlite:///{database}"
    assert run("central", "init", "--url", url, cwd=tmp_path).returncode == 0
    config = tmp_path / "config.toml"
    station = '[station]\nid = "B-07"\n[scanner]\nkind = "wedge"\n'
    config.write_text(station + "[login]\npin_min_length = 4\n", encoding="utf-8")
    assert add_kim(tmp_path, url, pin="4821\n").returncode == 0
    config.write_text(station + "[login]\npin_min_length = 7\n", encoding="utf-8")
    refused = add_kim(tmp_path, url, pin="482159\n")
    assert assert_plain_failure(refused, code=1) == (
        "bench: The PIN on standard input must be 7 to 8 digits ([login] pin_min_length = 7)."
    )
    (pin_hash,) = sqlite_rows(database, "SELECT pin_hash FROM inspectors")[0]
    assert isinstance(pin_hash, str) and verify_pin("4821", pin_hash)


def test_inspectors_add_takes_the_url_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "c.db"
    url = f"sqlite:///{database}"
    assert run("central", "init", "--url", url, cwd=tmp_path).returncode == 0
    args = ["inspectors", "add", "emp-0007", "--name", "Ana", "--pin-stdin"]
    result = run(*args, cwd=tmp_path, stdin="000712\n", env={"BENCH_CENTRAL_URL": url})
    assert result.returncode == 0, result
    rows = sqlite_rows(database, "SELECT id, name, role, pin_hash FROM inspectors")
    assert [row[:3] for row in rows] == [("EMP-0007", "Ana", "inspector")]
    assert isinstance(rows[0][3], str)
    assert verify_pin("000712", rows[0][3])


@pytest.mark.slow
def test_inspectors_add_on_postgres(tmp_path: Path, pg_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    assert run("central", "init", "--url", pg_url, cwd=tmp_path).returncode == 0
    assert add_kim(tmp_path, pg_url).returncode == 0
    assert add_kim(tmp_path, pg_url, pin="555512\n", name="Kim Lee").returncode == 0
    conninfo = make_url(pg_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        rows = connection.execute("SELECT id, name, role, pin_hash FROM inspectors").fetchall()
    assert [row[:3] for row in rows] == [("EMP-0042", "Kim Lee", "supervisor")]
    assert verify_pin("555512", rows[0][3])


# -- an unreachable or unusable central database ---------------------------------------

UNREACHABLE = "postgresql://bench:s3cret@127.0.0.1:1/x"


@pytest.mark.parametrize(
    "command",
    [
        ["central", "init"],
        ["seed", "--requests", "30"],
        ["inspectors", "add", "EMP-0042", "--name", "Kim", "--pin-stdin"],
    ],
    ids=["central-init", "seed", "inspectors-add"],
)
@pytest.mark.parametrize("how", ["--url", "env"])
def test_an_unreachable_central_is_one_line_and_no_password(
    tmp_path: Path, command: list[str], how: str
) -> None:
    args = [*command, "--url", UNREACHABLE] if how == "--url" else command
    env = {"BENCH_CENTRAL_URL": UNREACHABLE} if how == "env" else None
    started = time.monotonic()
    result = run(*args, cwd=tmp_path, stdin="482159\n", env=env, timeout=30)
    assert time.monotonic() - started < 15
    message = assert_plain_failure(result, code=1)
    assert "s3cret" not in result.stdout + result.stderr
    assert message.startswith("bench: Central database postgresql://bench:***@127.0.0.1:1/x: ")
    assert "Connection refused" in message
    assert "Check the URL" in message
    assert result.stderr.splitlines()[-1] == message  # the error is the last word
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://bench:s3cret@127.0.0.1:notaport/x", "notaport"),
        (
            "nosuchdb://bench:s3cret@host/x",
            "--url starts with nosuchdb://, a database bench cannot",
        ),
        ("host=central user=bench password=s3cret", "--url is not a database URL"),
    ],
    ids=["bad-port", "unknown-driver", "not-a-url"],
)
def test_a_broken_central_url_is_one_line_and_no_password(
    tmp_path: Path, url: str, reason: str
) -> None:
    result = run("central", "init", "--url", url, cwd=tmp_path, timeout=30)
    message = assert_plain_failure(result, code=1)
    assert "s3cret" not in result.stdout + result.stderr
    assert reason in message


@pytest.mark.parametrize("command", [(), ("sync", "--once")], ids=["station", "sync"])
@pytest.mark.parametrize("url", ["http://central/x", "mysql://bench:s3cret@central/x"])
def test_a_central_url_bench_cannot_use_stops_before_the_screen_opens(
    tmp_path: Path, command: tuple[str, ...], url: str
) -> None:
    """From the environment (where passwords live) as from config.toml: one line naming
    where it came from, before anything starts, and never the password."""
    altered_config(tmp_path, 'central_url = "sqlite:///bench-central.db"', 'central_url = ""')
    result = run(*command, cwd=tmp_path, env={"BENCH_CENTRAL_URL": url}, timeout=30)
    message = assert_plain_failure(result, code=2)
    assert "BENCH_CENTRAL_URL starts with" in message, message
    assert "s3cret" not in result.stdout + result.stderr
    assert not (tmp_path / "bench-local.db").exists()  # stopped before the station opened


def test_a_sqlite_central_that_cannot_be_created_names_it(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    url = f"sqlite:///{tmp_path / 'afile' / 'c.db'}"
    message = assert_plain_failure(run("central", "init", "--url", url, cwd=tmp_path), code=1)
    assert message.startswith(f"bench: Central database {url}: unable to open database file.")


# -- seed ------------------------------------------------------------------------------


def test_seed_fills_requests_and_shows_progress(tmp_path: Path) -> None:
    database = tmp_path / "s.db"
    result = run("seed", "--url", f"sqlite:///{database}", "--requests", "30", cwd=tmp_path)
    assert result.returncode == 0, result
    assert sqlite_rows(database, "SELECT count(*) FROM requests") == [(30,)]
    (items,) = sqlite_rows(database, "SELECT count(*) FROM request_items")[0]
    assert isinstance(items, int)
    assert items >= 30
    inspectors = sqlite_rows(database, "SELECT count(*) FROM inspectors")[0][0]
    assert isinstance(inspectors, int)
    assert inspectors > 0
    assert "Writing demo data [" in result.stderr
    done = re.search(r"Writing demo data \[#{30}\] ([\d,]+)/([\d,]+)\n", result.stderr)
    assert done, result.stderr
    assert done.group(1) == done.group(2)
    assert "Traceback" not in result.stderr


def test_seed_refuses_too_few_requests_before_touching_the_database(tmp_path: Path) -> None:
    database = tmp_path / "s.db"
    result = run("seed", "--url", f"sqlite:///{database}", "--requests", "3", cwd=tmp_path)
    message = assert_plain_failure(result, code=1)
    assert message.startswith("bench: --requests 3: request_count must be at least ")
    assert not database.exists()


# -- sync --once -----------------------------------------------------------------------


def test_sync_once_sends_the_queue_and_pulls_the_replica(tmp_path: Path) -> None:
    from store.local import LocalStore
    from tests.support.inspections import finished

    shipped = 'central_url = "sqlite:///bench-central.db"'
    altered_config(tmp_path, shipped, shipped)
    assert (
        run(
            "seed", "--url", "sqlite:///bench-central.db", "--requests", "20", cwd=tmp_path
        ).returncode
        == 0
    )
    local = LocalStore.open(tmp_path / "bench-local.db")
    local.finish_inspection(finished(1, station="B-07"))
    local.close()
    result = run("sync", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ONLINE: sent 1, pulled ")
    assert sqlite_rows(tmp_path / "bench-central.db", "SELECT station_id FROM inspections") == [
        ("B-07",)
    ]
    assert sqlite_rows(tmp_path / "bench-local.db", "SELECT count(*) FROM requests") == [(20,)]


def test_sync_once_with_central_down_says_offline_and_keeps_the_queue(tmp_path: Path) -> None:
    from store.local import LocalStore
    from tests.support.inspections import finished

    altered_config(
        tmp_path,
        'central_url = "sqlite:///bench-central.db"',
        'central_url = "postgresql://bench:s3cret@127.0.0.1:1/x"',
    )
    local = LocalStore.open(tmp_path / "bench-local.db")
    local.finish_inspection(finished(1))
    local.close()
    result = run("sync", "--once", cwd=tmp_path, timeout=30)
    message = assert_plain_failure(result, 1)
    assert "OFFLINE" in message and "1 inspections stay queued" in message
    assert "s3cret" not in result.stderr + result.stdout
    assert sqlite_rows(tmp_path / "bench-local.db", "SELECT count(*) FROM outbox") == [(1,)]


def test_sync_once_lists_the_central_rows_it_skipped_and_stays_online(tmp_path: Path) -> None:
    shipped = 'central_url = "sqlite:///bench-central.db"'
    altered_config(tmp_path, shipped, shipped)
    central = tmp_path / "bench-central.db"
    seeded = run("seed", "--url", "sqlite:///bench-central.db", "--requests", "20", cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    with sqlite3.connect(central) as connection:  # what a portal could write
        connection.execute("UPDATE programs SET grade_percents = 'not json' WHERE code = 'AMZ-GT3'")
        connection.execute("UPDATE request_items SET offer_cents = -5 WHERE id = 'TI-000001-01'")
    result = run("sync", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[0].startswith("ONLINE: sent 0, pulled ")
    assert result.stdout.splitlines()[1:] == [
        "2 central rows skipped:",
        "  programs AMZ-GT3: grade_percents is 'not json' (unreadable), not JSON",
        "  request_items TI-000001-01: offer_cents is -5, must be 0 to 100,000,000",
    ]
    log = (tmp_path / "bench.log").read_text(encoding="utf-8")
    assert "skipped central programs row AMZ-GT3: grade_percents" in log
