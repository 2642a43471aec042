"""Staff accounts: every change of a user's roles, agency, team, active state or second factor is made here.

Each service asks the policy for `manage_users`, refuses a change to the actor's own account, and writes the
audit chain in the same transaction. Granting a role that reaches personal data (scope other than NONE in
access.rules), or one that manages users or reads the audit log, and resetting a second factor, only create a
`StaffChangeRequest`: a *different* administrator approves it (`staff_change_decide`), and the database
refuses a request decided by the administrator who made it. See docs/decisions/0033.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from access import policy
from access.models import (
    Agency,
    EnrolmentLink,
    StaffChangeKind,
    StaffChangeRequest,
    StaffChangeStatus,
    Team,
    User,
)
from access.rules import RULES, Capability, Role, Scope
from audit.models import AuditAction
from audit.services import MASK, audit_record
from core.errors import refuse

ENROLMENT_LINK_VALID = timedelta(days=3)
# Capabilities that, like personal data, are granted only with a second administrator.
FOUR_EYES_CAPABILITIES = frozenset({Capability.MANAGE_USERS, Capability.VIEW_AUDIT})


def role_needs_second_administrator(role: Role | str) -> bool:
    """A role reaching any case, or managing users, or reading the audit log, is granted by two administrators."""
    rule = RULES[Role(role)]
    return rule.scope != Scope.NONE or bool(rule.capabilities & FOUR_EYES_CAPABILITIES)


def _require_manager(actor: Any) -> None:
    if not policy.has_capability(actor, Capability.MANAGE_USERS):
        raise refuse(_("Only a system administrator may manage staff accounts."))


def _require_other(actor: Any, user: User) -> None:
    if actor.pk == user.pk:
        raise ValidationError(_("Nobody changes their own roles, agency, team, access or second factor."))


def _known_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown roles: %(roles)s") % {"roles": ", ".join(unknown)}})
    return [r for r in Role.values if r in set(roles)]  # the table's order, no duplicates


def _keep_two_administrators(user: User) -> None:
    """Refuse to take the last-but-one administrator away: with one left, nobody could approve anything again."""
    others = (
        User.objects.filter(is_active=True, roles__icontains=f'"{Role.SYSTEM_ADMINISTRATOR}"')
        .exclude(pk=user.pk)
        .count()
    )
    if others < 2:
        raise ValidationError(
            _("At least two active administrators must remain, or nobody could approve a change again.")
        )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _enrolment_link_issue(*, actor: Any, user: User) -> str:
    """A fresh link for `user` (older unused ones stop working); returns the key, which is not kept."""
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=timezone.now())
    key = secrets.token_urlsafe(32)
    EnrolmentLink.objects.create(
        user=user, key_hash=_hash(key), created_by=actor, expires_at=timezone.now() + ENROLMENT_LINK_VALID
    )
    return key


def _request_grant(*, actor: Any, user: User, roles: list[str]) -> StaffChangeRequest:
    change = StaffChangeRequest(kind=StaffChangeKind.GRANT_ROLES, user=user, roles=roles, requested_by=actor)
    change.full_clean()
    change.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=change,
        changes={"user": [None, user.pk], "kind": [None, change.kind], "roles": [None, roles]},
        reason="Four eyes: waiting for a second administrator",
    )
    return change


@dataclass(frozen=True)
class StaffCreated:
    user: User
    enrolment_key: str
    pending: StaffChangeRequest | None


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    agency: Agency,
    team: Team | None = None,
    roles: list[str] | tuple[str, ...] = (),
) -> StaffCreated:
    """A new member of staff, without a password: they set it, and enrol their authenticator, through a one-time
    enrolment link. Roles that need a second administrator wait in a request; the others are given at once."""
    _require_manager(actor)
    roles = _known_roles(list(roles))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A member of staff with this username exists already.")})
    immediate = [r for r in roles if not role_needs_second_administrator(r)]
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        team=team,
        roles=immediate,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        changes={
            "username": [None, username],
            "agency": [None, agency.pk],
            "team": [None, team.pk if team else None],
            "roles": [None, immediate],
        },
    )
    delayed = [r for r in roles if r not in immediate]
    pending = _request_grant(actor=actor, user=user, roles=delayed) if delayed else None
    return StaffCreated(user=user, enrolment_key=_enrolment_link_issue(actor=actor, user=user), pending=pending)


@transaction.atomic
def staff_roles_change(*, actor: Any, user: User, roles: list[str]) -> StaffChangeRequest | None:
    """Set the roles of another member of staff. Removals and roles reaching no personal data apply at once;
    roles that need a second administrator are returned as a pending request and given only when approved."""
    _require_manager(actor)
    _require_other(actor, user)
    wanted = _known_roles(list(roles))
    user = User.objects.select_for_update().get(pk=user.pk)
    current = list(user.roles)
    added = [r for r in wanted if r not in current]
    if Role.SYSTEM_ADMINISTRATOR in current and Role.SYSTEM_ADMINISTRATOR not in wanted:
        _keep_two_administrators(user)
    delayed = [r for r in added if role_needs_second_administrator(r)]
    applied = [r for r in wanted if r not in delayed]
    if applied != current:
        user.roles = applied
        user.save(update_fields=["roles"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"roles": [current, applied]})
    return _request_grant(actor=actor, user=user, roles=delayed) if delayed else None


@transaction.atomic
def staff_agency_change(*, actor: Any, user: User, agency: Agency, team: Team | None) -> User:
    """Move another member of staff to an agency and team (the team must belong to the agency)."""
    _require_manager(actor)
    _require_other(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": _("The team must belong to the user's agency.")})
    before = {"agency": user.agency_id, "team": user.team_id}
    after = {"agency": agency.pk, "team": team.pk if team else None}
    if before != after:
        user.agency, user.team = agency, team
        user.save(update_fields=["agency", "team"])
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes=changes)
    return user


def _set_active(*, actor: Any, user: User, active: bool) -> User:
    _require_manager(actor)
    _require_other(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active and not active and Role.SYSTEM_ADMINISTRATOR in user.roles:
        _keep_two_administrators(user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [not active, active]})
    return user


@transaction.atomic
def staff_disable(*, actor: Any, user: User) -> User:
    """Disable another account: its sessions and API tokens stop working at once."""
    return _set_active(actor=actor, user=user, active=False)


@transaction.atomic
def staff_enable(*, actor: Any, user: User) -> User:
    return _set_active(actor=actor, user=user, active=True)


@transaction.atomic
def second_factor_reset_request(*, actor: Any, user: User, reason: str) -> StaffChangeRequest:
    """Ask for another account's second factor to be reset (a lost phone). A second administrator approves."""
    _require_manager(actor)
    _require_other(actor, user)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the second factor is reset (how the person asked for it).")})
    if StaffChangeRequest.objects.filter(
        user=user, kind=StaffChangeKind.SECOND_FACTOR_RESET, status=StaffChangeStatus.PENDING
    ).exists():
        raise ValidationError(_("A reset of this person's second factor is already waiting for approval."))
    change = StaffChangeRequest(
        kind=StaffChangeKind.SECOND_FACTOR_RESET, user=user, reason=reason[:500], requested_by=actor
    )
    change.full_clean()
    change.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=change,
        changes={"user": [None, user.pk], "kind": [None, change.kind]},
        reason=reason[:500],
    )
    return change


@transaction.atomic
def staff_change_decide(*, actor: Any, change: StaffChangeRequest, approve: bool) -> str | None:
    """A second administrator approves or rejects a pending change; an approved change is applied at once.

    Returns the new enrolment key when a second-factor reset is approved (shown once to the approver, who hands
    it over); otherwise None.
    """
    _require_manager(actor)
    change = StaffChangeRequest.objects.select_for_update().select_related("user").get(pk=change.pk)
    if change.status != StaffChangeStatus.PENDING:
        raise ValidationError(_("This request was decided already."))
    if actor.pk == change.requested_by_id:
        raise ValidationError(_("A second administrator must decide: you made this request."))
    _require_other(actor, change.user)
    change.status = StaffChangeStatus.APPROVED if approve else StaffChangeStatus.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=change,
        changes={"status": [StaffChangeStatus.PENDING, change.status], "decided_by": [None, actor.pk]},
    )
    if not approve:
        return None
    if change.kind == StaffChangeKind.GRANT_ROLES:
        _grant(actor=actor, change=change)
        return None
    return _second_factor_reset(actor=actor, change=change)


def _grant(*, actor: Any, change: StaffChangeRequest) -> None:
    user = User.objects.select_for_update().get(pk=change.user_id)
    before = list(user.roles)
    after = _known_roles(before + list(change.roles))
    if after != before:
        user.roles = after
        user.save(update_fields=["roles"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            changes={"roles": [before, after]},
            reason=f"Approved staff change request {change.pk}, asked by user {change.requested_by_id}",
        )


def _second_factor_reset(*, actor: Any, change: StaffChangeRequest) -> str:
    """Remove the authenticator and recovery codes and the password: the person enrols again through a new link.

    Changing the password ends the person's open sessions (Django checks the password hash in the session).
    """
    user = User.objects.select_for_update().get(pk=change.user_id)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"second_factor": [MASK, None], "password": [MASK, None]},
        reason=f"Approved staff change request {change.pk}, asked by user {change.requested_by_id}",
    )
    return _enrolment_link_issue(actor=actor, user=user)


# --- the enrolment link, used by the new member of staff themselves ----------------------------------------


def enrolment_link_lookup(key: str) -> EnrolmentLink | None:
    """The usable link with this key, or None (unknown, used, expired, or its user disabled)."""
    if not key or len(key) > 100:
        return None
    link = EnrolmentLink.objects.select_related("user").filter(key_hash=_hash(key)).first()
    return link if link is not None and link.is_usable else None


@transaction.atomic
def enrolment_link_redeem(*, key: str, password: str) -> User:
    """Set the person's password with their one-time link; the link is spent. Enrolling the authenticator
    follows at once (access.mfa, the middleware sends a user without one there)."""
    link = enrolment_link_lookup(key)
    if link is not None:
        link = EnrolmentLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    if link is None or not link.is_usable:
        raise ValidationError(_("This enrolment link is not valid: it was used already or has expired."))
    user = link.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    audit_record(
        actor=user, action=AuditAction.UPDATE, obj=user, changes={"password": [None, MASK]}, reason="Enrolment link"
    )
    return user


@transaction.atomic
def administrators_bootstrap(*, usernames: list[str]) -> dict[str, str]:
    """The first administrators of an installation, made from the command line: at least two, so that four eyes
    work from the start. Refused once any account holds the administrator role. Returns each one's enrolment key.
    """
    if len({u.strip().lower() for u in usernames}) < 2:
        raise ValidationError(_("Name at least two different administrators, so that four eyes work."))
    # A one-off read of every account's roles (JSON lists cannot be searched alike on SQLite and PostgreSQL).
    if any(Role.SYSTEM_ADMINISTRATOR in roles for roles in User.objects.values_list("roles", flat=True).iterator()):
        raise ValidationError(_("There are administrators already: they add the others in the application."))
    keys = {}
    for username in usernames:
        user = User(username=username.strip(), roles=[Role.SYSTEM_ADMINISTRATOR])
        user.set_unusable_password()
        user.full_clean()
        user.save()
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=user,
            changes={"username": [None, user.username], "roles": [None, user.roles]},
            reason="First administrators, made from the command line",
        )
        keys[user.username] = _enrolment_link_issue(actor=None, user=user)
    return keys
