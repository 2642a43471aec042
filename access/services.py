from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access.models import NdaAcceptance, NdaVersion, Notification, Script
from audit.models import AuditAction
from audit.services import audit_record


@transaction.atomic
def nda_accept(*, user: Any, nda: NdaVersion) -> NdaAcceptance:
    """Record that the user accepted this version of the non-disclosure agreement."""
    acceptance, created = NdaAcceptance.objects.get_or_create(user=user, nda=nda)
    if created:
        audit_record(actor=user, action=AuditAction.NDA_ACCEPTED, obj=nda)
    user._zhusan_nda_ok = None  # the policy re-reads it on the next question
    return acceptance


@transaction.atomic
def preferences_set(*, user: Any, preferred_script: str) -> None:
    """A user's own display preferences; they touch no personal data of others."""
    if preferred_script not in Script.values:
        raise ValidationError({"preferred_script": _("Choose Cyrillic, Latin or Arabic.")})
    before = user.preferred_script
    user.preferred_script = preferred_script
    user.save(update_fields=["preferred_script"])
    audit_record(
        actor=user, action=AuditAction.UPDATE, obj=user, changes={"preferred_script": [before, preferred_script]}
    )


def notify(recipients: Any, text: str, link: str = "") -> None:
    """Put a message in each recipient's list in the application."""
    Notification.objects.bulk_create(
        Notification(recipient=user, text=text[:500], link=link[:200])
        for user in {u.pk: u for u in recipients}.values()
    )
