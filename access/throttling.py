"""Login throttling: the same work on every login path, a cool-off that doubles with failures, per account and
per source address, and an administrator's unlock (docs/decisions/0030-login-throttling.md).

django-axes records failed logins (`AccessAttempt`: username, address, a count and the time of the last) and its
backend refuses a locked login before the password is checked. This module decides when a login is locked:

- an account is locked after `AXES_FAILURE_LIMIT` (5) failures for 1 minute from the last failure, and each
  further failure doubles that, up to 24 hours. A successful login or an administrator's unlock forgets them;
  failures older than 30 days are forgotten too.
- a source address is locked the same way after `ZHUSAN_LOGIN_ADDRESS_FAILURE_LIMIT` (20) failures within
  24 hours, whatever usernames were typed; 0 turns this off (behind a proxy that hides the client's address).

Axes' own cool-off (`AXES_COOLOFF_TIME`) is one window that both counts failures and locks, and it deletes the
failures when it passes: a lock could never grow. Hence the handler below, with `AXES_COOLOFF_TIME = None`.
"""

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import User
from access.rules import Capability
from audit.models import AuditAction
from audit.services import audit_record

FIRST_COOL_OFF = timedelta(minutes=1)
LONGEST_COOL_OFF = timedelta(hours=24)
# How long an address's failures count against it, and how long an account's are remembered without a success.
ADDRESS_MEMORY = timedelta(hours=24)
ACCOUNT_MEMORY = timedelta(days=30)


def cool_off(failures: int, limit: int) -> timedelta:
    """Nothing below the limit; 1 minute at it, doubling with each failure after it, at most 24 hours."""
    if limit <= 0 or failures < limit:
        return timedelta(0)
    return min(FIRST_COOL_OFF * 2 ** min(failures - limit, 20), LONGEST_COOL_OFF)


def _remaining(attempts: QuerySet[AccessAttempt], limit: int, now: Any) -> timedelta:
    """One query: the failures of these attempts and the time of the last one."""
    found = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if not found["failures"]:
        return timedelta(0)
    return max(found["last"] + cool_off(found["failures"], limit) - now, timedelta(0))


def lockout_remaining(*, username: str | None = None, ip_address: str | None = None) -> timedelta:
    """How much longer logins to this account, or from this address, are refused (zero: not locked)."""
    now = timezone.now()
    remaining = timedelta(0)
    if username:
        account = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - ACCOUNT_MEMORY)
        remaining = max(remaining, _remaining(account, settings.AXES_FAILURE_LIMIT, now))
    address_limit = settings.ZHUSAN_LOGIN_ADDRESS_FAILURE_LIMIT
    if ip_address and address_limit > 0:
        address = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=now - ADDRESS_MEMORY)
        remaining = max(remaining, _remaining(address, address_limit, now))
    return remaining


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with our lock: a growing cool-off per account and per address (AXES_HANDLER)."""

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        username = get_client_username(request, credentials)
        return lockout_remaining(username=username, ip_address=request.axes_ip_address) > timedelta(0)

    def reset_user_attempts(self, request: Any, credentials: dict | None = None) -> int:
        """After a successful login forget this account's failures only. Axes would also forget every failure
        from the address, so an attacker could clear a victim's count by logging in to their own account."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count

    def clean_expired_user_attempts(self, request: Any = None, credentials: dict | None = None) -> int:
        """Forget failures no rule counts any more (runs before each failure is recorded: one DELETE)."""
        count, _ = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - ACCOUNT_MEMORY).delete()
        return count


class LoginBackend(AxesStandaloneBackend):
    """Axes' lockout check, costing the same as a password check.

    A locked login is refused before ModelBackend hashes the password, so it answered in a fraction of the time
    and told an attacker the account exists and is locked. Hash the typed password anyway, as ModelBackend does
    for an unknown username: every path (unknown, locked, wrong, right) runs the hasher once.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            make_password(password)
            raise


@transaction.atomic
def login_unlock(*, actor: Any, username: str) -> int:
    """Lift the lockout of an account at once by forgetting its failed logins; returns how many were forgotten.

    Only for holders of manage_users. An unknown username is refused; an account with no failures is left
    as it is and nothing is audited.
    """
    if actor is None or not policy.has_capability(actor, Capability.MANAGE_USERS):
        raise PermissionDenied(_("Only a user manager may unlock logins."))
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"username": _("There is no account with this username.")})
    attempts = AccessAttempt.objects.filter(username=username)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if not failures:
        return 0
    attempts.delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"failed_logins": [failures, 0]},
        reason="Login unlocked by an administrator",
    )
    return failures


@transaction.atomic
def login_unlock_address(*, actor: Any, ip_address: str) -> int:
    """Lift the lockout of a source address by forgetting the failed logins from it (manage_users only)."""
    if actor is None or not policy.has_capability(actor, Capability.MANAGE_USERS):
        raise PermissionDenied(_("Only a user manager may unlock logins."))
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if not failures:
        return 0
    attempts.delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        changes={"failed_logins": [failures, 0], "ip_address": [ip_address, ip_address]},
        reason="Login address unlocked by an administrator",
    )
    return failures
