"""The database's own refusal to change or remove audit entries (triggers made by migration 0005).

On PostgreSQL, row triggers refuse UPDATE and DELETE and a statement trigger refuses TRUNCATE; on SQLite,
row triggers refuse UPDATE and DELETE. Only `guard_lifted` turns them off, for `manage.py flush` (which
empties every table) and for the tampering tests. Lifting needs the table's owner: the application's
database role, holding INSERT and SELECT only, cannot (docs/decisions/0011-tamper-evident-audit.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from audit.models import AuditEntry

POSTGRESQL_TRIGGERS = {"audit_entry_append_only", "audit_entry_no_truncate"}
SQLITE_TRIGGERS = {"audit_entry_no_update", "audit_entry_no_delete"}


def guard_triggers(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Names of the enabled append-only triggers on the audit table."""
    connection = connections[using]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
                [table],
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        else:
            return set()
        return {name for (name,) in cursor.fetchall()}


def guard_in_place(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether every append-only trigger exists and is enabled (False on databases without them)."""
    vendor = connections[using].vendor
    expected = {"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}.get(vendor)
    return expected is not None and expected <= guard_triggers(using)


@contextmanager
def guard_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Turn the triggers off inside one transaction and on again at its end.

    The change is transactional on both databases: if the block fails, the rollback restores the triggers.
    PostgreSQL: ALTER TABLE ... DISABLE TRIGGER USER (table owner or superuser; locks the table until the
    end of the transaction). SQLite: the triggers are dropped and created again from their stored SQL.
    """
    connection = connections[using]
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks are queued: run them now, defer again after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEntry._meta.db_table],
            )
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield
            for _name, sql in saved:
                cursor.execute(sql)
        else:
            yield
