"""Reading the audit log: only for those whose role allows it (auditors)."""

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from access import policy
from access.rules import Capability
from audit.models import AuditEntry
from core.errors import refuse


def audit_entries(
    user: Any,
    *,
    username: str = "",
    person_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    if not policy.has_capability(user, Capability.VIEW_AUDIT):
        raise refuse()
    entries = AuditEntry.objects.all()
    if username:
        entries = entries.filter(actor_username=username)
    if person_id:
        entries = entries.filter(person_id=person_id)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        entries = entries.filter(at__lte=timezone.make_aware(datetime.combine(date_to, time.max)))
    return entries.order_by("-id")


def changed_fields(entry: AuditEntry) -> list[str]:
    """What an entry changed, as field names only: auditors see who did what, never the case contents.

    The items of a change set written as one entry (a person's names) show as `names.given`, `names.family`, ...
    """
    if not isinstance(entry.changes, dict):
        return []
    fields: set[str] = set()
    for field, value in entry.changes.items():
        items = [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
        fields.update(f"{field}.{key}" for item in items for key in item if key != "id")
        if not items:
            fields.add(field)
    return sorted(fields)
