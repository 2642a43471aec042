from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.forms import AuditFilterForm
from audit.selectors import audit_entries, changed_fields


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries(request.user, **filters).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.changed_fields = changed_fields(entry)  # type: ignore[attr-defined]
    return render(request, "audit/log.html", {"form": form, "page": page})
