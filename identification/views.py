"""Identification pages. Thin: parse the form, call a selector or service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from core.errors import messages_by_field, refuse
from core.forms import add_service_errors
from core.http import preferred_script
from identification import imports, selectors, services
from identification.forms import (
    ContactForm,
    ListForm,
    MappingForm,
    MissionForm,
    ReturnRequestForm,
    UploadForm,
    VerificationForm,
)
from identification.models import Decision, ImportStatus
from identification.rows import TARGETS
from people import selectors as people_selectors
from people.models import Person

PICKER_FIELDS = ("person", "requested_by")


def _require_identification(request: HttpRequest) -> None:
    if not selectors.may_identify(request.user):
        raise refuse(_("Your role does not work on identification."))


def _visible_person(request: HttpRequest, person_id: Any, field: str) -> Person:
    try:
        return policy.person_for_user(request.user, person_id)
    except Http404:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for field_messages in messages_by_field(error).values():
        for message in field_messages:
            messages.error(request, message)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require_identification(request)
    return render(request, "identification/home.html", {"home": selectors.identification_home(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def list_create(request: HttpRequest) -> HttpResponse:
    _require_identification(request)
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            id_list = services.list_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("identification-list-detail", list_id=id_list.pk)
    return render(request, "identification/form.html", {"form": form, "title": _("New identification list")})


@login_required
@require_GET
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    id_list = selectors.list_for_user(request.user, list_id)
    entries = selectors.list_entries(request.user, id_list)
    return render(
        request,
        "identification/list_detail.html",
        {"id_list": id_list, "entries": entries, "script": preferred_script(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mission_create(request: HttpRequest) -> HttpResponse:
    _require_identification(request)
    form = MissionForm(request.POST or None, agency_id=request.user.agency_id or 0)  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mission = services.mission_create(
                actor=request.user, **{**data, "members": list(data["members"]), "places": list(data["places"])}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("identification-mission-detail", mission_id=mission.pk)
    return render(request, "identification/form.html", {"form": form, "title": _("New mission")})


@login_required
@require_http_methods(["GET", "POST"])
def mission_detail(request: HttpRequest, mission_id: int) -> HttpResponse:
    """The mission, the persons it met, and the form recording one more."""
    mission = selectors.mission_for_user(request.user, mission_id)
    form = ContactForm(request.POST or None, places=mission.places.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = _visible_person(request, data["person"], "person")
            services.mission_contact_add(
                actor=request.user,
                mission=mission,
                person=person,
                met_on=data["met_on"],
                place=data["place"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("identification-mission-detail", mission_id=mission.pk)
    return render(
        request,
        "identification/mission_detail.html",
        {
            "mission": mission,
            "members": list(mission.members.order_by("username")),
            "places": list(mission.places.all()),
            "contacts": selectors.mission_contacts(request.user, mission),
            "form": form,
            "script": preferred_script(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_request_create(request: HttpRequest) -> HttpResponse:
    _require_identification(request)
    form = ReturnRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.return_request_record(
                actor=request.user,
                requested_by=_visible_person(request, data["requested_by"], "requested_by"),
                person=_visible_person(request, data["person"], "person"),
                received_on=data["received_on"],
                channel=data["channel"],
                note=data["note"],
                relationship_kind=data["relationship_kind"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("identification-person", person_id=created.person_id)
    return render(request, "identification/return_request.html", {"form": form})


@login_required
@require_GET
def person_picker(request: HttpRequest) -> HttpResponse:
    """Search the persons the user may see, as choices for one person field of a form (an htmx fragment)."""
    if not policy.reaches_cases(request.user):
        raise refuse()
    field = request.GET.get("field", "")
    if field not in PICKER_FIELDS:
        raise Http404
    query = request.GET.get(f"q_{field}", "")[:200]
    persons = list(people_selectors.person_search(request.user, query=query).object_list) if query.strip() else []
    return render(
        request,
        "identification/_picker.html",
        {"field": field, "persons": persons[:10], "script": preferred_script(request)},
    )


@login_required
@require_GET
def person_identification(request: HttpRequest, person_id: int) -> HttpResponse:
    view = selectors.person_identification(request.user, person_id)
    return render(
        request,
        "identification/person.html",
        {"view": view, "person": view.person, "form": VerificationForm(), "script": preferred_script(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def verification_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policy.person_for_user(request.user, person_id)
    form = VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("identification-person", person_id=person.pk)
    return render(
        request,
        "identification/form.html",
        {"form": form, "person": person, "title": _("Citizenship verification step")},
    )


# --- imports ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_identification(request)
    lists = selectors.lists_visible_to(request.user)
    form = UploadForm(
        request.POST or None, request.FILES or None, lists=lists, initial={"id_list": request.GET.get("list")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_upload(
                actor=request.user, id_list=form.cleaned_data["id_list"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("identification-import-detail", batch_id=batch.pk)
    return render(request, "identification/form.html", {"form": form, "title": _("Import a list"), "upload": True})


@login_required
@require_GET
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One page per step of the import: mapping, preview of the bad rows, progress, decisions, result."""
    batch = selectors.batch_for_user(request.user, batch_id)
    initial = {target: str(index) for target, index in batch.mapping.items()}
    context: dict[str, Any] = {
        "batch": batch,
        "statuses": ImportStatus,
        "mapping_form": MappingForm(initial=initial, headers=batch.headers),
        "targets": TARGETS,
        "script": preferred_script(request),
    }
    if batch.status in (ImportStatus.CHECKED, ImportStatus.MATCHED, ImportStatus.MATCHING):
        context["bad_rows"] = selectors.batch_rows(request.user, batch, bad=True)
    if batch.status in (ImportStatus.MATCHED, ImportStatus.COMMITTED):
        context["good_rows"] = selectors.batch_rows(request.user, batch)
    return render(request, "identification/import.html", context)


def _import_step(request: HttpRequest, batch_id: int, step: Any) -> HttpResponse:
    batch = selectors.batch_for_user(request.user, batch_id)
    try:
        step(batch)
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("identification-import-detail", batch_id=batch.pk)


@login_required
@require_POST
def import_mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    mapping = {target: request.POST.get(target, "") for target in TARGETS}
    return _import_step(request, batch_id, lambda b: imports.import_map(actor=request.user, batch=b, mapping=mapping))


@login_required
@require_POST
def import_match(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One poll of the progress bar: match the next rows and answer the bar (or send the page on when done)."""
    batch = selectors.batch_for_user(request.user, batch_id)
    try:
        batch = imports.import_match_next(actor=request.user, batch=batch, chunk=imports.MATCH_CHUNK)
    except ValidationError as error:
        _flash_errors(request, error)
    if batch.status == ImportStatus.MATCHING and request.htmx:  # type: ignore[attr-defined]
        return render(request, "identification/_progress.html", {"batch": batch})
    target = reverse("identification-import-detail", kwargs={"batch_id": batch.pk})
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse()
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_POST
def import_decide(request: HttpRequest, batch_id: int) -> HttpResponse:
    decisions = []
    for key, value in request.POST.items():
        if not key.startswith("row-") or not key[4:].isdigit() or not value:
            continue
        choice, _sep, person = str(value).partition("-")
        item: dict[str, Any] = {"row": int(key[4:]), "decision": choice}
        if choice == Decision.SAME:
            item["person"] = int(person) if person.isdigit() else None
        decisions.append(item)
    return _import_step(
        request, batch_id, lambda b: imports.import_decide(actor=request.user, batch=b, decisions=decisions)
    )


@login_required
@require_POST
def import_commit(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _import_step(request, batch_id, lambda b: imports.import_commit(actor=request.user, batch=b))


@login_required
@require_POST
def import_discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _import_step(request, batch_id, lambda b: imports.import_discard(actor=request.user, batch=b))
