"""Which centres a user works at. Built only on access.policy; persons are still reached through the policy.

A centre is reached by the members of its agency and by the staff of other agencies listed on it (social
workers, doctors, lawyers working there), if their role works at centres at all: it manages them
(Capability.MANAGE_CENTRE) or records attendance (Capability.RECORD_ATTENDANCE). A centre out of reach is
answered as missing, like a person out of reach. (A candidate for access.policy, which this app may not edit.)
"""

from typing import Any

from django.db.models import Q, QuerySet

from access import policy
from access.rules import Capability
from centres.models import Centre
from core.errors import MAX_ID


def works_at_centres(user: Any) -> bool:
    return policy.has_capability(user, Capability.MANAGE_CENTRE) or policy.has_capability(
        user, Capability.RECORD_ATTENDANCE
    )


def centres_visible_to(user: Any) -> QuerySet[Centre]:
    if not works_at_centres(user):
        return Centre.objects.none()
    reach = Q(staff=user)
    if user.agency_id:
        reach |= Q(agency_id=user.agency_id)
    ids = Centre.objects.filter(reach).values("id")
    return Centre.objects.filter(id__in=ids)


def row_id(value: Any) -> int:
    """An id from a URL or form, or NotVisible: junk and out-of-range numbers never reach the database."""
    number = int(value) if str(value).isdigit() else 0
    if not 0 < number <= MAX_ID:
        raise policy.NotVisible("No such record")
    return number


def centre_for_user(user: Any, centre_id: Any) -> Centre:
    try:
        return centres_visible_to(user).select_related("agency", "place").get(pk=row_id(centre_id))
    except Centre.DoesNotExist:
        raise policy.NotVisible("No such centre") from None


def may_manage(user: Any) -> bool:
    return policy.has_capability(user, Capability.MANAGE_CENTRE)


def may_record_attendance(user: Any) -> bool:
    return policy.has_capability(user, Capability.RECORD_ATTENDANCE)
