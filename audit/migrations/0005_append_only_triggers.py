# The database itself refuses to change or remove audit entries: triggers on PostgreSQL (UPDATE, DELETE and
# TRUNCATE) and on SQLite (UPDATE, DELETE). The chain head (audit_chainhead) stays updatable.
# Must stay the last operation on the audit table: on SQLite a later AlterField rebuilds the table and the
# rebuild drops its triggers; such a migration has to create them again (see docs/decisions/0011).

from django.db import migrations

MESSAGE = "audit entries are append-only"

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$body$
"""


def _table(apps, schema_editor):
    return schema_editor.quote_name(apps.get_model("audit", "AuditEntry")._meta.db_table)


def guard_create(apps, schema_editor):
    vendor, table = schema_editor.connection.vendor, _table(apps, schema_editor)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def guard_drop(apps, schema_editor):
    vendor, table = schema_editor.connection.vendor, _table(apps, schema_editor)
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_chain_seq_required"),
    ]

    operations = [
        migrations.RunPython(guard_create, guard_drop, elidable=False),
    ]
