"""Who may do what at central: the group roles `bench central init` creates and grants.

A bench's login must not be able to change or delete a result once central has it: the
credits and refunds the portal pays are computed from `inspections`. So a station logs in
as a member of `bench_station`, which may read what the portal writes and what its push
reads back, add inspections, record conflicts and beat its heart, and nothing else; a
supervisor's desk logs in as a member of `bench_supervisor`, which may read everything.

This is a step run after the migrations on every `bench central init`, not a migration:
re-applied each time, it revokes and grants afresh over every table there is now, so tables
and columns added by later migrations get the right grants without anyone remembering to.
Login roles are the site administrator's (README, "Running a station"); roles are
cluster-wide, so this never creates or drops one but the two groups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from sqlalchemy import Connection, Table, text

from store.central.schema import (
    REPLICATED,
    conflict_table,
    evidence_table,
    heartbeat_table,
    inspection_table,
)

STATION_ROLE: Final = "bench_station"
SUPERVISOR_ROLE: Final = "bench_supervisor"
ROLES: Final = (STATION_ROLE, SUPERVISOR_ROLE)


def _upserted(table: Table) -> str:
    """UPDATE on the columns an upsert sets (all but the key), so a row keeps its key."""
    columns = ", ".join(c.name for c in table.columns if not c.primary_key)
    return f"SELECT, INSERT, UPDATE ({columns})"


# What a station does to each table, from every statement store/sync runs. SELECT on
# `inspections`: the push counts an item's inspections to flag a conflict, and its staging
# table is `LIKE inspections`, which needs SELECT on the whole table. Never UPDATE or
# DELETE of `inspections`, nor of the evidence chain (SELECT: the push asks where the
# station's chain stands at central).
STATION_PRIVILEGES: Final[Mapping[str, str]] = {
    **{table.name: "SELECT" for table in REPLICATED},
    inspection_table.name: "SELECT, INSERT",
    evidence_table.name: "SELECT, INSERT",
    conflict_table.name: _upserted(conflict_table),
    heartbeat_table.name: _upserted(heartbeat_table),
    # A supervisor logged in at a bench reads the settlements through the bench's login; the
    # view shows nothing the station could not already compute from what it may read.
    "request_settlements": "SELECT",
}


def grant_roles(connection: Connection, say: Callable[[str], None]) -> None:
    """Create the two group roles if missing and give them exactly their privileges on the
    connection's database and schema, in the caller's transaction. SQLite has no roles."""
    if connection.dialect.name != "postgresql":
        say("SQLite has no roles: nothing to grant")
        return
    quote = connection.dialect.identifier_preparer.quote
    database, schema = connection.execute(text("SELECT current_database(), current_schema()")).one()
    for role in ROLES:
        _create_group_role(connection, role)
    groups = ", ".join(ROLES)
    where = quote(schema)
    statements = [
        # Exactly these privileges: whatever was granted before (by hand, or by an older
        # release) goes first.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {groups}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {groups}",
        f"GRANT USAGE ON SCHEMA {where} TO {groups}",
        # TEMPORARY: a retried push stages its batch in a temporary table.
        f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {STATION_ROLE}",
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {SUPERVISOR_ROLE}",
        # Tables and views alike, request_settlements included.
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {where} TO {SUPERVISOR_ROLE}",
        f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {SUPERVISOR_ROLE}",
    ]
    statements += [
        f"GRANT {privileges} ON {where}.{quote(table)} TO {STATION_ROLE}"
        for table, privileges in STATION_PRIVILEGES.items()
    ]
    for statement in statements:
        connection.exec_driver_sql(statement)
    # A sequence behind a column of a table the station inserts into (none today) must be
    # usable, or its inserts fail.
    owned = connection.execute(
        text(
            "SELECT DISTINCT seq.relname FROM pg_depend d "
            "JOIN pg_class seq ON seq.oid = d.objid AND seq.relkind = 'S' "
            "JOIN pg_class tab ON tab.oid = d.refobjid "
            "JOIN pg_namespace n ON n.oid = tab.relnamespace AND n.nspname = current_schema() "
            "WHERE d.deptype IN ('a', 'i') AND tab.relname = ANY(:tables)"
        ),
        {"tables": [t for t, p in STATION_PRIVILEGES.items() if "INSERT" in p]},
    ).scalars()
    for sequence in owned:
        connection.exec_driver_sql(
            f"GRANT USAGE ON SEQUENCE {where}.{quote(sequence)} TO {STATION_ROLE}"
        )
    say(f"Granted {STATION_ROLE} and {SUPERVISOR_ROLE} their privileges on schema {schema}")


def _create_group_role(connection: Connection, role: str) -> None:
    """CREATE ROLE ... NOLOGIN unless it exists: a role made beforehand by a DBA (for an
    init user without CREATEROLE) is used as it is. Two inits at once on one server (roles
    are cluster-wide) must not fail because the other created it first."""
    connection.exec_driver_sql(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END
        $$
        """
    )
