"""config.toml loading: every message a technician can get, defaults, paths, the example.

Also the log file set-up, which [log] path and level feed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import holidays
import pytest

from bench import config as cfg
from bench.config import (
    CENTRAL_URL_ENV,
    SCHEMA,
    SECTIONS,
    Config,
    ConfigError,
    calendar_problem,
    central_url,
    example_text,
    load_config,
    parse_config,
    write_example,
)
from bench.logs import LogSetupError, redact, setup_logging

REPO = Path(__file__).resolve().parents[2]
MINIMAL = '[station]\nid = "B-07"\n[scanner]\nkind = "wedge"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


# --- messages -----------------------------------------------------------------------------


def test_missing_file_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`bench init-config`, never a file of the source checkout a pip install lacks."""
    monkeypatch.chdir(tmp_path)
    assert error_of(Path("config.toml")) == (
        "No config file at ./config.toml. Create one with `bench init-config` (writes a "
        "commented example to edit), or run `bench demo` to try the bench without one."
    )


def test_missing_file_given_with_config_says_to_make_that_one(tmp_path: Path) -> None:
    path = tmp_path / "site" / "b07.toml"
    message = error_of(path)
    assert message.startswith(f"No config file at {path}. Create one with `bench init-config ")
    assert f"`bench init-config {path}`" in message
    assert "config.example.toml" not in message


# Config texts with mistakes, and the exact message each gets; {path} is the file.
MISTAKES = [
    pytest.param(
        '[station]\nid = "B-07"\n[scanner]\nkind = "wedge"\nbaud 9600\n',
        "{path}, line 5, column 6: not valid TOML: "
        "Expected '=' after a key in a key/value pair\n"
        "    5 | baud 9600\n"
        "      |      ^",
        id="syntax_error_names_line_and_column_and_shows_the_line",
    ),
    pytest.param(
        MINIMAL + "buad = 9600\n",
        "{path}: unknown key [scanner] buad. Did you mean baud? Known keys in [scanner]: "
        "kind, port, baud, data_bits, parity, stop_bits, terminator, max_frame_length, "
        "inter_char_timeout_ms, wedge_max_gap_ms, double_read_window_ms.",
        id="unknown_key_suggests_the_closest",
    ),
    pytest.param(
        MINIMAL + 'local_path = "x.db"\n',
        "{path}: unknown key [scanner] local_path. local_path belongs in [store]. "
        "Known keys in [scanner]: kind, port, baud, data_bits, parity, stop_bits, terminator, "
        "max_frame_length, inter_char_timeout_ms, wedge_max_gap_ms, double_read_window_ms.",
        id="known_key_in_the_wrong_section_says_where_it_belongs",
    ),
    pytest.param(
        MINIMAL + "[scaner]\n",
        "{path}: unknown section [scaner]. Did you mean [scanner]? "
        "Known sections: station, scanner, store, sync, log, ui, login, labels, printer, site, "
        "grading.",
        id="unknown_section_suggests_the_closest",
    ),
    pytest.param(
        MINIMAL + 'baud = "9600"\n',
        '{path}: [scanner] baud must be an integer, got the string "9600".',
        id="wrong_type",
    ),
    pytest.param(
        MINIMAL + "baud = true\n",
        "{path}: [scanner] baud must be an integer, got the boolean true.",
        id="a_boolean_is_not_an_integer",
    ),
    pytest.param(
        '[station]\nid = "B-07"\n[scanner]\nkind = "usb"\n',
        '{path}: [scanner] kind must be one of serial, wedge, simulated, got "usb".',
        id="value_not_allowed",
    ),
    pytest.param(
        '[scanner]\nkind = "wedge"\n',
        '{path}: [station] id is required, e.g. id = "B-07"  '
        "# shown in the header, stored on inspections",
        id="missing_required_key_shows_an_example_line",
    ),
    pytest.param(
        '[station]\nid = "B-07"\n',
        '{path}: [scanner] kind is required, e.g. kind = "wedge"  # serial | wedge | simulated',
        id="scanner_kind_is_required",
    ),
    pytest.param(
        MINIMAL.replace('"B-07"', '"B-07"\ncountry = "usa"') + "[sync]\nbatch_size = 0\n",
        '{path}: [station] country must be a two-letter ISO 3166 country code such as "US", '
        'got "usa".\n'
        "{path}: [sync] batch_size must be at least 1, got 0.",
        id="below_minimum_and_bad_country",
    ),
    pytest.param(
        MINIMAL + '[labels]\nsize = "4x4"\ndpi = 200\npaper = "A4"\n',
        '{path}: [labels] size must be one of 4x6, 4x3, 2x1, got "4x4".\n'
        "{path}: [labels] dpi must be one of 203, 300, 600, got the integer 200.\n"
        '{path}: [labels] paper must be one of letter, a4, got "A4".',
        id="label_size_dpi_and_paper_are_from_lists",
    ),
    pytest.param(
        'station = "B-07"\n[scanner]\nkind = "wedge"\n',
        '{path}: station must be a section [station], got the string "B-07".',
        id="a_section_that_is_not_a_table",
    ),
    pytest.param(
        MINIMAL + '[printer]\nkind = "zebra"\nformats = "pdf"\ntimeout_seconds = 0\n',
        '{path}: [printer] kind must be one of file, zpl, cups, got "zebra".\n'
        '{path}: [printer] formats must be one of png, svg, png+svg, got "pdf".\n'
        "{path}: [printer] timeout_seconds must be at least 0.5, got 0.",
        id="printer_kind_and_formats_are_from_lists",
    ),
    pytest.param(
        MINIMAL + '[printer]\nkind = "zpl"\n',
        '{path}: [printer] kind = "zpl" needs either address (the network printer, e.g. '
        'address = "10.0.0.5:9100") or port (a serial printer, e.g. port = '
        '"/dev/serial/by-id/usb-Zebra-if00"), not neither.',
        id="a_zpl_printer_needs_an_address_or_a_port",
    ),
    pytest.param(
        MINIMAL + '[printer]\nkind = "zpl"\naddress = "10.0.0.5:9100"\nport = "/dev/ttyS0"\n',
        '{path}: [printer] kind = "zpl" needs either address (the network printer, e.g. '
        'address = "10.0.0.5:9100") or port (a serial printer, e.g. port = '
        '"/dev/serial/by-id/usb-Zebra-if00"), not both.',
        id="a_zpl_printer_has_an_address_or_a_port_not_both",
    ),
    pytest.param(
        MINIMAL + '[printer]\nkind = "zpl"\naddress = "10.0.0.5:printer"\n',
        "{path}: [printer] address must be host:port with a port from 1 to 65535, e.g. "
        '"10.0.0.5:9100", got "10.0.0.5:printer".',
        id="a_zpl_address_is_host_and_port",
    ),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES)
def test_a_mistake_gets_its_message(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    assert error_of(path) == message.format(path=path)


def test_syntax_error_at_end_of_document(tmp_path: Path) -> None:
    path = write(tmp_path, '[station]\nid = "B-07\n')
    assert error_of(path).startswith(f"{path}, line 2, column 11: not valid TOML: ")


def test_a_float_is_not_an_integer_but_an_integer_is_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "baud = 9600.0\n")
    assert error_of(path) == f"{path}: [scanner] baud must be an integer, got the number 9600.0."
    ok = write(tmp_path, MINIMAL + "[sync]\ninterval_seconds = 2\n")
    interval = load_config(ok).sync.interval_seconds
    assert interval == 2.0
    assert isinstance(interval, float)


def test_serial_line_settings_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + 'data_bits = 9\nparity = "N"\nterminator = "ETX"\n')
    assert error_of(path) == (
        f"{path}: [scanner] data_bits must be at most 8, got 9.\n"
        f'{path}: [scanner] parity must be one of none, even, odd, mark, space, got "N".\n'
        f'{path}: [scanner] terminator must be one of CR, LF, CRLF, STX/ETX, got "ETX".'
    )
    ok = load_config(write(tmp_path, MINIMAL + 'terminator = "STX/ETX"\nparity = "even"\n'))
    assert (ok.scanner.terminator, ok.scanner.parity) == ("STX/ETX", "even")
    assert ok.scanner.terminator_bytes == b"\x03"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[scanner]\nkind = "usb"\nbuad = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert len(caught.value.problems) == 3
    assert str(caught.value) == "\n".join(caught.value.problems)


def station(lines: str) -> str:
    return MINIMAL.replace('id = "B-07"\n', f'id = "B-07"\n{lines}')


def test_an_unknown_country_is_refused_with_the_valid_codes(tmp_path: Path) -> None:
    path = write(tmp_path, station('country = "XX"\n'))
    codes = sorted(holidays.list_supported_countries(include_aliases=False))
    assert len(codes) > 100
    assert error_of(path) == (
        f"{path}: [station] country must be a country whose public holidays bench knows, "
        f'got "XX". Valid codes: {", ".join(codes)}.'
    )


def test_an_unknown_subdivision_is_refused_with_the_country_s_list(tmp_path: Path) -> None:
    path = write(tmp_path, station('country = "US"\nsubdivision = "ZZ"\n'))
    states = holidays.list_supported_countries()["US"]
    assert "CA" in states
    assert error_of(path) == (
        f'{path}: [station] subdivision must be one of US\'s: {", ".join(states)}, got "ZZ".'
    )


def test_a_subdivision_of_a_country_without_any_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, station('country = "IS"\nsubdivision = "ZZ"\n'))
    assert error_of(path) == (
        f"{path}: [station] subdivision must be left out: IS has no subdivisions with "
        'holidays of their own, got "ZZ".'
    )


def test_a_bad_country_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    path = write(tmp_path, station('country = "XX"\n') + "baud = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [p.split(" must ")[0] for p in caught.value.problems] == [
        f"{path}: [scanner] baud",
        f"{path}: [station] country",
    ]


@pytest.mark.parametrize(
    ("lines", "country", "subdivision"),
    [
        ('country = "US"\nsubdivision = "CA"\n', "US", "CA"),
        ('country = "DE"\nsubdivision = "BY"\n', "DE", "BY"),
        ('country = "GB"\n', "GB", None),
        ('country = "US"\nsubdivision = "California"\n', "US", "California"),  # an alias
    ],
)
def test_the_countries_and_subdivisions_of_the_holidays_library_load(
    tmp_path: Path, lines: str, country: str, subdivision: str | None
) -> None:
    loaded = load_config(write(tmp_path, station(lines))).station
    assert (loaded.country, loaded.subdivision) == (country, subdivision)


def test_serial_scanner_needs_a_port(tmp_path: Path) -> None:
    path = write(tmp_path, '[station]\nid = "B-07"\n[scanner]\nkind = "serial"\n')
    assert error_of(path).startswith(
        f'{path}: [scanner] port is required when kind = "serial", e.g. port = '
        '"/dev/serial/by-id/usb-Honeywell_Scanner-if00"'
    )


def test_a_folder_is_not_a_config_file(tmp_path: Path) -> None:
    assert error_of(tmp_path) == f"{tmp_path} is a folder, not a config file."


# --- values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [("10.0.0.5:9200", ("10.0.0.5", 9200)), ("zebra1.local", ("zebra1.local", 9100))],
)
def test_a_zpl_address_without_a_port_is_on_9100(
    tmp_path: Path, address: str, expected: tuple[str, int]
) -> None:
    text = MINIMAL + f'[printer]\nkind = "zpl"\naddress = "{address}"\n'
    assert load_config(write(tmp_path, text)).printer.host_and_port == expected


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[station]\nid = "B-07"\n[scanner]\nkind = "wedge"\n'))
    base = tmp_path.resolve()
    assert config == Config(
        station=cfg.StationConfig(id="B-07", country="US", subdivision=None),
        scanner=cfg.ScannerConfig(
            kind="wedge",
            port="",
            baud=9600,
            data_bits=8,
            parity="none",
            stop_bits=1,
            terminator="CR",
            max_frame_length=256,
            inter_char_timeout_ms=200,
            wedge_max_gap_ms=50,
            double_read_window_ms=1500,
        ),
        store=cfg.StoreConfig(local_path=base / "bench-local.db", central_url=""),
        sync=cfg.SyncConfig(interval_seconds=5.0, batch_size=2000, round_deadline_seconds=20.0),
        log=cfg.LogConfig(path=base / "bench.log", level="INFO"),
        ui=cfg.UiConfig(idle_logout_minutes=15),
        login=cfg.LoginConfig(pin_min_length=6),
        labels=cfg.LabelsConfig(size="4x6", dpi=203, paper="letter"),
        printer=cfg.PrinterConfig(
            kind="file",
            folder=base / "labels",
            formats="png",
            address="",
            port="",
            baud=9600,
            name="",
            timeout_seconds=10.0,
        ),
        site=cfg.SiteConfig(time_zone="UTC", heartbeat_stale_minutes=5),
        source=tmp_path / "config.toml",
    )
    assert config.scanner.terminator_bytes == b"\r"


def test_a_time_zone_the_library_does_not_know_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '[site]\ntime_zone = "America/Gotham"\n')
    assert error_of(path) == (
        f'{path}: [site] time_zone must be an IANA time zone such as "America/New_York" or '
        '"Europe/Paris", got "America/Gotham".'
    )
    zoned = load_config(write(tmp_path, MINIMAL + '[site]\ntime_zone = "America/New_York"\n'))
    assert zoned.site.time_zone == "America/New_York"


def test_the_station_leaves_its_calendar_and_time_zone_to_its_start_up_worker(
    tmp_path: Path,
) -> None:
    # `bench` loads without them (the first frame does not wait for their libraries); its
    # start-up worker then says what load_config would have said.
    path = write(tmp_path, station('country = "XX"\n') + '[site]\ntime_zone = "America/Gotham"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    loaded = load_config(path, check_calendar=False)
    assert calendar_problem(loaded) == str(caught.value)
    assert calendar_problem(load_config(write(tmp_path, MINIMAL), check_calendar=False)) is None


def test_the_label_stock_printer_and_paper_are_read(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, MINIMAL + '[labels]\nsize = "2x1"\ndpi = 300\npaper = "a4"\n')
    )
    assert config.labels == cfg.LabelsConfig(size="2x1", dpi=300, paper="a4")


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = tmp_path / "station"
    station.mkdir()
    write(
        station,
        MINIMAL + '[store]\nlocal_path = "data/local.db"\n[log]\npath = "/var/log/bench.log"\n',
    )
    monkeypatch.chdir(tmp_path)  # the working folder must not matter
    config = load_config(Path("station/config.toml"))
    assert config.store.local_path == station.resolve() / "data" / "local.db"
    assert config.log.path == Path("/var/log/bench.log")


def test_parse_config_builds_a_config_in_code(tmp_path: Path) -> None:
    config = parse_config({"station": {"id": "DEMO"}, "scanner": {"kind": "simulated"}},
                          base_dir=tmp_path)  # fmt: skip
    assert config.station.id == "DEMO"
    assert config.source is None
    assert config.store.local_path == tmp_path.resolve() / "bench-local.db"


def test_central_url_env_overrides_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_url = load_config(write(tmp_path, MINIMAL + '[store]\ncentral_url = "sqlite:///c.db"\n'))
    empty = parse_config({"station": {"id": "B-07"}, "scanner": {"kind": "wedge"}},
                         base_dir=tmp_path)  # fmt: skip
    monkeypatch.delenv(CENTRAL_URL_ENV, raising=False)
    assert central_url(with_url) == "sqlite:///c.db"
    assert central_url(empty) is None
    monkeypatch.setenv(CENTRAL_URL_ENV, "postgresql://bench:pw@central/trade_in")
    assert central_url(with_url) == "postgresql://bench:pw@central/trade_in"
    assert central_url(empty) == "postgresql://bench:pw@central/trade_in"
    monkeypatch.setenv(CENTRAL_URL_ENV, "  ")  # set but blank counts as unset
    assert central_url(with_url) == "sqlite:///c.db"


BAD_CENTRAL_URLS = [
    ("http://central/trade_in", "starts with http://"),
    ("postgresq://bench:pw@central/trade_in", "starts with postgresq://"),
    ("mysql://bench:pw@central/trade_in", "starts with mysql://"),
    ("host=central user=bench password=pw", "is not a database URL"),
    ("sqlite://", "names no database"),
]


@pytest.mark.parametrize(("url", "says"), BAD_CENTRAL_URLS, ids=[u for u, _ in BAD_CENTRAL_URLS])
def test_a_central_url_bench_cannot_use_stops_the_config(
    tmp_path: Path, url: str, says: str
) -> None:
    message = error_of(write(tmp_path, MINIMAL + f'[store]\ncentral_url = "{url}"\n'))
    assert "[store] central_url" in message and says in message
    assert "pw" not in message  # only the scheme is quoted: the rest may hold a password


@pytest.mark.parametrize(("url", "says"), BAD_CENTRAL_URLS, ids=[u for u, _ in BAD_CENTRAL_URLS])
def test_a_central_url_in_the_environment_is_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    monkeypatch.setenv(CENTRAL_URL_ENV, url)
    with pytest.raises(ConfigError, match=CENTRAL_URL_ENV) as raised:
        central_url(config)
    assert says in str(raised.value) and "pw" not in str(raised.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bench@central/trade_in",
        "postgres://bench:pw@central:5433/trade_in?sslmode=require",
        "postgresql+psycopg://central/trade_in",
        "sqlite:///bench-central.db",
        "SQLITE:////var/lib/bench/central.db",
    ],
)
def test_the_central_urls_bench_can_use_load(tmp_path: Path, url: str) -> None:
    config = load_config(write(tmp_path, MINIMAL + f'[store]\ncentral_url = "{url}"\n'))
    assert config.store.central_url == url


# --- schema and example -------------------------------------------------------------------


def test_schema_and_dataclasses_list_the_same_keys() -> None:
    for section, (cls, _) in SECTIONS.items():
        assert [f.name for f in dataclasses.fields(cls)] == [
            k.name for k in SCHEMA if k.section == section
        ]


def test_committed_example_is_what_write_example_produces(tmp_path: Path) -> None:
    written = tmp_path / "sub" / "example.toml"
    write_example(written)
    assert written.read_text(encoding="utf-8") == example_text()
    assert (REPO / "bench" / "config.example.toml").read_text(encoding="utf-8") == example_text()
    assert (REPO / "config.toml").read_text(encoding="utf-8") == example_text()


def test_example_loads_and_has_the_fixed_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_example(path)
    config = load_config(path)
    assert config.station.id == "B-07"
    assert config.scanner.kind == "wedge"
    assert config.store.local_path == tmp_path.resolve() / "bench-local.db"
    assert config.store.central_url == "sqlite:///bench-central.db"
    text = example_text()
    for line in (
        'id = "B-07"                       # shown in the header, stored on inspections',
        'kind = "wedge"                    # serial | wedge | simulated',
        '# port = "/dev/serial/by-id/usb-Honeywell_Scanner-if00"   # or "vid:pid", or a URL',
        'local_path = "bench-local.db"     # the station\'s SQLite file',
        "# set, overrides this. Passwords belong in BENCH_CENTRAL_URL, never here:",
        '# subdivision = "CA"              # state or province for regional holidays',
    ):
        assert line in text.splitlines()


def test_every_key_in_the_example_has_a_comment() -> None:
    keyed = [
        line
        for line in example_text().splitlines()
        if ("=" in line and not line.startswith("# ")) or line.startswith("# subdivision")
    ]
    assert len(keyed) == len(SCHEMA)
    assert all(" # " in line for line in keyed)


# --- the log file ([log] path and level) ----------------------------------------------------


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.mark.usefixtures("root_logging")
def test_setup_logging_writes_the_documented_format(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "bench.log"
    assert setup_logging(path, "INFO") == path
    logging.getLogger("bench.session").info("inspection %s started", "abc")
    logging.getLogger("bench.session").debug("not at INFO")
    setup_logging(path, "INFO")  # again: replaces its handler instead of doubling lines
    logging.getLogger("bench.sync").warning("central at postgresql://bench:pw@central/db down")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0][23:] == " INFO bench.session: inspection abc started"
    assert lines[0][4] == "-" and lines[0][19] == ","  # 2026-11-29 10:15:02,123
    assert lines[1].endswith(
        "WARNING bench.sync: central at postgresql://bench:***@central/db down"
    )


@pytest.mark.usefixtures("root_logging")
def test_unwritable_log_path_falls_back_to_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "tmp"))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    used = setup_logging(blocker / "bench.log", "INFO")
    assert used == tmp_path / "tmp" / "bench.log"
    first = used.read_text(encoding="utf-8").splitlines()[0]
    assert f"cannot write the log file {blocker / 'bench.log'}" in first


@pytest.mark.usefixtures("root_logging")
def test_no_writable_log_path_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(blocker))
    with pytest.raises(LogSetupError, match=r"set \[log\] path in config\.toml"):
        setup_logging(blocker / "bench.log", "INFO")
    with pytest.raises(ValueError, match="log level must be one of"):
        setup_logging(tmp_path / "x.log", "LOUD")


def test_redact_masks_pins_and_passwords() -> None:
    assert redact("pin=1234 PIN: '9876' password=hunter2 ok") == (
        "pin=*** PIN: '***' password=*** ok"
    )
    assert redact("sqlite:///bench-central.db") == "sqlite:///bench-central.db"
