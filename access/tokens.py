"""Personal API tokens: made by an administrator, shown once, stored only as a hash, expiring, revocable."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from access.models import ApiToken, User
from audit.models import AuditAction
from audit.services import audit_record


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "API", days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns it with the key, which is not kept anywhere and cannot be shown again."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[:8],
        key_hash=_hash(key),
        expires_at=timezone.now() + timedelta(days=days or settings.ZHUSAN_API_TOKEN_DAYS),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        changes={"user": [None, user.pk], "expires_at": [None, token.expires_at.isoformat()]},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=token, changes={"revoked_at": [None, "now"]})
    return token


def api_token_lookup(key: str) -> ApiToken | None:
    """The usable token with this key, or None (unknown, expired, revoked, or its user disabled)."""
    if not key or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.is_usable:
        return None
    # Record use at most once a minute: avoids a write on every call.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
