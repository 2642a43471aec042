"""Registry pages. Thin: parse the form, call a service or selector, render."""

import csv
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from access import policy
from access.decorators import recent_second_factor
from access.rules import Action, Capability, DataClass
from casework.services import relative_register_with_case, returnee_register
from core.errors import Conflict, refuse
from core.forms import add_service_errors
from core.http import preferred_script
from people import selectors, services
from people.forms import (
    DocumentForm,
    EvidenceForm,
    HouseholdForm,
    NameForm,
    PersonEditForm,
    PersonFieldsForm,
    PhotoForm,
    PresenceForm,
    RelationshipForm,
    RelativeForm,
    ReviewFilterForm,
    ReviewOutcomeForm,
    SearchForm,
)
from people.models import Household, HouseholdMember, Person


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    if not policy.reaches_cases(request.user):
        raise refuse(_("Your role does not work with individual persons."))
    form = SearchForm(request.GET or None)
    page, status = None, 200
    if form.is_valid() or not request.GET:
        filters = _search_filters(form.cleaned_data if request.GET else {})
        try:
            page = selectors.person_search(request.user, page_number=request.GET.get("page", 1), **filters)
        except ValidationError as error:  # a filter on a class the user may not see: refused, not ignored
            add_service_errors(form, error)
            status = 400
    context = {
        "form": form,
        "page": page,
        "script": preferred_script(request),
        "may_export": policy.may_export(request.user),
        "may_filter_place": policy.holds_class(request.user, DataClass.LOCATION),
    }
    template = "people/_results.html" if request.htmx else "people/search.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


def _search_filters(data: dict[str, Any]) -> dict[str, Any]:
    place = data.get("place")
    return {
        "query": data.get("q", ""),
        "category": data.get("category", ""),
        "state": data.get("state", ""),
        "place_id": place.pk if place else None,
    }


@login_required
@recent_second_factor
def person_export(request: HttpRequest) -> HttpResponse:
    """The current search as CSV: only persons whose identity data the user may export."""
    if not policy.may_export(request.user):
        raise refuse(_("Your role may not export."))
    form = SearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponseBadRequest(_("Check the search fields."))
    try:
        rows = selectors.person_export(request.user, **_search_filters(form.cleaned_data if request.GET else {}))
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="zhusan-persons.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Cyrillic and Arabic names as UTF-8
    writer = csv.DictWriter(response, fieldnames=selectors.EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows({k: _safe_cell(v) for k, v in row.items()} for row in rows)
    return response


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    view = selectors.person_view(request.user, person_id)
    return render(
        request,
        "people/detail.html",
        {"view": view, "person": view.person, "script": preferred_script(request)},
    )


def _names_from(form: NameForm) -> list[dict[str, Any]]:
    return [{k: v for k, v in form.cleaned_data.items()}]


def _person_fields(form: PersonFieldsForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for key in ("estimated_age_min", "estimated_age_max", "birth_date", "age_estimated_on"):
        data.setdefault(key, None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponse:
    if not policy.has_capability(request.user, Capability.REGISTER_PERSON):
        raise refuse()
    name_form = NameForm(request.POST or None, prefix="name")
    person_form = PersonFieldsForm(request.POST or None, prefix="person")
    if request.method == "POST" and name_form.is_valid() and person_form.is_valid():
        try:
            case = returnee_register(actor=request.user, names=_names_from(name_form), **_person_fields(person_form))
        except ValidationError as error:
            add_service_errors(person_form, error)
        else:
            return redirect("person-detail", person_id=case.person_id)
    return render(request, "people/register.html", {"name_form": name_form, "person_form": person_form})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policy.person_for_user(request.user, person_id)
    changeable = policy.classes_for(request.user, person, Action.CHANGE)
    allowed = {f for f, klass in Person.DATA_CLASSES.items() if klass in changeable and f != "photo"}
    if not allowed:
        raise refuse()
    initial = {**PersonFieldsForm.initial_for(person), "version": person.version}
    form = PersonEditForm(request.POST or None, initial=initial, allowed_fields=allowed | {"version"})
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user, person=person, expected_version=form.cleaned_data["version"], **_changed(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person, "title": _("Edit personal details")})


def _changed(form: PersonFieldsForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in form.changed_data if name != "version"}


def _simple_form_view(request: HttpRequest, person_id: int, form_class: type, title: str, save: Any) -> HttpResponse:
    """A page with one form that adds one thing to a person, through `save(person, cleaned_data)`."""
    person = policy.person_for_user(request.user, person_id)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(person, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def name_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _simple_form_view(
        request,
        person_id,
        NameForm,
        _("Add a name"),
        lambda person, data: services.name_add(actor=request.user, person=person, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _simple_form_view(
        request,
        person_id,
        DocumentForm,
        _("Add an identity document"),
        lambda person, data: services.document_add(actor=request.user, person=person, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _simple_form_view(
        request,
        person_id,
        EvidenceForm,
        _("Add evidence of citizenship"),
        lambda person, data: services.citizenship_evidence_add(actor=request.user, person=person, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def presence_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _simple_form_view(
        request,
        person_id,
        PresenceForm,
        _("Record whereabouts"),
        lambda person, data: services.presence_record(actor=request.user, person=person, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, person_id: int) -> HttpResponse:
    def save(person: Person, data: dict[str, Any]) -> None:
        try:
            other = policy.person_for_user(request.user, data["other"])
        except Http404:
            raise ValidationError({"other": _("No person with this number is within your reach.")}) from None
        services.relationship_add(
            actor=request.user,
            subject=person,
            obj=other,
            kind=data["kind"],
            basis=data["basis"],
            note=data["note"],
        )

    return _simple_form_view(request, person_id, RelationshipForm, _("Link to a registered person"), save)


@login_required
@require_http_methods(["GET", "POST"])
def relative_add(request: HttpRequest, person_id: int) -> HttpResponse:
    """Register a new person (a relative at home, a child born abroad) already linked to this one."""
    person = policy.person_for_user(request.user, person_id)
    relation_form = RelativeForm(request.POST or None, prefix="relation")
    name_form = NameForm(request.POST or None, prefix="name")
    person_form = PersonFieldsForm(request.POST or None, prefix="person")
    forms_ok = request.method == "POST" and all(f.is_valid() for f in (relation_form, name_form, person_form))
    if forms_ok:
        try:
            relative = relative_register_with_case(
                actor=request.user,
                of_person=person,
                kind=relation_form.cleaned_data["kind"],
                basis=relation_form.cleaned_data["basis"],
                names=_names_from(name_form),
                **_person_fields(person_form),
            )
        except ValidationError as error:
            add_service_errors(person_form, error)
        else:
            return redirect("person-detail", person_id=relative.pk)
    return render(
        request,
        "people/relative.html",
        {
            "person": person,
            "relation_form": relation_form,
            "name_form": name_form,
            "person_form": person_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request: HttpRequest, person_id: int) -> HttpResponse:
    def save(person: Person, data: dict[str, Any]) -> None:
        if data.get("name"):
            services.household_create(actor=request.user, name=data["name"], head=person)
            return
        # Only a household one of whose members the user can reach may be joined.
        reachable = HouseholdMember.objects.filter(person__in=policy.persons_visible_to(request.user))
        household = Household.objects.filter(pk=data["household"], householdmember__in=reachable).first()
        if household is None:
            raise ValidationError({"household": _("No household with this number is within your reach.")})
        services.household_member_add(actor=request.user, household=household, person=person)

    return _simple_form_view(request, person_id, HouseholdForm, _("Household"), save)


@login_required
@require_http_methods(["GET", "POST"])
def photo_upload(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policy.person_for_user(request.user, person_id)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_set(actor=request.user, person=person, upload=form.cleaned_data["photo"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person, "title": _("Photo"), "upload": True})


@login_required
def person_photo(request: HttpRequest, person_id: int) -> FileResponse:
    """The photo, only through the policy, as an attachment never cached."""
    person = policy.person_for_user(request.user, person_id)
    content = services.photo_read(actor=request.user, person=person)
    return FileResponse(
        BytesIO(content), as_attachment=True, filename=f"person-{person.pk}-photo", content_type="image/jpeg"
    )


class ScanForm(forms.Form):
    # Kept beside its two views; the checks of the file are in core.files, not here.
    scan = forms.FileField(label=gettext_lazy("Scan (PDF, JPEG or PNG, up to 10 MB)"))


@login_required
@require_http_methods(["GET", "POST"])
def document_scan_upload(request: HttpRequest, person_id: int, document_id: int) -> HttpResponse:
    document = services.document_for_user(request.user, person_id, document_id)
    person = document.person
    if not policy.can(request.user, Action.CHANGE, DataClass.IDENTITY, person):
        raise refuse()
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_scan_attach(actor=request.user, document=document, upload=form.cleaned_data["scan"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person-detail", person_id=person.pk)
    title = _("Scan of the document: %(document)s") % {"document": document.get_doc_type_display()}
    return render(request, "people/form.html", {"form": form, "person": person, "title": title, "upload": True})


@login_required
def document_scan(request: HttpRequest, person_id: int, document_id: int) -> FileResponse:
    """The scan, decrypted, only through the policy, as an attachment never cached (see NoStoreMiddleware)."""
    document = services.document_for_user(request.user, person_id, document_id)
    scan = services.document_scan_read(actor=request.user, document=document)
    return FileResponse(
        BytesIO(scan.content), as_attachment=True, filename=scan.filename, content_type=scan.content_type
    )


# --- document numbers sent for review (decision 0038) -----------------------------------------------------------


@login_required
def document_number_reviews(request: HttpRequest) -> HttpResponse:
    """The civil registry officer's worklist: open reviews first, oldest first, with a form to settle each."""
    if not policy.may_review_document_numbers(request.user):
        raise refuse(_("Only a civil registry officer reviews document numbers."))
    form = ReviewFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page, rows = selectors.document_number_review_page(
        request.user, state=state, page_number=request.GET.get("page", 1)
    )
    context = {"form": form, "state": state, "page": page, "rows": rows, "outcome_form": ReviewOutcomeForm()}
    return render(request, "people/document_reviews.html", context)


@login_required
@require_POST
def document_number_review_resolve(request: HttpRequest, review_id: int) -> HttpResponse:
    review = policy.document_number_review_for_user(request.user, review_id)
    form = ReviewOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the outcomes."))
    else:
        try:
            services.document_number_review_resolve(
                actor=request.user, review=review, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Review %(id)s settled.") % {"id": review.pk})
    return redirect("document-number-reviews")
