"""The station's own SQLite file: the replica it works from offline, and everything it records.

A package split along the file's seams: `schema` (the tables), `engine` (opening the file:
pragmas, BEGIN, migrations), one repository module per group of tables (`replica`,
`inspections`, `outbox`, `print_jobs`, `audit`, `logins`, `quarantine`: functions that take a
`Connection`), and `store`, the `LocalStore` facade that owns the transactions. What
other code imports is re-exported here, so `from store.local import LocalStore` works as
it always has.
"""

from store.errors import StoreError
from store.local.audit import AuditEvent
from store.local.outbox import OutboxRow, QueuedRow
from store.local.quarantine import SkippedRow
from store.local.schema import (
    CANCELLED,
    FINISHED,
    IN_PROGRESS,
    REPLICA_TABLES,
    LocalAnswer,
    LocalAuditEntry,
    LocalBase,
    LocalCatalogGtin,
    LocalCatalogModel,
    LocalInspection,
    LocalInspector,
    LocalLoginFailure,
    LocalOutboxEntry,
    LocalProgram,
    LocalRequest,
    LocalRequestItem,
    LocalSyncCursor,
    answer_table,
    audit_table,
    catalog_table,
    cursor_table,
    gtin_table,
    inspection_table,
    inspector_table,
    item_table,
    login_failure_table,
    outbox_table,
    print_job_table,
    program_table,
    quarantine_table,
    request_table,
)
from store.local.store import LocalStore

__all__ = [
    "CANCELLED",
    "FINISHED",
    "IN_PROGRESS",
    "REPLICA_TABLES",
    "AuditEvent",
    "LocalAnswer",
    "LocalAuditEntry",
    "LocalBase",
    "LocalCatalogGtin",
    "LocalCatalogModel",
    "LocalInspection",
    "LocalInspector",
    "LocalLoginFailure",
    "LocalOutboxEntry",
    "LocalProgram",
    "LocalRequest",
    "LocalRequestItem",
    "LocalStore",
    "LocalSyncCursor",
    "OutboxRow",
    "QueuedRow",
    "SkippedRow",
    "StoreError",
    "answer_table",
    "audit_table",
    "catalog_table",
    "cursor_table",
    "gtin_table",
    "inspection_table",
    "inspector_table",
    "item_table",
    "json_text",
    "login_failure_table",
    "outbox_table",
    "print_job_table",
    "program_table",
    "quarantine_table",
    "request_table",
]
