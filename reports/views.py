from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reports.forms import SummaryFilterForm
from reports.selectors import operations_for_statistics, programme_summary


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """The programme's figures, whole or for one operation, wave by wave. Counts only."""
    operations = operations_for_statistics(request.user)
    form = SummaryFilterForm(request.GET or None, operations=operations)
    operation_id = form.cleaned_data["operation"] if form.is_valid() else None
    context = {"form": form, "summary": programme_summary(request.user, operation_id)}
    return render(request, "reports/summary.html", context)
