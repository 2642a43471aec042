"""manage.py audit_anchor: write the audit chain's head (position and hash) to a file outside the database."""

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import key_available
from audit.models import AuditEntry
from audit.verification import anchor_read, anchor_write, chain_anchor, chain_verify


class Command(BaseCommand):
    help = (
        "Write the audit chain's head as JSON {seq, hash, at} (default ZHUSAN_AUDIT_ANCHOR_FILE). Run it daily "
        "from cron and before handing the log over, and copy the file off this machine (another server, the "
        "auditor's mail): an anchor kept only next to the database can be cut off with it. The chain is verified "
        "first, against the anchor being replaced; a broken chain is not anchored (exit 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="where to write the anchor")

    def handle(self, *args: Any, out: Path | None = None, **options: Any) -> None:
        path = out or Path(settings.ZHUSAN_AUDIT_ANCHOR_FILE)
        if not key_available() and AuditEntry.objects.exists():
            raise CommandError("no audit key: set ZHUSAN_AUDIT_KEY or ZHUSAN_AUDIT_KEY_FILE", returncode=2)
        try:
            previous = anchor_read(path) if path.exists() else None
        except ValueError as exc:
            raise CommandError(f"{exc}; move it aside to start a new anchor", returncode=2) from exc
        verdict = chain_verify(anchor=previous)
        if not verdict.intact:
            self.stderr.write(f"{verdict}; anchor not written")
            sys.exit(1)
        anchor = chain_anchor()
        anchor_write(anchor, path)
        self.stdout.write(f"anchored seq {anchor.seq} hash {anchor.hash} in {path}")
