"""manage.py flush, which also empties the audit log: its append-only triggers are lifted for the flush.

Django's test runner flushes after every transactional test, so the triggers must not stop it. Lifting them
needs the audit table's owner; the production application role (INSERT and SELECT only) cannot flush it.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from audit.guard import guard_lifted


class Command(flush.Command):
    help = flush.Command.help + " The audit log is emptied too (its append-only triggers are lifted meanwhile)."

    def handle(self, **options: Any) -> None:
        if options["interactive"]:
            name = connections[options["database"]].settings_dict["NAME"]
            question = (
                f"This removes ALL DATA, the audit log included, from the {name!s} database.\n"
                "Type 'yes' to continue, or 'no' to cancel: "
            )
            if input(question) != "yes":
                self.stdout.write("Flush cancelled.")
                return
        # Asked before the transaction starts: the table stays locked only while the flush runs.
        with guard_lifted(using=options["database"]):
            super().handle(**{**options, "interactive": False})
