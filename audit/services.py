"""Writing the audit log. Every service calls `audit_record` inside its own transaction."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from access.rules import SENSITIVE_CLASSES, DataClass
from audit.chain import CHAIN_FIELDS, GENESIS, entry_digest, json_normal
from audit.models import AuditAction, AuditEntry, ChainHead
from core.request_context import current_request

MASK = "***"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], data_classes: Mapping[str, DataClass]
) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}, with values of sensitive classes masked."""
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old == new:
            continue
        if data_classes.get(field) in SENSITIVE_CLASSES:
            changes[field] = [MASK, MASK]
        else:
            changes[field] = [old, new]
    return changes


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: _plain(getattr(instance, f + "_id" if _is_fk(instance, f) else f)) for f in fields}


def _is_fk(instance: models.Model, field: str) -> bool:
    return isinstance(instance._meta.get_field(field), models.ForeignKey)


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model | None = None,
    person_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the audit chain, in the caller's transaction.

    The chain head is locked first, so concurrent writers take consecutive positions one after the other;
    the lock is held until the caller's transaction ends. The entry's hash covers exactly the values stored.
    """
    request = request or current_request()
    user = actor if getattr(actor, "is_authenticated", False) else None
    agency = getattr(user, "agency", None) if user else None
    ip_address = request.META.get("REMOTE_ADDR") if request else None
    entry = AuditEntry(
        at=timezone.now(),
        actor=user,
        actor_username=getattr(user, "username", "") or "",
        agency_name=str(agency) if agency else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        person_id=int(person_id) if person_id is not None else None,
        changes=json_normal(dict(changes or {})),
        reason=reason,
        path=(request.get_full_path()[:300] if request else ""),
        # As the column gives it back: blank is stored as NULL, IPv6 in its short lower-case form.
        ip_address=AuditEntry._meta.get_field("ip_address").get_prep_value(ip_address or None),
    )
    head = _chain_head_locked()
    entry.seq = head.seq + 1
    entry.prev_hash = head.hash
    entry.entry_hash = entry_digest(head.hash, _chain_fields(entry))
    entry.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.entry_hash)
    return entry


def _chain_fields(entry: AuditEntry) -> dict[str, Any]:
    fields = {name: getattr(entry, name) for name in CHAIN_FIELDS}
    fields["action"] = str(entry.action)
    return fields


def _chain_head_locked() -> ChainHead:
    """The head row, locked for this transaction. Re-made from the last entry if it is missing (after a flush)."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()  # on SQLite a plain read: writers queue
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, last_hash = last if last is not None else (0, GENESIS)
    # Two writers may both find it missing: the second insert is ignored (it waits for the first on PostgreSQL).
    ChainHead.objects.bulk_create([ChainHead(pk=1, seq=seq, hash=last_hash)], ignore_conflicts=True)
    return ChainHead.objects.select_for_update().get(pk=1)
