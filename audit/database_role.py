"""The application's PostgreSQL role must not be able to lift the audit log's append-only triggers.

A superuser, or the owner of the audit tables (or a member of the owner's role), can disable the triggers and
rewrite the log (audit/guard.py). Production connects as a role that owns nothing, made with
`manage.py database_role_grant` (docs/decisions/0031-non-owner-database-role.md). `manage.py check --deploy`
refuses a superuser or an owner, and so does the WSGI application at start-up when ZHUSAN_PRODUCTION=1.
SQLite has no roles: nothing to check there.
"""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from audit.models import AuditEntry, ChainHead

AUDIT_TABLES = (AuditEntry._meta.db_table, ChainHead._meta.db_table)


def database_role_problems(using: str = DEFAULT_DB_ALIAS) -> list[checks.CheckMessage]:
    """Errors when the connected PostgreSQL role is a superuser or owns the audit tables (two catalogue reads)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        role, superuser = cursor.fetchone()
        cursor.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = ANY (current_schemas(false)) "
            "AND tablename = ANY (%s) AND pg_has_role(current_user, tableowner, 'MEMBER') ORDER BY tablename",
            [list(AUDIT_TABLES)],
        )
        owned = cursor.fetchall()
    problems: list[checks.CheckMessage] = []
    if superuser:
        problems.append(
            checks.Error(
                f"The application connects to PostgreSQL as {role!r}, a superuser: it could lift the audit log's "
                "append-only triggers and rewrite the log.",
                hint="Connect as a role that owns nothing; see `manage.py database_role_grant --help`.",
                id="zhusan.E010",
            )
        )
    if owned:
        tables = ", ".join(f"{table} (owner {owner})" for table, owner in owned)
        problems.append(
            checks.Error(
                f"The application's PostgreSQL role {role!r} owns, or is a member of the owner of, the audit "
                f"tables {tables}: it could disable their triggers.",
                hint="Run migrations as the owner and the application as another role; see docs/security.md.",
                id="zhusan.E011",
            )
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_database_role(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: the application's database role can neither own nor bypass the audit log."""
    try:
        return database_role_problems()
    except DatabaseError as error:
        return [
            checks.Warning(
                f"Could not check the application's database role: {error}",
                hint="Run `manage.py check --deploy` where the production database can be reached.",
                id="zhusan.W011",
            )
        ]


def refuse_unsafe_database_role(using: str = DEFAULT_DB_ALIAS) -> None:
    """At start-up in production: refuse to serve as a superuser or an owner of the audit tables."""
    problems = database_role_problems(using)
    connection = connections[using]
    if not connection.in_atomic_block:
        connection.close()  # opened before a server may fork its workers: each must open its own
    if problems:
        raise ImproperlyConfigured(" ".join(problem.msg for problem in problems))


def application_role_grants(role: str, schema: str) -> list[str]:
    """What the application's role gets (docs/security.md): full DML on every table and use of the sequences,
    except the audit entries, which it may only read and append. It owns nothing and gets no TRUNCATE."""
    entries = AuditEntry._meta.db_table
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {entries} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
