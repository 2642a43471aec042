"""One error shape for the API: {"detail": "...", "errors": {"field": ["message", ...]}}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, messages_by_field
from core.middleware import record_refusal


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if request is not None and isinstance(exc, PermissionDenied | exceptions.PermissionDenied | Http404):
        record_refusal(request, exc)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {
                "detail": _("The request was refused: see the messages per field."),
                "errors": messages_by_field(exc),
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"__all__": response.data}
        response.data = {
            "detail": _("The request was refused: see the messages per field."),
            "errors": errors,
        }
    return response


class BoundedListField(serializers.ListField):
    """A list refused as soon as it is longer than `max_length`, before each item is validated.

    DRF's ListField validates every item first and checks the length afterwards: with items that cost a query
    each (a PrimaryKeyRelatedField child) a long list is as many queries before the refusal.
    """

    def to_internal_value(self, data: Any) -> Any:
        if self.max_length is not None and isinstance(data, list | tuple) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)
