from typing import Any

from django.http import HttpRequest

from access import policy
from access.rules import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the top menu offers this user; each entry asks the policy."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "registry": policy.reaches_cases(user),
            "register": policy.has_capability(user, Capability.REGISTER_PERSON),
            "audit": policy.has_capability(user, Capability.VIEW_AUDIT),
            "admin": policy.has_capability(user, Capability.MANAGE_USERS),
            "unread": user.notifications.filter(read_at__isnull=True).count(),
        }
    }
