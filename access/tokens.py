"""Personal API tokens: made by their owner after a fresh second factor, shown once, stored only as a hash,
expiring within ZHUSAN_API_TOKEN_MAX_DAYS, revocable by the owner or a user manager.

Nobody makes a token for someone else: a token acts as its user without password or second factor, so one made
by an administrator would let the administrator act, and be audited, as that user (docs/decisions/0029).
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.mfa import has_second_factor
from access.models import ApiToken
from access.rules import Capability
from audit.models import AuditAction
from audit.services import audit_record


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (never the keys: only their hashes exist)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


@transaction.atomic
def api_token_create(*, actor: Any, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for the actor, and only for the actor, living `days` (1 to ZHUSAN_API_TOKEN_MAX_DAYS).

    The actor must have an enrolled second factor (the pages also ask for a fresh code): a token skips the
    second factor, so it must not become a way around it. Returns the token with its key, which is kept
    nowhere and cannot be shown again. The audit row records the expiry as stored.
    """
    if not (actor is not None and actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Only a signed-in, active user makes API tokens, for themselves."))
    name = (name or "").strip()
    limit = settings.ZHUSAN_API_TOKEN_MAX_DAYS
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = _("Give the token a name of 1 to 100 characters.")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= limit:
        errors["days"] = _("A token lives from 1 to %(limit)d days.") % {"limit": limit}
    if errors:
        raise ValidationError(errors)
    if not has_second_factor(actor):
        raise ValidationError(_("Set up your authenticator before making an API token."))
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=key[:8],
        key_hash=_hash(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.refresh_from_db(fields=["expires_at"])  # the value the database kept is the one to audit
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        changes={"user": [None, actor.pk], "name": [None, name], "expires_at": [None, token.expires_at.isoformat()]},
    )
    return token, key


def may_revoke(user: Any, token: ApiToken) -> bool:
    """The owner revokes their own tokens; a holder of manage_users revokes anyone's."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return token.user_id == user.pk or policy.has_capability(user, Capability.MANAGE_USERS)


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once (owner or user manager). Revoking a revoked token changes nothing."""
    if not may_revoke(actor, token):
        raise PermissionDenied(_("You may revoke only your own tokens."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=token,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
            reason="API token revoked",
        )
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
