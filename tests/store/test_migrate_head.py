"""A station file at head opens without Alembic: the shortcut must agree with Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from store.local import LocalStore
from store.migrate import Schema, alembic_config, at_head, head_revision


@pytest.mark.parametrize("schema", ["local", "central"])
def test_the_newest_migration_file_is_alembic_s_one_head(schema: Schema) -> None:
    script = ScriptDirectory.from_config(alembic_config(schema))
    assert script.get_heads() == [head_revision(schema)]


def test_a_station_file_is_at_head_once_opened_and_not_before(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert not at_head("local", connection)  # a new file: no version table yet
    LocalStore.open(path).close()
    with engine.begin() as connection:
        assert at_head("local", connection)
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        assert not at_head("local", connection)  # an older file is migrated as before
    engine.dispose()


def test_a_station_whose_country_has_no_calendar_is_refused_as_it_opens(tmp_path: Path) -> None:
    """A config loaded with the calendar left unchecked (the station's and the demo's) is
    refused by the start-up worker with the message load_config would give."""
    from bench.config import ConfigError, parse_config
    from store.station import open_station

    config = parse_config(
        {
            "station": {"id": "B-07", "country": "XX"},
            "scanner": {"kind": "simulated"},
            "store": {"local_path": str(tmp_path / "station.db"), "central_url": ""},
        },
        base_dir=tmp_path,
        check_calendar=False,
    )
    with pytest.raises(ConfigError, match=r"config.toml: \[station\] country must be a country"):
        open_station(config, lambda: None, lambda *_: None, lambda _: None)  # type: ignore[arg-type, return-value]
    assert not (tmp_path / "station.db").exists()  # refused before the file was touched
