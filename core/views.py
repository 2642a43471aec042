from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.api import not_found_body


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """A generic answer with the error's reference (the trace is only in the log, under that reference)."""
    reference = getattr(request, "error_reference", "")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Something went wrong on our side."), "reference": reference}, status=500)
    html = loader.get_template("500.html").render({"reference": reference})
    return HttpResponse(html, status=500)


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 in the shape the caller reads: JSON under /api/, the page elsewhere. Says nothing about why."""
    if request.path.startswith("/api/"):
        return JsonResponse(not_found_body(), status=404)
    html = loader.get_template("404.html").render({}, request)
    return HttpResponse(html, status=404)
