import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

from access.decorators import recent_second_factor
from retention.selectors import subject_export


@login_required
@recent_second_factor
def person_subject_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """Everything held about one person, as JSON, for a lawful request."""
    held = subject_export(request.user, person_id)
    # The encoder is a safety net for a type the selector did not make plain: a file, never a 500.
    body = json.dumps(held, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="person-{int(person_id)}-everything-held.json"'
    return response
