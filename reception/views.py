"""Reception pages. Thin: parse the form, call a service or selector, render."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import policy
from access.rules import Action, DataClass
from core.errors import refuse
from core.forms import add_service_errors
from core.http import preferred_script
from people.models import Person
from reception import selectors, services
from reception.chart import growth_chart_svg, indicators
from reception.forms import (
    CheckInForm,
    GrowthMeasurementForm,
    LegalAssessmentForm,
    MedicalTestForm,
    QuarantineForm,
    TreatmentForm,
    VaccinationForm,
)
from reception.growth import REASONS


@login_required
@require_http_methods(["GET", "POST"])
def arrivals(request: HttpRequest) -> HttpResponse:
    """The arrival board: evacuated persons not yet checked in, by evacuation date; check in several at once."""
    groups = selectors.arrival_board(request.user)  # refuses users who may not move cases
    form = CheckInForm(request.POST or None, initial={"arrived_on": timezone.localdate()})
    chosen = request.POST.getlist("case") if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        try:
            done = services.arrivals_check_in(actor=request.user, case_ids=chosen, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(n)d persons checked in.") % {"n": len(done)})
            return redirect("reception-arrivals")
    context = {"groups": groups, "form": form, "chosen": set(chosen), "script": preferred_script(request)}
    return render(request, "reception/arrivals.html", context)


@login_required
@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    view = selectors.reception_view(request.user, person_id)
    context = {
        "view": view,
        "person": view.person,
        "script": preferred_script(request),
        "reasons": REASONS,
        "charts": indicators(),
    }
    return render(request, "reception/person.html", context)


def _record_form(
    request: HttpRequest,
    person_id: int,
    data_class: DataClass,
    form_class: type[forms.Form],
    title: str,
    save: Callable[[Person, dict[str, Any]], object],
) -> HttpResponse:
    """A page with one form adding one record of `data_class` to a person (refused unless they may change it)."""
    person = policy.person_for_user(request.user, person_id)
    if not policy.can(request.user, Action.CHANGE, data_class, person):
        raise refuse(_("You may not record this for this person."))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(person, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("reception-person", person_id=person.pk)
    return render(request, "reception/form.html", {"form": form, "person": person, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def legal_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_form(
        request,
        person_id,
        DataClass.LEGAL,
        LegalAssessmentForm,
        _("Record a legal assessment"),
        lambda p, data: services.legal_assessment_record(actor=request.user, person=p, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def quarantine_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_form(
        request,
        person_id,
        DataClass.MEDICAL,
        QuarantineForm,
        _("Record a quarantine"),
        lambda p, data: services.quarantine_record(actor=request.user, person=p, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def test_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_form(
        request,
        person_id,
        DataClass.MEDICAL,
        MedicalTestForm,
        _("Record a test"),
        lambda p, data: services.medical_test_record(actor=request.user, person=p, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def vaccination_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_form(
        request,
        person_id,
        DataClass.MEDICAL,
        VaccinationForm,
        _("Record a vaccination"),
        lambda p, data: services.vaccination_record(actor=request.user, person=p, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def treatment_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_form(
        request,
        person_id,
        DataClass.MEDICAL,
        TreatmentForm,
        _("Record a treatment or referral"),
        lambda p, data: services.treatment_record(actor=request.user, person=p, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def growth_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_form(
        request,
        person_id,
        DataClass.MEDICAL,
        GrowthMeasurementForm,
        _("Record a growth measurement"),
        lambda p, data: services.growth_measurement_record(actor=request.user, person=p, **data),
    )


@login_required
@require_GET
def growth_chart(request: HttpRequest, person_id: int) -> HttpResponse:
    """The growth chart as an SVG image (medical class; the read is audited; never cached)."""
    indicator = request.GET.get("indicator", "wfa")
    if indicator not in indicators():
        indicator = "wfa"
    person, measurements = selectors.growth_for_chart(request.user, person_id)
    response = HttpResponse(growth_chart_svg(person.sex, measurements, indicator), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response
