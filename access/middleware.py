import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from access.mfa import has_second_factor
from access.policy import has_accepted_current_nda
from core.api import error_body

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


# Paths a signed-in user may reach before proving the second factor: the second-factor pages themselves,
# logging out, switching language and static files. Nothing here shows personal data.
_BEFORE_SECOND_FACTOR = ("/accounts/second-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


class SecondFactorRequiredMiddleware:
    """A session without a verified second factor reaches nothing but the pages to enrol or give it.

    API calls with a personal token are not affected (its owner made it after giving a fresh second factor, see
    access.tokens); API calls riding on a session are.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user  # OTPMiddleware adds is_verified()
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(_BEFORE_SECOND_FACTOR):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(_("Give your second factor first.")), status=403)
            target = "second-factor-verify" if has_second_factor(user) else "second-factor-setup"
            return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)


LOGIN_AT = "zhusan_login_at"
SEEN_AT = "zhusan_seen_at"


class SessionTimeoutMiddleware:
    """Ends a session idle for ZHUSAN_IDLE_SECONDS, or older than ZHUSAN_SESSION_MAX_SECONDS, whatever happens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            login_at = request.session.setdefault(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            if now - seen_at > settings.ZHUSAN_IDLE_SECONDS or now - login_at > settings.ZHUSAN_SESSION_MAX_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(error_body(_("Your session has ended: log in again.")), status=401)
                messages.info(request, _("Your session has ended: log in again."))
                return redirect(f"{reverse('login')}?next={request.path}")
            request.session[SEEN_AT] = now
        return self.get_response(request)
