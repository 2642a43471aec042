from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import policy
from access.mfa import second_factor_is_recent, second_factor_verify
from access.models import Notification
from access.rules import Capability
from casework import approvals, selectors, services
from casework.break_glass import SENT_FOR_APPROVAL, break_glass_request
from casework.forms import (
    AssignForm,
    BreakGlassForm,
    DecisionForm,
    EndAssignmentForm,
    NoteForm,
    ReassignForm,
    TransitionForm,
)
from casework.models import ApprovalRequest, CaseAssignment, CaseNote
from casework.transitions import TRANSITIONS_BY_NAME
from core.errors import messages_by_field
from core.forms import add_service_errors
from core.http import preferred_script
from core.middleware import record_refusal
from people.selectors import open_document_number_reviews
from reports.selectors import programme_summary


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    sees_statistics = policy.has_capability(request.user, Capability.VIEW_STATISTICS)
    context = {
        "overview": programme_summary(request.user) if sees_statistics else None,
        "pending_approvals": approvals.pending_for(request.user),
        "by_state": selectors.cases_by_state(request.user),
        "my_cases": selectors.my_cases(request.user),
        "next_tasks": selectors.next_tasks(request.user),
        "works_with_cases": policy.reaches_cases(request.user),
        "sees_audit": policy.has_capability(request.user, Capability.VIEW_AUDIT),
        "sees_statistics": sees_statistics,
        "manages_users": policy.has_capability(request.user, Capability.MANAGE_USERS),
        "may_break_glass": policy.has_capability(request.user, Capability.BREAK_GLASS),
        "document_reviews_open": open_document_number_reviews(request.user),
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
        name, reason = form.cleaned_data["transition"], form.cleaned_data["reason"]
        try:
            if TRANSITIONS_BY_NAME[name].four_eyes:
                approvals.closing_request(actor=request.user, case=case, transition=name, reason=reason)
                messages.success(request, _("Sent for approval: a second person must agree."))
            else:
                services.case_transition(actor=request.user, case=case, transition=name, reason=reason)
                messages.success(request, _("Case state changed."))
        except ValidationError as error:
            _flash_errors(request, error)
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


@login_required
@require_POST
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    approval = get_object_or_404(ApprovalRequest, pk=approval_id, case__in=policy.cases_visible_to(request.user))
    form = DecisionForm(request.POST)
    valid = form.is_valid()
    _apply(
        request,
        valid,
        lambda: approvals.approval_decide(
            actor=request.user, request=approval, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
        ),
        _("Decision recorded."),
    )
    return redirect("person-detail", person_id=approval.case.person_id)


@login_required
@require_POST
def genetic_release(request: HttpRequest, case_id: int, note_id: int) -> HttpResponse:
    case = policy.case_for_user(request.user, case_id)
    note = get_object_or_404(CaseNote, pk=note_id, case=case)
    form = EndAssignmentForm(request.POST)
    valid = form.is_valid()
    _apply(
        request,
        valid,
        lambda: approvals.genetic_release_request(actor=request.user, note=note, reason=form.cleaned_data["reason"]),
        _("Sent for approval: a second analyst must agree."),
    )
    return redirect("person-detail", person_id=case.person_id)


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Emergency access to a case one does not reach: a fresh code, a kind of emergency and a reason (ADR 0028)."""
    needs_code = not second_factor_is_recent(request)
    form = BreakGlassForm(request.POST or None, needs_code=needs_code)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("code", "")
        if needs_code and not second_factor_verify(request, code):
            form.add_error("code", _("This code is not valid. Enter the current code from your authenticator."))
        else:
            try:
                grant = break_glass_request(
                    actor=request.user, second_factor_fresh=second_factor_is_recent(request), **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as refusal:  # shown on the form, and audited as a refusal all the same
                record_refusal(request, refusal)
                form.add_error(None, str(refusal))
                status = 403
            else:
                if grant.case is not None and grant.granted_at is not None:
                    messages.warning(request, _("Emergency access opened. Everyone responsible for the case is told."))
                    return redirect("person-detail", person_id=grant.case.person_id)
                messages.info(request, SENT_FOR_APPROVAL)
                return redirect("dashboard")
    return render(request, "casework/break_glass.html", {"form": form}, status=status)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.all()[:100])  # type: ignore[union-attr]
    unread = [n.pk for n in items if n.read_at is None]
    response = render(request, "casework/notifications.html", {"items": items})
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response
