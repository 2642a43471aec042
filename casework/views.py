from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import policy
from access.rules import Capability
from casework import selectors, services
from casework.forms import AssignForm, EndAssignmentForm, NoteForm, ReassignForm, TransitionForm
from casework.models import CaseAssignment
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


def _apply(request: HttpRequest, form_valid: bool, action: Any, success: str) -> None:
    """Run a service for a small POST form on the person page and report the outcome as a message."""
    if not form_valid:
        messages.error(request, _("Check the form: some values are missing or invalid."))
        return
    try:
        action()
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, success)


@login_required
@require_POST
def case_reassign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.case_for_user(request.user, case_id)
    form = ReassignForm(request.POST)
    valid = form.is_valid()
    _apply(
        request,
        valid,
        lambda: services.case_reassign(actor=request.user, case=case, **form.cleaned_data),
        _("Responsibility changed."),
    )
    return redirect("person-detail", person_id=case.person_id)


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.case_for_user(request.user, case_id)
    form = AssignForm(request.POST)
    valid = form.is_valid()
    _apply(
        request,
        valid,
        lambda: services.case_assign(actor=request.user, case=case, **form.cleaned_data),
        _("Specialist assigned."),
    )
    return redirect("person-detail", person_id=case.person_id)


@login_required
@require_POST
def assignment_end(request: HttpRequest, case_id: int, assignment_id: int) -> HttpResponse:
    case = policy.case_for_user(request.user, case_id)
    assignment = get_object_or_404(CaseAssignment, pk=assignment_id, case=case)
    form = EndAssignmentForm(request.POST)
    valid = form.is_valid()
    _apply(
        request,
        valid,
        lambda: services.assignment_end(actor=request.user, assignment=assignment, **form.cleaned_data),
        _("Assignment ended."),
    )
    return redirect("person-detail", person_id=case.person_id)
