"""Self-return pages. Thin: parse the form, call a service or selector, render."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access import policy
from consular import selectors, services
from consular.forms import (
    CHILD_FIELDS,
    NEW_PERSON_INITIAL,
    ArrivalForm,
    IssueForm,
    MemberForm,
    RequestForm,
    RestorationForm,
    TravelForm,
    WithdrawForm,
)
from consular.models import SelfReturnRequest, SelfReturnStatus
from core.errors import Conflict
from core.forms import add_service_errors
from core.http import preferred_script
from people.forms import NameForm, PersonFieldsForm


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in SelfReturnStatus.values:
        status = ""
    rows = selectors.request_list(request.user, preferred_script(request), status=status)
    return render(
        request,
        "consular/list.html",
        {"rows": rows, "statuses": SelfReturnStatus.choices, "status": status},
    )


def _names(form: NameForm) -> list[dict[str, Any]]:
    return [dict(form.cleaned_data)]


def _person_fields(form: PersonFieldsForm) -> dict[str, Any]:
    # Blank fields are left out, so the model's defaults apply.
    return {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}


def _reachable_person(request: HttpRequest, number: int, field: str) -> Any:
    try:
        return policy.person_for_user(request.user, number)
    except Http404:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    selectors.require_consular_work(request.user)
    data = request.POST or None
    form = RequestForm(data)
    name_form = NameForm(data, prefix="name")
    person_form = PersonFieldsForm(data, prefix="person", initial=NEW_PERSON_INITIAL)
    if request.method == "POST" and form.is_valid():
        existing = form.cleaned_data["applicant"]
        new_ok = existing is None and name_form.is_valid() and person_form.is_valid()
        if existing is not None or new_ok:
            try:
                fields: dict[str, Any] = {}
                if existing is not None:
                    fields["applicant"] = _reachable_person(request, existing, "applicant")
                else:
                    fields = {"names": _names(name_form), **_person_fields(person_form)}
                created = services.self_return_register(
                    actor=request.user,
                    consulate=form.cleaned_data["consulate"],
                    requested_on=form.cleaned_data["requested_on"],
                    situation=form.cleaned_data["situation"],
                    **fields,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("consular-request-detail", request_id=created.pk)
    return render(
        request,
        "consular/new.html",
        {"form": form, "name_form": name_form, "person_form": person_form},
    )


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    found = selectors.request_for_user(request.user, request_id)
    view = selectors.request_view(request.user, found, preferred_script(request))
    return render(request, "consular/detail.html", {"view": view, "req": found})


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, request_id: int) -> HttpResponse:
    found = selectors.request_for_user(request.user, request_id)
    selectors.require_consular_work(request.user)
    data = request.POST or None
    form = MemberForm(data)
    name_form = NameForm(data, prefix="name")
    person_form = PersonFieldsForm(data, prefix="person", initial=NEW_PERSON_INITIAL, allowed_fields=CHILD_FIELDS)
    if request.method == "POST" and form.is_valid():
        existing = form.cleaned_data["person"]
        new_ok = existing is None and name_form.is_valid() and person_form.is_valid()
        if existing is not None or new_ok:
            try:
                fields: dict[str, Any] = {}
                if existing is not None:
                    fields["person"] = _reachable_person(request, existing, "person")
                else:
                    fields = {"names": _names(name_form), **_person_fields(person_form)}
                services.self_return_member_add(
                    actor=request.user,
                    request=found,
                    relation=form.cleaned_data["relation"],
                    born_in=form.cleaned_data["born_in"],
                    **fields,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except Conflict as conflict:
                form.add_error(None, str(conflict))
            else:
                return redirect("consular-request-detail", request_id=found.pk)
    return render(
        request,
        "consular/member.html",
        {"form": form, "name_form": name_form, "person_form": person_form, "req": found},
    )


def _step(
    request: HttpRequest,
    found: SelfReturnRequest,
    form: forms.Form,
    title: str,
    save: Callable[[dict[str, Any]], object],
) -> HttpResponse:
    """A page with one form taking one step of the request through `save(cleaned_data)`."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            return redirect("consular-request-detail", request_id=found.pk)
    return render(request, "consular/step.html", {"form": form, "req": found, "title": title})


def _found_for_step(request: HttpRequest, request_id: int) -> SelfReturnRequest:
    found = selectors.request_for_user(request.user, request_id)
    selectors.require_consular_work(request.user)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def restoration_add(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _found_for_step(request, request_id)
    view = selectors.request_view(request.user, found, preferred_script(request))
    travellers = [(t.person.pk, t.name) for t in view.travellers]
    form = RestorationForm(request.POST or None, initial={"version": found.version}, travellers=travellers)
    people = {t.person.pk: t.person for t in view.travellers}

    def save(data: dict[str, Any]) -> None:
        services.restoration_request(
            actor=request.user,
            request=found,
            person=people[data["person"]],
            doc_type=data["doc_type"],
            requested_on=data["requested_on"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _step(request, found, form, _("Restore a document"), save)


@login_required
@require_http_methods(["GET", "POST"])
def restoration_issue(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _found_for_step(request, request_id)
    view = selectors.request_view(request.user, found, preferred_script(request))
    names = {t.person.pk: t.name for t in view.travellers}
    pending = {r.pk: r for r in view.pending_restorations}
    choices = [(r.pk, f"{names.get(r.person_id, '')}: {r.get_doc_type_display()}") for r in pending.values()]
    form = IssueForm(request.POST or None, initial={"version": found.version}, pending=choices)

    def save(data: dict[str, Any]) -> None:
        services.restoration_issue(
            actor=request.user,
            restoration=pending[data["restoration"]],
            issued_on=data["issued_on"],
            number=data["number"],
            issuing_state=data["issuing_state"],
            expires_on=data["expires_on"],
            expected_version=data["version"],
        )

    return _step(request, found, form, _("Record an issued document"), save)


@login_required
@require_http_methods(["GET", "POST"])
def travel_arrange(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _found_for_step(request, request_id)
    form = TravelForm(request.POST or None, initial={"version": found.version})
    return _step(
        request,
        found,
        form,
        _("Arrange travel"),
        lambda data: services.travel_arrange(
            actor=request.user,
            request=found,
            travel_on=data["travel_on"],
            travel_details=data["travel_details"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def arrival_record(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _found_for_step(request, request_id)
    form = ArrivalForm(request.POST or None, initial={"version": found.version})
    return _step(
        request,
        found,
        form,
        _("Record arrival"),
        lambda data: services.arrival_record(
            actor=request.user,
            request=found,
            arrived_on=data["arrived_on"],
            arrival_place=data["arrival_place"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _found_for_step(request, request_id)
    form = WithdrawForm(request.POST or None, initial={"version": found.version})
    return _step(
        request,
        found,
        form,
        _("Withdraw the request"),
        lambda data: services.self_return_withdraw(
            actor=request.user, request=found, reason=data["reason"], expected_version=data["version"]
        ),
    )
