"""One error shape for the API: {"detail": "...", "errors": {"field": ["message", ...]}}.

A missing record and one out of the user's reach get one identical answer, whatever the record's kind: the
message an accessor gives `NotVisible` ("No such person", "No such record") is for the audit log only and never
reaches the client (decision 0038).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import Conflict, messages_by_field
from core.middleware import record_refusal


def error_body(detail: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error shape, for every refusal the API gives."""
    return {"detail": str(detail), "errors": errors or {}}


def not_found_body() -> dict[str, Any]:
    """The one answer for a record that is missing or out of reach (also for unknown URLs under /api/)."""
    return error_body(_("Not found."))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if request is not None and isinstance(exc, PermissionDenied | exceptions.PermissionDenied | Http404):
        record_refusal(request, exc)
    if isinstance(exc, Http404 | exceptions.NotFound):
        set_rollback()
        return Response(not_found_body(), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Conflict):
        return Response(error_body(str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(
            error_body(_("The request was refused: see the messages per field."), messages_by_field(exc)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"__all__": response.data}
        response.data = error_body(_("The request was refused: see the messages per field."), errors)
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = error_body(response.data["detail"])
    return response
