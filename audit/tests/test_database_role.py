"""The application's database role cannot change, remove or unguard audit entries, and the deployment check
refuses a role that could (a superuser, or the owner of the audit tables).

In the ordinary PostgreSQL run the tests connect as a superuser: the `application_role` fixture then makes a
role granted as in production (`manage.py database_role_grant`) inside the test's transaction and takes it
with SET ROLE. CI also runs this module connected as a real login role made that way (.ci/app-role-tests).
"""

from collections.abc import Iterator
from io import StringIO
from uuid import uuid4

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.database_role import application_role_grants, check_database_role, refuse_unsafe_database_role
from audit.guard import guard_in_place
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record

ON_POSTGRESQL = connection.vendor == "postgresql"
TABLE = AuditEntry._meta.db_table
on_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="database roles and privileges exist only on PostgreSQL")


def _superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def _refused(statement: str) -> str:
    """Run a statement that must fail; the database's message (the test's transaction stays usable)."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    return str(error.value)


@pytest.fixture
def application_role(db: None) -> Iterator[str]:
    """The role the application connects as in production, granted by `application_role_grants`."""
    if not _superuser():  # CI's role run: connected as the application role already
        yield connection.settings_dict["USER"]
        return
    name = f"zhusan_app_probe_{uuid4().hex[:12]}"  # roles are shared by the cluster: one per test, rolled back
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(f"CREATE ROLE {name} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        for statement in application_role_grants(name, schema):
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {name}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@on_postgresql
def test_the_application_role_appends_to_the_audit_log(application_role: str) -> None:
    entries = [audit_record(actor=None, action=AuditAction.VIEW, reason=f"entry {n}") for n in (1, 2)]
    assert entries[1].seq == entries[0].seq + 1
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).count() == 2


@on_postgresql
def test_the_application_role_cannot_change_delete_or_truncate_audit_rows(application_role: str) -> None:
    entry = audit_record(actor=None, action=AuditAction.VIEW, reason="kept")
    for statement in (
        f"UPDATE {TABLE} SET reason = 'rewritten'",  # noqa: S608 (test table name)
        f"DELETE FROM {TABLE}",  # noqa: S608
        f"TRUNCATE {TABLE}",
    ):
        message = _refused(statement)
        assert "permission denied" in message or "append-only" in message, message
    assert AuditEntry.objects.get(pk=entry.pk).reason == "kept"


@on_postgresql
def test_the_application_role_cannot_lift_the_triggers(application_role: str) -> None:
    for statement in (
        f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
        f"DROP TRIGGER audit_entry_append_only ON {TABLE}",
        "DROP FUNCTION audit_entry_append_only()",
    ):
        assert "must be owner" in _refused(statement)
    assert guard_in_place()


@on_postgresql
def test_the_deploy_check_accepts_the_application_role(application_role: str) -> None:
    assert check_database_role() == []
    refuse_unsafe_database_role()  # no exception: the server would start


@on_postgresql
def test_the_triggers_refuse_even_a_role_wrongly_granted_update_delete_and_truncate(application_role: str) -> None:
    if application_role == connection.settings_dict["USER"]:
        pytest.skip("connected as the application role itself: only a superuser can grant more than it has")
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON {TABLE} TO {application_role}")
        cursor.execute(f"SET ROLE {application_role}")
    audit_record(actor=None, action=AuditAction.VIEW, reason="kept")
    assert "append-only" in _refused(f"UPDATE {TABLE} SET reason = 'rewritten'")  # noqa: S608
    assert "append-only" in _refused(f"DELETE FROM {TABLE}")  # noqa: S608
    assert "append-only" in _refused(f"SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE {TABLE}")


@on_postgresql
def test_the_deploy_check_refuses_a_superuser_who_owns_the_audit_tables(db: None) -> None:
    if not _superuser():
        pytest.skip("connected as the application role (CI's role run): there is no superuser to refuse")
    problems = check_database_role()
    assert [p.id for p in problems] == ["zhusan.E010", "zhusan.E011"]
    assert "audit_auditentry" in problems[1].msg
    with pytest.raises(ImproperlyConfigured, match="superuser"):
        refuse_unsafe_database_role()


@on_postgresql
def test_the_deploy_check_refuses_the_owner_of_the_audit_tables_though_not_a_superuser(db: None) -> None:
    if not _superuser():
        pytest.skip("connected as the application role (CI's role run): it cannot create an owner to refuse")
    owner = f"zhusan_owner_probe_{uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"ALTER TABLE {TABLE} OWNER TO {owner}")  # undone with the test's transaction
        cursor.execute(f"SET ROLE {owner}")
    try:
        assert [p.id for p in check_database_role()] == ["zhusan.E011"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@on_postgresql
def test_granting_refuses_a_missing_or_superuser_role(db: None) -> None:
    with pytest.raises(CommandError, match="no role"):
        call_command("database_role_grant", "no_such_role_here", stdout=StringIO())
    with pytest.raises(CommandError, match="superuser"):
        call_command("database_role_grant", "postgres", stdout=StringIO())


@pytest.mark.skipif(ON_POSTGRESQL, reason="checks that SQLite, which has no roles, passes the check")
def test_the_deploy_check_has_nothing_to_say_on_sqlite(db: None) -> None:
    assert check_database_role() == []
    refuse_unsafe_database_role()
