from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from access.policy import has_accepted_current_nda


class HasAcceptedNda(BasePermission):
    """Every API call needs a signed-in user who has accepted the current non-disclosure agreement."""

    message = _("Accept the current non-disclosure agreement before using the API.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and has_accepted_current_nda(request.user))
