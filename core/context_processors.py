from typing import Any

from django.http import HttpRequest

from access import policy
from access.rules import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the top menu offers this user; each entry asks the policy."""
    user = request.user
    if not user.is_authenticated:
        return {}
    reaches_cases = policy.reaches_cases(user)
    can = policy.has_capability
    return {
        "nav": {
            "registry": reaches_cases,
            "register": policy.has_capability(user, Capability.REGISTER_PERSON),
            "audit": policy.has_capability(user, Capability.VIEW_AUDIT),
            "statistics": policy.has_capability(user, Capability.VIEW_STATISTICS),
            "identification": can(user, Capability.IMPORT_LISTS),
            "consular": reaches_cases and can(user, Capability.REGISTER_PERSON),
            "operations": can(user, Capability.MANAGE_OPERATIONS),
            "arrivals": reaches_cases and can(user, Capability.TRANSITION_CASE),
            "centres": can(user, Capability.MANAGE_CENTRE) or can(user, Capability.RECORD_ATTENDANCE),
            "best_interests": can(user, Capability.DECIDE_BEST_INTERESTS),
            "admin": policy.has_capability(user, Capability.MANAGE_USERS),
            "document_reviews": policy.may_review_document_numbers(user),
            "unread": user.notifications.filter(read_at__isnull=True).count(),
        }
    }
