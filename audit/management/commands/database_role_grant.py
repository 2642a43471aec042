"""`manage.py database_role_grant <role>`: give the application's PostgreSQL role what it needs, and no more."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from audit.database_role import application_role_grants


class Command(BaseCommand):
    help = (
        "Run as the schema owner, after every migrate: grants the named application role SELECT, INSERT, UPDATE "
        "and DELETE on every table and use of every sequence, except audit entries, which it may only read and "
        "append. The role must exist, must not be a superuser and must not own the tables (check --deploy)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="The application's login role, e.g. zhusan_app.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL.")
        with transaction.atomic(using=options["database"]), connection.cursor() as cursor:
            cursor.execute("SELECT current_schema(), rolsuper FROM pg_roles WHERE rolname = %s", [options["role"]])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"There is no role {options['role']!r}: create it first (CREATE ROLE ... LOGIN).")
            schema, superuser = found
            if superuser:
                raise CommandError(f"{options['role']!r} is a superuser: the application must not connect as one.")
            quote = connection.ops.quote_name
            for statement in application_role_grants(quote(options["role"]), quote(schema)):
                cursor.execute(statement)
        self.stdout.write(f"Granted {options['role']} the application's privileges in schema {schema}.")
