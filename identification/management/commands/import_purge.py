"""manage.py import_purge: delete the working rows of spreadsheet imports finished more than a while ago."""

from typing import Any

from django.core.management.base import BaseCommand

from identification.imports import import_rows_purge, keep_days


class Command(BaseCommand):
    help = (
        "Delete the working rows (cells, parsed values, candidates) and the headers of spreadsheet imports "
        "committed or discarded more than ZHUSAN_IMPORT_ROWS_KEEP_DAYS days ago (default 30), and discard imports "
        "left unfinished that long after upload. The batch summary (file hash, counts, dates) stays. Run it daily "
        "from cron, like audit_anchor."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_rows_purge()
        self.stdout.write(f"{purged} import batch(es) purged (rows kept {keep_days()} days).")
