"""One error shape for the API: {"detail": "...", "errors": {"field": ["message", ...]}}."""

from collections.abc import Mapping
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
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
    if isinstance(exc, BodyTooLarge):
        return Response({"detail": str(exc.detail), "errors": {}}, status=exc.status_code)
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


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is larger than %(limit)d KB. Send less at once.") % {"limit": limit // 1024}
        )


class BoundedJSONParser(JSONParser):
    """JSON bodies of at most ZHUSAN_API_JSON_MAX_BYTES; a longer one is refused (413) before it is parsed.

    DRF reads the body from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check: without this bound a
    JSON body of any size is read into memory and parsed. Never more than the limit plus one byte is read.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.ZHUSAN_API_JSON_MAX_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > limit:
            raise BodyTooLarge(limit)
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise BodyTooLarge(limit)
        return super().parse(BytesIO(body), media_type, parser_context)
