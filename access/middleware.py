from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from access.policy import has_accepted_current_nda

# Paths a user who has not accepted the NDA may still reach: nothing here shows personal data.
_OPEN_PREFIXES = ("/accounts/", "/nda/", "/i18n/", "/static/", "/api/", "/healthz")


class NdaRequiredMiddleware:
    """Sends a signed-in user who has not accepted the current NDA to it before any page.

    The policy refuses them all personal data anyway; this makes the reason visible. The API answers 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES) and not has_accepted_current_nda(user):
            return redirect(f"{reverse('nda')}?next={request.path}")
        return self.get_response(request)
