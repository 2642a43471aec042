"""manage.py audit_verify: walk the audit chain and report the first break. Exit 0 when intact, 1 when broken."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import key_available
from audit.models import AuditEntry
from audit.verification import anchor_read, chain_verify


class Command(BaseCommand):
    help = (
        "Recompute every audit entry's keyed hash in chain order and report the first entry altered, deleted, "
        "reordered or inserted; with --anchor, also a cut-off tail. Exits 1 on any break, 2 when it cannot check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor", type=Path, help="an anchor file written earlier by audit_anchor")
        parser.add_argument("--quiet", action="store_true", help="print nothing when the chain is intact")

    def handle(self, *args: Any, anchor: Path | None = None, quiet: bool = False, **options: Any) -> None:
        if not key_available() and AuditEntry.objects.exists():
            raise CommandError("no audit key: set ZHUSAN_AUDIT_KEY or ZHUSAN_AUDIT_KEY_FILE", returncode=2)
        try:
            expected = anchor_read(anchor) if anchor is not None else None
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        verdict = chain_verify(anchor=expected)
        for warning in verdict.warnings:
            self.stderr.write(f"warning: {warning}")
        if not verdict.intact:
            self.stderr.write(str(verdict))
            sys.exit(1)
        if not quiet:
            self.stdout.write(str(verdict))
