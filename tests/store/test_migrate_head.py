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
