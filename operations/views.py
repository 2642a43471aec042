"""Operations pages. Thin: fetch and authorise through the selectors, call a service, render."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.rules import Capability
from core.errors import Conflict, messages_by_field, refuse
from core.forms import add_service_errors
from core.http import preferred_script
from operations import rules, selectors, services
from operations.forms import (
    CancelForm,
    CandidateSearchForm,
    ExecuteForm,
    MemberAddForm,
    MemberRemoveForm,
    OperationForm,
    WaveForm,
)
from operations.manifest import manifest_pdf
from operations.models import Operation, Wave, WaveMember


def _require_sees_operations(request: HttpRequest) -> None:
    if not selectors.may_see_operations(request.user):
        raise refuse(_("Your role does not work with operations."))


def _require_manager(request: HttpRequest, operation: Operation) -> None:
    if not rules.may_manage(request.user, operation):
        raise refuse(_("You may not plan waves of this operation."))


def _show_errors(form: forms.BaseForm, error: ValidationError) -> None:
    # add_service_errors is typed for Form but only uses what every form has (fields, add_error).
    add_service_errors(cast(forms.Form, form), error)


def _flash(request: HttpRequest, error: ValidationError | Conflict) -> None:
    if isinstance(error, Conflict):
        messages.error(request, str(error))
        return
    for field_messages in messages_by_field(error).values():
        for message in field_messages:
            messages.error(request, message)


@login_required
@require_GET
def operation_list(request: HttpRequest) -> HttpResponse:
    _require_sees_operations(request)
    return render(
        request,
        "operations/list.html",
        {
            "operations": selectors.operation_list(request.user),
            "may_create": policy.has_capability(request.user, Capability.MANAGE_OPERATIONS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def operation_create(request: HttpRequest) -> HttpResponse:
    if not policy.has_capability(request.user, Capability.MANAGE_OPERATIONS):
        raise refuse()
    form = OperationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            operation = services.operation_create(
                actor=request.user, partner_agencies=data.pop("partner_agencies"), **data
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            return redirect("operations-detail", operation_id=operation.pk)
    return render(request, "operations/form.html", {"form": form, "title": _("New operation")})


@login_required
@require_GET
def operation_detail(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_for_user(request.user, operation_id)
    return render(
        request,
        "operations/detail.html",
        {
            "operation": operation,
            "partners": list(operation.partner_agencies.all()),
            "waves": selectors.operation_waves(operation),
            "may_manage": rules.may_manage(request.user, operation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def operation_edit(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_for_user(request.user, operation_id)
    _require_manager(request, operation)
    form = OperationForm(request.POST or None, instance=operation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.operation_update(
                actor=request.user, operation=operation, partner_agencies=data.pop("partner_agencies"), **data
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            return redirect("operations-detail", operation_id=operation.pk)
    return render(request, "operations/form.html", {"form": form, "title": _("Edit operation"), "operation": operation})


def _wave_fields(form: WaveForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    if data.get("number") is None:
        data.pop("number", None)  # left empty: the next number on creation, unchanged on edit
    return data


@login_required
@require_http_methods(["GET", "POST"])
def wave_create(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = selectors.operation_for_user(request.user, operation_id)
    _require_manager(request, operation)
    form = WaveForm(request.POST or None, operation=operation)
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(actor=request.user, operation=operation, **_wave_fields(form))
        except ValidationError as error:
            _show_errors(form, error)
        else:
            return redirect("operations-wave-detail", wave_id=wave.pk)
    title = _("New wave of %(operation)s") % {"operation": operation.name}
    return render(request, "operations/form.html", {"form": form, "title": title, "operation": operation})


@login_required
@require_http_methods(["GET", "POST"])
def wave_edit(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_for_user(request.user, wave_id)
    _require_manager(request, wave.operation)
    initial = {"version": wave.version}
    form = WaveForm(request.POST or None, instance=wave, initial=initial, operation=wave.operation)
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_update(
                actor=request.user, wave=wave, expected_version=form.cleaned_data.get("version"), **_wave_fields(form)
            )
        except ValidationError as error:
            _show_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            return redirect("operations-wave-detail", wave_id=wave.pk)
    title = _("Edit %(wave)s") % {"wave": wave.name}
    return render(
        request, "operations/form.html", {"form": form, "title": title, "operation": wave.operation, "wave": wave}
    )


@login_required
@require_GET
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_for_user(request.user, wave_id)
    manifest = selectors.wave_manifest(request.user, wave, preferred_script(request))
    selectors.manifest_viewed(request.user, manifest)
    may_manage = rules.may_manage(request.user, wave.operation)
    return render(
        request,
        "operations/wave.html",
        {
            "wave": wave,
            "manifest": manifest,
            "escort": list(wave.escort.order_by("last_name", "username")),
            "may_manage": may_manage,
            "may_change": may_manage and wave.is_planned,
            "cancel_form": CancelForm(initial={"version": wave.version}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_add(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Search consented persons within reach and add them, a mother with her children offered together."""
    wave = selectors.wave_for_user(request.user, wave_id)
    _require_manager(request, wave.operation)
    if request.method == "POST":
        form = MemberAddForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the form: choose a person."))
        else:
            data = form.cleaned_data
            try:
                added = services.wave_members_add(
                    actor=request.user,
                    wave=wave,
                    person_ids=[data["person"]],
                    include_children=data["include_children"],
                    separation_reason=data["separation_reason"],
                    expected_version=data["version"],
                )
            except (ValidationError, Conflict) as error:
                _flash(request, error)
            else:
                messages.success(request, _("%(count)s persons added to the wave.") % {"count": len(added)})
                return redirect("operations-wave-detail", wave_id=wave.pk)
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    search = CandidateSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    script = preferred_script(request)
    page, candidates = selectors.wave_candidates(request.user, query, script, request.GET.get("page", 1))
    context = {"wave": wave, "search": search, "page": page, "candidates": candidates, "query": query}
    template = "operations/_candidates.html" if request.htmx else "operations/add.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def wave_remove(request: HttpRequest, wave_id: int, member_id: int) -> HttpResponse:
    wave = selectors.wave_for_user(request.user, wave_id)
    _require_manager(request, wave.operation)
    member = _member_for(request, wave, member_id)
    form = MemberRemoveForm(request.POST or None, initial={"version": wave.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_members_remove(
                actor=request.user,
                wave=wave,
                person_ids=[member.person_id],
                include_children=form.cleaned_data["include_children"],
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("Removed from the wave."))
            return redirect("operations-wave-detail", wave_id=wave.pk)
    label = selectors.person_labels([member.person_id], preferred_script(request))[member.person_id]
    return render(request, "operations/remove.html", {"wave": wave, "form": form, "label": label})


def _member_for(request: HttpRequest, wave: Wave, member_id: Any) -> WaveMember:
    try:
        return WaveMember.objects.get(
            pk=selectors._row_id(member_id),
            wave=wave,
            active=True,
            case__in=policy.cases_visible_to(request.user),
        )
    except WaveMember.DoesNotExist:
        raise policy.NotVisible("No such member") from None


@login_required
@require_GET
def wave_manifest_pdf(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_for_user(request.user, wave_id)
    content = manifest_pdf(request.user, wave, preferred_script(request))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="manifest-wave-{wave.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def wave_execute(request: HttpRequest, wave_id: int) -> HttpResponse:
    """A confirmation page with the counts; the POST marks every member evacuated, or nobody."""
    wave = selectors.wave_for_user(request.user, wave_id)
    _require_manager(request, wave.operation)
    form = ExecuteForm(request.POST or None, initial={"version": wave.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_execute(actor=request.user, wave=wave, version=form.cleaned_data["version"])
        except ValidationError as error:
            _show_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("The wave was executed: its persons are marked evacuated."))
            return redirect("operations-wave-detail", wave_id=wave.pk)
    manifest = selectors.wave_manifest(request.user, wave, preferred_script(request))
    return render(request, "operations/execute.html", {"wave": wave, "form": form, "manifest": manifest})


@login_required
@require_POST
def wave_cancel(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_for_user(request.user, wave_id)
    _require_manager(request, wave.operation)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the wave is cancelled."))
    else:
        try:
            services.wave_cancel(
                actor=request.user,
                wave=wave,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, Conflict) as error:
            _flash(request, error)
        else:
            messages.success(request, _("The wave was cancelled."))
    return redirect("operations-wave-detail", wave_id=wave.pk)
