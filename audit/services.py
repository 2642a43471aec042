"""Writing the audit log. Every service calls `audit_record` inside its own transaction."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from access.rules import SENSITIVE_CLASSES, DataClass
from audit.models import AuditAction, AuditEntry
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
    request = request or current_request()
    user = actor if getattr(actor, "is_authenticated", False) else None
    agency = getattr(user, "agency", None) if user else None
    return AuditEntry.objects.create(
        actor=user,
        actor_username=getattr(user, "username", "") or "",
        agency_name=str(agency) if agency else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        person_id=person_id,
        changes=dict(changes or {}),
        reason=reason,
        path=(request.get_full_path()[:300] if request else ""),
        ip_address=(request.META.get("REMOTE_ADDR") if request else None),
    )
