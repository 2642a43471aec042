"""Writing the audit log. Every service calls `audit_record` inside its own transaction."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
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


@dataclass(frozen=True)
class AuditItem:
    """One entry of a change set written with `audit_record_many`."""

    action: AuditAction
    obj: models.Model | None = None
    person_id: int | None = None
    changes: Mapping[str, Any] | None = None
    reason: str = ""


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
    Inside `audit_batch` the entry is kept and appended with the others when the batch ends.
    """
    item = AuditItem(action=action, obj=obj, person_id=person_id, changes=changes, reason=reason)
    return audit_record_many(actor=actor, items=[item], request=request)[0]


@transaction.atomic
def audit_record_many(
    *, actor: Any, items: Sequence[AuditItem], request: HttpRequest | None = None
) -> list[AuditEntry]:
    """Append the entries of one request-level change set in one step: the chain head is locked once, the
    entries are inserted in one statement and the head moves once (docs/decisions/0037). A service that
    changes many persons writes one entry per person through this, after its other work."""
    entries = [_entry(actor, item, request or current_request()) for item in items]
    pending = _batch.get()
    if pending is not None:
        pending.extend(entries)
    else:
        _append(entries)
    return entries


@contextmanager
def audit_batch() -> Iterator[None]:
    """Keep the entries written inside and append them in one step when the block ends without an error.

    For a service that loops over many persons through other services (a wave's execution, an import's
    commit, a check-in of many arrivals): the chain head is then locked for the final append only, not from
    the first person to the last. Use it inside the service's transaction and only around all-or-nothing
    work: an entry written in an inner block that fails and is caught would still be appended. Nested
    batches append with the outermost.
    """
    if _batch.get() is not None:
        yield
        return
    pending: list[AuditEntry] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    _append(pending)


_batch: ContextVar[list[AuditEntry] | None] = ContextVar("audit_batch", default=None)


def _entry(actor: Any, item: AuditItem, request: HttpRequest | None) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    agency = getattr(user, "agency", None) if user else None
    ip_address = request.META.get("REMOTE_ADDR") if request else None
    return AuditEntry(
        at=timezone.now(),
        actor=user,
        actor_username=getattr(user, "username", "") or "",
        agency_name=str(agency) if agency else "",
        action=item.action,
        object_type=item.obj._meta.label_lower if item.obj is not None else "",
        object_id=str(item.obj.pk) if item.obj is not None and item.obj.pk is not None else "",
        person_id=int(item.person_id) if item.person_id is not None else None,
        changes=json_normal(dict(item.changes or {})),
        reason=item.reason,
        path=(request.get_full_path()[:300] if request else ""),
        # As the column gives it back: blank is stored as NULL, IPv6 in its short lower-case form.
        ip_address=AuditEntry._meta.get_field("ip_address").get_prep_value(ip_address or None),
    )


def _append(entries: list[AuditEntry]) -> None:
    """Chain and insert the entries: one lock of the head, one INSERT, one UPDATE of the head."""
    if not entries:
        return
    head = _chain_head_locked()
    seq, prev_hash = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev_hash
        entry.entry_hash = prev_hash = entry_digest(prev_hash, _chain_fields(entry))
    AuditEntry.objects.bulk_create(entries)
    ChainHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)


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
