import logging
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.request_context import reset_current_request, set_current_request


class NoStoreMiddleware:
    """Pages carry personal data: no browser or proxy may keep a copy. Also remembers the request for audit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_current_request(request)
        try:
            response = self.get_response(request)
        finally:
            reset_current_request(token)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


class RefusalAuditMiddleware:
    """Records refused attempts (no permission, or a record out of the user's reach) in the audit log.

    Written here, after the view's transaction has rolled back, so the refusal itself is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        record_refusal(request, exception)


def record_refusal(request: HttpRequest, exception: Exception) -> None:
    from django.core.exceptions import PermissionDenied
    from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

    from access.policy import NotVisible
    from audit.models import AuditAction
    from audit.services import audit_record

    refused = isinstance(exception, PermissionDenied | ApiPermissionDenied | NotVisible)
    if refused and request.user.is_authenticated:
        audit_record(actor=request.user, action=AuditAction.DENIED, reason=str(exception)[:500], request=request)


error_log = logging.getLogger("zhusan.errors")


class ErrorReferenceMiddleware:
    """Gives every unexpected error a reference: logged with the trace, shown to the user without it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if isinstance(exception, Http404 | PermissionDenied):
            return
        reference = uuid.uuid4().hex[:12]
        request.error_reference = reference  # type: ignore[attr-defined]
        error_log.error("error %s on %s %s", reference, request.method, request.path, exc_info=exception)
