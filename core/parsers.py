"""The API's request parsers. Kept apart from core.api: DRF imports its parsers from the settings while
drf-spectacular (which core.api imports) is still importing DRF, and the two would wait on each other."""

from collections.abc import Mapping
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


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
