"""Tampering is found: with raw SQL on the station's file (the audit triggers dropped) or on
central's tables, `bench audit verify [--central]`, the real command, names the first entry
edited, deleted, reordered or inserted; an outbox payload edited before its push is never
sent, but kept as a dead letter marked tampered."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from bench import __version__
from bench.cli import main
from bench.evidence import INSPECTION
from store.central import central_engine, init_central
from store.local import LocalStore
from store.migrate import alembic_config
from store.sync import SyncEngine, evidence
from tests.support.inspections import finished
from tests.support.store_helpers import chain_hash_of

STATION = "B-07"
CONFIG = """\
[station]
id = "{station}"
[scanner]
kind = "wedge"
[store]
local_path = "{path}"
"""
INSPECTIONS = 4
# Each inspection: begun (an audit entry), finished (its own entry and an audit entry).
ENTRIES = 3 * INSPECTIONS


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(station=STATION, path=tmp_path / "station.db"), "utf-8")
    with LocalStore.open(tmp_path / "station.db") as store:
        for n in range(INSPECTIONS):
            done = finished(n)
            store.begin_inspection(done.started)
            store.finish_inspection(done)
    return path


def verify(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--config", str(config), "audit", "verify", *args])
    out, _ = capsys.readouterr()
    return code, out.strip()


def broken_here(config: Path, capsys: pytest.CaptureFixture[str], *statements: str) -> str:
    """Tamper with the station's file by `statements`; `bench audit verify` must exit 1:
    what it says."""
    raw_sql(config, *statements)
    code, out = verify(config, capsys)
    assert code == 1
    return out


def raw_sql(config: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell can do: triggers are no lock."""
    conn = sqlite3.connect(config.parent / "station.db")
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def entry_seq(config: Path, kind: str, ref: str) -> int:
    conn = sqlite3.connect(config.parent / "station.db")
    try:
        (seq,) = conn.execute(
            "SELECT seq FROM evidence_chain WHERE kind = ? AND ref = ?", (kind, ref)
        ).fetchone()
    finally:
        conn.close()
    return int(seq)


class TestTheStationsFile:
    def test_a_chain_as_the_bench_wrote_it_is_whole(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out = verify(config, capsys)
        assert code == 0
        assert out == f"chain of {STATION} whole: {ENTRIES} entries, last " + (
            f"{finished(INSPECTIONS - 1).finished_at.astimezone():%Y-%m-%d %H:%M}"
        )

    def test_an_audit_entry_updated_is_named_edited_with_what_changed(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_here(
            config,
            capsys,
            "UPDATE audit_log SET detail = json_set(detail, '$.final_cents', 99999) WHERE id = "
            "(SELECT min(id) FROM audit_log WHERE event = 'inspection_finished')",
        )
        seq = entry_seq(config, "audit", "2")
        assert out.startswith(f"chain of {STATION} NOT whole: seq {seq} (audit 2, item ")
        assert "was edited: its row in the audit log: detail.final_cents is 99999" in out

    def test_an_audit_entry_deleted_is_named_deleted(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_here(config, capsys, "DELETE FROM audit_log WHERE id = 3")
        seq = entry_seq(config, "audit", "3")
        assert f"seq {seq} (audit 3" in out
        assert "was deleted: its row is gone from the audit log" in out

    def test_a_chain_entry_deleted_is_named_by_its_missing_seq(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_here(config, capsys, "DELETE FROM evidence_chain WHERE seq = 5")
        assert out == (
            f"chain of {STATION} NOT whole: seq 5 was deleted: missing: the chain goes "
            "from seq 4 to seq 6"
        )

    def test_two_seqs_swapped_are_named_reordered(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_here(
            config,
            capsys,
            "UPDATE evidence_chain SET seq = -1 WHERE seq = 4",
            "UPDATE evidence_chain SET seq = 4 WHERE seq = 7",
            "UPDATE evidence_chain SET seq = 7 WHERE seq = -1",
        )
        assert "NOT whole: seq 4 (" in out and "was reordered: it was chained after seq" in out

    def test_a_forged_audit_entry_is_named_inserted(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_here(
            config,
            capsys,
            "INSERT INTO audit_log (at, station_id, inspector_id, event, detail) VALUES "
            "('2026-11-29 09:10:00.000000', 'B-07', 'EMP-0001', 'inspection_finished', "
            """'{"final_cents": 99999}')""",
        )
        assert out == (
            f"chain of {STATION} NOT whole: audit {ENTRIES - INSPECTIONS + 1} was inserted: "
            "no entry records its row in the audit log"
        )

    def test_an_outbox_payload_edited_is_named_with_what_changed(
        self, config: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        inspection = finished(1).started.id
        out = broken_here(
            config,
            capsys,
            "UPDATE outbox SET payload = json_set(payload, '$.final_cents', 99999) "
            f"WHERE inspection_id = '{inspection}'",
        )
        assert f"(inspection {inspection}, item TI-000001-01, inspection {inspection})" in out
        assert "was edited: its row in the outbox: final_cents is 99999" in out


def test_a_station_from_before_the_chain_is_chained_when_it_is_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "station.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config("local", conn), "0005")
        done = finished(1)
        payload = {"id": done.started.id, "station_id": STATION, "final_cents": 1500}
        conn.execute(
            text(
                "INSERT INTO inspections (id, request_item_id, station_id, inspector_id, "
                "started_at, status, scanned_code, reason_codes, wiped) VALUES "
                "(:id, 'TI-000001-01', :station, 'EMP-0001', '2026-11-29 09:00:00.000000', "
                "'finished', 'SN1', '[]', 0)"
            ),
            {"id": done.started.id, "station": STATION},
        )
        conn.execute(
            text(
                "INSERT INTO outbox (inspection_id, payload, created_at, attempts) VALUES "
                "(:id, :payload, '2026-11-29 09:00:40.000000', 0)"
            ),
            # Keys unsorted, as an older release wrote them.
            {"id": done.started.id, "payload": json.dumps(payload, sort_keys=False)},
        )
        for at in ("2026-11-29 09:00:00.000000", "2026-11-29 09:01:00.000000"):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, station_id, inspector_id, event, detail) "
                    "VALUES (:at, :station, 'EMP-0001', 'login', '{}')"
                ),
                {"at": at, "station": STATION},
            )
    engine.dispose()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(station=STATION, path=path), "utf-8")
    LocalStore.open(path).close()  # migrates to head
    code, out = verify(config, capsys)
    assert (code, out) == (0, f"chain of {STATION} whole: 3 entries, last 2026-11-29 09:01")
    conn = sqlite3.connect(path)
    kinds = [kind for (kind,) in conn.execute("SELECT kind FROM evidence_chain ORDER BY seq")]
    conn.close()
    assert kinds == ["audit", "inspection", "audit"]  # in the order they happened


# -- The push and central ----------------------------------------------------------------


@pytest.fixture
def central(pg_url: str) -> str:
    init_central(pg_url)
    return pg_url


def push(config: Path, url: str) -> None:
    with LocalStore.open(config.parent / "station.db") as store:
        sync = SyncEngine(store, url, STATION, app_version=__version__)
        try:
            state = sync.run_once(pull=False)
        finally:
            sync.close()
    assert state.online, state


@pytest.fixture
def pushed(config: Path, central: str) -> Iterator[str]:
    push(config, central)
    yield central


def central_sql(url: str, *statements: str) -> None:
    engine = central_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def central_verify(config: Path, url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    return verify(config, capsys, "--central", "--url", url)


def broken_at_central(
    config: Path, url: str, capsys: pytest.CaptureFixture[str], *statements: str
) -> str:
    """Tamper with central's tables by `statements`; `bench audit verify --central` must
    exit 1: what it says."""
    central_sql(url, *statements)
    code, out = central_verify(config, url, capsys)
    assert code == 1
    return out


class TestTheTamperedOutboxRow:
    def test_an_edited_payload_is_not_pushed_but_dead_lettered_as_tampered(
        self, config: Path, central: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        tampered = finished(2).started.id
        raw_sql(
            config,
            "UPDATE outbox SET payload = json_set(payload, '$.final_cents', 99999) "
            f"WHERE inspection_id = '{tampered}'",
        )
        push(config, central)
        engine = central_engine(central)
        with engine.connect() as conn:
            arrived = set(conn.execute(text("SELECT id::text FROM inspections")).scalars())
            refused = conn.execute(
                text("SELECT refused FROM evidence_chain WHERE ref = :ref"), {"ref": tampered}
            ).scalar_one()
        engine.dispose()
        assert arrived == {finished(n).started.id for n in range(INSPECTIONS)} - {tampered}
        with LocalStore.open(config.parent / "station.db") as store:
            (dead,) = store.refused_inspections()
        assert dead.inspection_id == tampered and dead.tampered
        assert dead.reason.startswith("TAMPERED, not sent: its payload was edited: final_cents")
        assert "is 99999, the chain recorded" in dead.reason
        assert "call a supervisor" in dead.reason
        assert refused == dead.reason
        # Central has the whole chain with the payload as confirmed, and no deletion in it.
        assert central_verify(config, central, capsys)[0] == 0

    def test_a_payload_edited_with_its_chain_entry_is_not_pushed_either(
        self, config: Path, central: str
    ) -> None:
        tampered = finished(0).started.id
        raw_sql(
            config,
            "UPDATE outbox SET payload = json_set(payload, '$.final_cents', 99999) "
            f"WHERE inspection_id = '{tampered}'",
            "UPDATE evidence_chain SET body = (SELECT payload FROM outbox WHERE inspection_id "
            f"= '{tampered}') WHERE ref = '{tampered}'",
        )
        push(config, central)
        with LocalStore.open(config.parent / "station.db") as store:
            (dead,) = store.refused_inspections()
        assert dead.tampered and "its evidence chain entry (seq" in dead.reason


class TestCentral:
    def test_after_a_push_every_chain_at_central_is_whole_and_carries_the_hashes(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out = central_verify(config, pushed, capsys)
        assert code == 0
        assert out.startswith(f"chain of {STATION} whole: {ENTRIES} entries, last ")
        inspection = finished(1).started.id
        engine = central_engine(pushed)
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT chain_hash FROM inspections WHERE id = :id"), {"id": inspection}
            ).scalar_one()
        engine.dispose()
        with LocalStore.open(config.parent / "station.db") as store:
            assert found == chain_hash_of(store, inspection)

    def test_a_push_again_duplicates_nothing(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        # A push whose reply was lost sends everything again.
        engine = central_engine(pushed)
        with LocalStore.open(config.parent / "station.db") as store, engine.connect() as conn:
            again = store.unpushed_chain(STATION, 0, ENTRIES + 10)
            assert len(again) == ENTRIES
            evidence.store(conn, again)
        engine.dispose()
        push(config, pushed)
        assert central_verify(config, pushed, capsys) == (
            0,
            f"chain of {STATION} whole: {ENTRIES} entries, last "
            f"{finished(INSPECTIONS - 1).finished_at.astimezone():%Y-%m-%d %H:%M}",
        )

    def test_an_inspection_edited_at_central_is_named_with_what_changed(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        inspection = finished(1).started.id
        out = broken_at_central(
            config,
            pushed,
            capsys,
            f"UPDATE inspections SET final_cents = 99999 WHERE id = '{inspection}'",
        )
        assert f"({INSPECTION} {inspection}, item TI-000001-01" in out
        assert "was edited: central's inspections row: final_cents is 99999" in out

    def test_an_inspection_deleted_at_central_is_named_deleted(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        inspection = finished(3).started.id
        out = broken_at_central(
            config, pushed, capsys, f"DELETE FROM inspections WHERE id = '{inspection}'"
        )
        assert f"({INSPECTION} {inspection}" in out
        assert "was deleted: its row is gone from central's inspections" in out

    def test_an_inspection_forged_at_central_is_named_inserted(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        forged = "00000000-0000-4000-8000-000000000001"
        out = broken_at_central(
            config,
            pushed,
            capsys,
            "INSERT INTO inspections SELECT (:id)::uuid, request_item_id, station_id, "
            "inspector_id, started_at, finished_at, scanned_code, identified_sku, answers, grade, "
            "outcome, reason_codes, 99999, disposition, wiped, now(), response_due_on, "
            "identified_by, supersedes FROM inspections LIMIT 1".replace(":id", f"'{forged}'"),
        )
        assert f"{INSPECTION} {forged} was inserted: no entry records this row" in out

    def test_a_chain_entry_edited_at_central_is_named_edited(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_at_central(
            config,
            pushed,
            capsys,
            "UPDATE evidence_chain SET body = jsonb_set(body, '{event}', '\"login\"') "
            "WHERE seq = 1",
        )
        assert "NOT whole: seq 1 (audit 1" in out and "was edited" in out

    def test_a_chain_entry_deleted_at_central_is_named_deleted(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        central_sql(pushed, "DELETE FROM evidence_chain WHERE seq = 2")
        code, out = central_verify(config, pushed, capsys)
        assert (code, out) == (
            1,
            f"chain of {STATION} NOT whole: seq 2 was deleted: missing: the chain goes from "
            "seq 1 to seq 3",
        )

    def test_two_chain_entries_swapped_at_central_are_named_reordered(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = broken_at_central(
            config,
            pushed,
            capsys,
            "UPDATE evidence_chain SET seq = -1 WHERE seq = 3",
            "UPDATE evidence_chain SET seq = 3 WHERE seq = 6",
            "UPDATE evidence_chain SET seq = 6 WHERE seq = -1",
        )
        assert "NOT whole: seq 3 (" in out and "was reordered" in out

    def test_one_station_asked_for_by_name(
        self, config: Path, pushed: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert central_verify(config, pushed, capsys)[0] == 0
        code, out = verify(config, capsys, "--central", "--url", pushed, "--station", "B-99")
        assert (code, out) == (0, "chain of B-99 whole: 0 entries")
