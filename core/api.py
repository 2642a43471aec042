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
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import Conflict, messages_by_field
from core.middleware import record_refusal
from core.parsers import BodyTooLarge


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
    if isinstance(exc, BodyTooLarge):
        return Response({"detail": str(exc.detail), "errors": {}}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"__all__": response.data}
        response.data = error_body(_("The request was refused: see the messages per field."), errors)
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = error_body(response.data["detail"])
    return response


# --- the OpenAPI schema -----------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "09:30:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day on the local clock ("09:30:00"), answered without an offset: OpenAPI's `time` format
    demands one, so the schema declares a plain string of that pattern instead."""


def one_page(serializer: Any) -> Any:
    """The response of a `list` action that answers one page object ({"count", "results", ...}) of its own making:
    drf-spectacular would otherwise declare a `list` action's response as an array of it."""
    return set_override(serializer, "many", False)


def numbered_page(name: str, serializer_class: type[serializers.Serializer]) -> Any:
    """The response of a `list` that pages by hand with DRF's PageNumberPagination: count, next, previous and
    the page's results. (Setting `pagination_class` on the viewset instead would declare every array its other
    actions answer as paginated too.)"""
    return one_page(
        inline_serializer(
            name,
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    )


# --- the error shape in the OpenAPI schema ---------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal: a sentence, and the messages per field (empty when no field is at fault).",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {}},
    },
    "required": ["detail", "errors"],
}
# Which refusals an operation may give, by what it does. Every call may be unauthenticated (401), refused (403),
# or name something missing or out of reach (404); every query or body may be malformed (400).
ERRORS_OF_EVERY_CALL = {
    "400": "The request was refused: see the messages per field.",
    "401": "No valid token or session.",
    "403": "Not allowed, or the NDA or second factor is missing.",
    "404": "Not found, or out of your reach: the same answer for both.",
}
ERRORS_OF_A_WRITE = {
    "409": "Someone else changed the record since it was read.",
    "413": "The upload is too large.",
    "415": "The request's media type is not accepted.",
}


def error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation declares its refusals, all in the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            refusals = ERRORS_OF_EVERY_CALL | (ERRORS_OF_A_WRITE if method != "get" else {})
            responses = operation.setdefault("responses", {})
            for code, description in refusals.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result


class BoundedListField(serializers.ListField):
    """A list refused as soon as it is longer than `max_length`, before each item is validated.

    DRF's ListField validates every item first and checks the length afterwards: with items that cost a query
    each (a PrimaryKeyRelatedField child) a long list is as many queries before the refusal.
    """

    def to_internal_value(self, data: Any) -> Any:
        if self.max_length is not None and isinstance(data, list | tuple) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)
