"""`manage.py retention_report`: closed cases holding data past its retention period (and not on legal hold)."""

from typing import Any

from django.core.management.base import BaseCommand

from retention.selectors import retention_due


class Command(BaseCommand):
    help = "List closed cases with data classes kept past their retention period. Cases on legal hold are left out."

    def handle(self, *args: Any, **options: Any) -> None:
        due = retention_due()
        for item in due:
            classes = ", ".join(str(k) for k in item.classes)
            self.stdout.write(f"{item.case.number}\tclosed {item.closed_on.isoformat()}\t{classes}")
        self.stdout.write(f"{len(due)} case(s) past retention.")
