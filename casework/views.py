from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import policy
from access.rules import Capability
from casework import selectors, services
from casework.forms import NoteForm, TransitionForm
from core.errors import messages_by_field
from core.http import preferred_script
from reports.selectors import programme_overview


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    sees_statistics = policy.has_capability(request.user, Capability.VIEW_STATISTICS)
    context = {
        "overview": programme_overview(request.user) if sees_statistics else None,
        "by_state": selectors.cases_by_state(request.user),
        "my_cases": selectors.my_cases(request.user),
        "next_tasks": selectors.next_tasks(request.user),
        "works_with_cases": policy.reaches_cases(request.user),
        "sees_audit": policy.has_capability(request.user, Capability.VIEW_AUDIT),
        "sees_statistics": sees_statistics,
        "manages_users": policy.has_capability(request.user, Capability.MANAGE_USERS),
        "script": preferred_script(request),
    }
    return render(request, "casework/dashboard.html", context)


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for field_messages in messages_by_field(error).values():
        for message in field_messages:
            messages.error(request, message)


@login_required
@require_POST
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.case_for_user(request.user, case_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid change of state."))
    else:
        try:
            services.case_transition(
                actor=request.user,
                case=case,
                transition=form.cleaned_data["transition"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, _("Case state changed."))
    return redirect("person-detail", person_id=case.person_id)


@login_required
@require_POST
def case_note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.case_for_user(request.user, case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note and choose its kind."))
    else:
        try:
            services.case_note_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, _("Note added."))
    return redirect("person-detail", person_id=case.person_id)
