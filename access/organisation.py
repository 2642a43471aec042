"""Agencies, teams and versions of the non-disclosure agreement: reference data kept by system administrators.

Each write asks the policy for `manage_users` and writes the audit chain in the same transaction.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import Agency, NdaVersion, Team
from access.rules import Capability
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import refuse


def _require_manager(actor: Any) -> None:
    if not policy.has_capability(actor, Capability.MANAGE_USERS):
        raise refuse(_("Only a system administrator may change agencies, teams and agreements."))


@transaction.atomic
def agency_create(*, actor: Any, name: str, short_name: str, kind: str) -> Agency:
    """A new agency taking part in the programme; names are unique."""
    _require_manager(actor)
    if Agency.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("An agency with this name exists already.")})
    agency = Agency(name=name.strip(), short_name=short_name.strip(), kind=kind)
    agency.full_clean()
    agency.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=agency,
        changes={"name": [None, agency.name], "short_name": [None, agency.short_name], "kind": [None, kind]},
    )
    return agency


@transaction.atomic
def team_create(*, actor: Any, agency: Agency, name: str) -> Team:
    """A new team of an agency; names are unique within the agency."""
    _require_manager(actor)
    if Team.objects.filter(agency=agency, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("This agency has a team with this name already.")})
    team = Team(agency=agency, name=name.strip())
    team.full_clean()
    team.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=team, changes={"agency": [None, agency.pk], "name": [None, name]}
    )
    return team


@transaction.atomic
def nda_publish(*, actor: Any, version: str, title: str, text: str) -> NdaVersion:
    """Publish a new version of the agreement, in force at once: everybody accepts it again before any page."""
    _require_manager(actor)
    if NdaVersion.objects.filter(version=version.strip()).exists():
        raise ValidationError({"version": _("This version exists already: give the new text a new version.")})
    nda = NdaVersion(version=version.strip(), title=title.strip(), text=text, effective_from=timezone.now())
    nda.full_clean()
    nda.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=nda,
        changes={"version": [None, nda.version], "title": [None, nda.title]},
    )
    return nda
