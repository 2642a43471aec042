from typing import Any

from django.db import transaction

from access.models import NdaAcceptance, NdaVersion
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
