"""Pages of the rehabilitation centre. Thin: parse the form, call a service or selector, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from access import policy
from centres import reach, selectors, services
from centres.forms import (
    AdmitForm,
    BuildingForm,
    CentreForm,
    DayForm,
    DischargeForm,
    GroupAdmitForm,
    GroupForm,
    MemberForm,
    PlanForm,
    RoomForm,
    SessionForm,
)
from centres.models import AttendanceStatus, GroupProfile
from core.errors import refuse
from core.forms import add_service_errors
from core.http import preferred_script
from people.models import Person


def _person(request: HttpRequest, person_id: int, field: str = "person") -> Person:
    try:
        return policy.person_for_user(request.user, person_id)
    except Http404:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


@login_required
@require_http_methods(["GET", "POST"])
def centre_list(request: HttpRequest) -> HttpResponse:
    if not reach.works_at_centres(request.user):
        raise refuse(_("Your role does not work at centres."))
    form = CentreForm(request.POST or None)
    if request.method == "POST":
        if not reach.may_manage(request.user):
            raise refuse()
        if form.is_valid():
            try:
                centre = services.centre_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("centres-detail", centre_id=centre.pk)
    on = timezone.localdate()
    context = {
        "rows": selectors.centre_list(request.user, on),
        "on": on,
        "form": form,
        "may_manage": reach.may_manage(request.user),
    }
    return render(request, "centres/list.html", context)


@login_required
def centre_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The occupancy board on a date (default today)."""
    centre = reach.centre_for_user(request.user, centre_id)
    day = DayForm(request.GET or None)
    board = selectors.occupancy_board(request.user, centre, day.day(), preferred_script(request))
    context = {"centre": centre, "board": board, "day": day, "may_manage": reach.may_manage(request.user)}
    return render(request, "centres/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def centre_rooms(request: HttpRequest, centre_id: int) -> HttpResponse:
    """Add buildings and rooms."""
    centre = reach.centre_for_user(request.user, centre_id)
    if not reach.may_manage(request.user):
        raise refuse()
    building_form = BuildingForm(request.POST if "add_building" in request.POST else None, prefix="building")
    room_form = RoomForm(request.POST if "add_room" in request.POST else None, prefix="room", centre=centre)
    if request.method == "POST":
        try:
            if building_form.is_bound and building_form.is_valid():
                services.building_add(actor=request.user, centre=centre, **building_form.cleaned_data)
                return redirect("centres-rooms", centre_id=centre.pk)
            if room_form.is_bound and room_form.is_valid():
                services.room_add(actor=request.user, **room_form.cleaned_data)
                return redirect("centres-rooms", centre_id=centre.pk)
        except ValidationError as error:
            add_service_errors(building_form if building_form.is_bound else room_form, error)
    board = selectors.occupancy_board(request.user, centre, timezone.localdate(), preferred_script(request))
    context = {"centre": centre, "board": board, "building_form": building_form, "room_form": room_form}
    return render(request, "centres/rooms.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def admit(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = reach.centre_for_user(request.user, centre_id)
    if not reach.may_manage(request.user):
        raise refuse()
    form = AdmitForm(request.POST or None, centre=centre, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stay = services.stay_admit(
                actor=request.user,
                centre=centre,
                person=_person(request, data["person"]),
                kind=data["kind"],
                room=data["room"],
                admitted_on=data["admitted_on"],
                planned_until=data["planned_until"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Admitted."))
            return redirect("centres-stay-detail", stay_id=stay.pk)
    title = _("Admit a person")
    return render(request, "centres/form.html", {"centre": centre, "form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def admit_group(request: HttpRequest, centre_id: int) -> HttpResponse:
    """A whole arrival into a free building: GET shows who would be admitted, POST admits them all or none."""
    centre = reach.centre_for_user(request.user, centre_id)
    if not reach.may_manage(request.user):
        raise refuse()
    form = GroupAdmitForm(request.POST or None, centre=centre)
    persons: list[Person] = []
    if form.is_bound and form.is_valid():
        persons = selectors.admissible_persons(
            request.user,
            centre,
            form.cleaned_data["arrived_on"],
            women_and_children=form.cleaned_data["women_and_children"],
        )
        if "admit" in request.POST:
            try:
                stays = services.group_admit(
                    actor=request.user,
                    centre=centre,
                    persons=persons,
                    admitted_on=form.cleaned_data["admitted_on"],
                    building=form.cleaned_data["building"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                for message in error.message_dict.get("persons", []):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d person admitted.", "%(count)d persons admitted.", len(stays))
                    % {"count": len(stays)},
                )
                return redirect("centres-detail", centre_id=centre.pk)
    names = selectors.names_of({p.pk for p in persons}, preferred_script(request))
    context = {
        "centre": centre,
        "form": form,
        "candidates": [(p.pk, names.get(p.pk, "")) for p in persons],
    }
    return render(request, "centres/admit_group.html", context)


@login_required
def stay_detail(request: HttpRequest, stay_id: int) -> HttpResponse:
    stay = selectors.stay_for_user(request.user, stay_id)
    manages = (
        reach.may_manage(request.user) and reach.centres_visible_to(request.user).filter(pk=stay.centre_id).exists()
    )
    context = {
        "stay": stay,
        "name": selectors.person_name(stay.person_id, preferred_script(request)),
        "may_manage": manages and stay.is_open,
        "discharge_form": DischargeForm(),
        "plan_form": PlanForm(initial={"planned_until": stay.planned_until}),
    }
    return render(request, "centres/stay.html", context)


@login_required
@require_POST
def stay_discharge(request: HttpRequest, stay_id: int) -> HttpResponse:
    stay = selectors.stay_for_user(request.user, stay_id)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            services.stay_discharge(
                actor=request.user,
                stay=stay,
                reason=form.cleaned_data["reason"],
                discharged_on=form.cleaned_data["discharged_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Discharged."))
            return redirect("centres-stay-detail", stay_id=stay.pk)
    context = {
        "stay": stay,
        "name": selectors.person_name(stay.person_id, preferred_script(request)),
        "may_manage": True,
        "discharge_form": form,
        "plan_form": PlanForm(initial={"planned_until": stay.planned_until}),
    }
    return render(request, "centres/stay.html", context, status=400)


@login_required
@require_POST
def stay_plan(request: HttpRequest, stay_id: int) -> HttpResponse:
    stay = selectors.stay_for_user(request.user, stay_id)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.stay_plan(actor=request.user, stay=stay, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("centres-stay-detail", stay_id=stay.pk)
    context = {
        "stay": stay,
        "name": selectors.person_name(stay.person_id, preferred_script(request)),
        "may_manage": True,
        "discharge_form": DischargeForm(),
        "plan_form": form,
    }
    return render(request, "centres/stay.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = reach.centre_for_user(request.user, centre_id)
    form = GroupForm(request.POST or None)
    if request.method == "POST":
        if not reach.may_manage(request.user):
            raise refuse()
        if form.is_valid():
            try:
                group = services.group_create(actor=request.user, centre=centre, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("centres-group-detail", group_id=group.pk)
    context = {
        "centre": centre,
        "rows": selectors.groups_of(request.user, centre, preferred_script(request)),
        "form": form,
        "may_manage": reach.may_manage(request.user),
    }
    return render(request, "centres/groups.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's members, and the persons staying at the centre who could join it, with the suggested profile."""
    group = selectors.group_for_user(request.user, group_id)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not reach.may_manage(request.user):
            raise refuse()
        if form.is_valid():
            try:
                person = _person(request, form.cleaned_data["person"])
                services.group_member_add(actor=request.user, group=group, person=person)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("centres-group-detail", group_id=group.pk)
    script = preferred_script(request)
    row = next(r for r in selectors.groups_of(request.user, group.centre, script) if r.group.pk == group.pk)
    manages = reach.may_manage(request.user)
    context = {
        "group": group,
        "centre": group.centre,
        "row": row,
        "form": form,
        "may_manage": manages,
        "candidates": selectors.group_candidates(request.user, group, script) if manages else [],
        "profiles": dict(GroupProfile.choices),
    }
    return render(request, "centres/group.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The daily programme: the day's sessions by time, and (for managers) a form to plan one."""
    centre = reach.centre_for_user(request.user, centre_id)
    day = DayForm(request.GET or None)
    on = day.day()
    form = SessionForm(request.POST or None, centre=centre, initial={"on": on})
    if request.method == "POST":
        if not reach.may_manage(request.user):
            raise refuse()
        if form.is_valid():
            try:
                session = services.session_plan(actor=request.user, centre=centre, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(f"{request.path}?on={session.on.isoformat()}")
    context = {
        "centre": centre,
        "day": day,
        "on": on,
        "sessions": selectors.programme_day(centre, on),
        "form": form,
        "may_manage": reach.may_manage(request.user),
        "may_record": reach.may_record_attendance(request.user),
    }
    return render(request, "centres/programme.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """The attendance form of one session; with htmx only the form is swapped after saving."""
    session = selectors.session_for_user(request.user, session_id)
    script = preferred_script(request)
    errors: list[str] = []
    saved = False
    if request.method == "POST":
        if not reach.may_record_attendance(request.user):
            raise refuse()
        try:
            services.attendance_record(actor=request.user, session=session, marks=_marks(request.POST))
        except ValidationError as error:
            errors = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            saved = True
    context = {
        "session": session,
        "centre": session.centre,
        "sheet": selectors.attendance_sheet(request.user, session, script),
        "statuses": AttendanceStatus.choices,
        "may_record": reach.may_record_attendance(request.user),
        "errors": errors,
        "saved": saved,
    }
    template = "centres/_attendance.html" if request.htmx else "centres/attendance.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if errors else 200)


def _marks(data: Any) -> dict[int, str]:
    """`mark-<person id>` fields of the attendance form; anything else is ignored, junk ids are refused."""
    marks: dict[int, str] = {}
    for key, value in data.items():
        if not key.startswith("mark-") or not value:
            continue
        number = key.removeprefix("mark-")
        if not number.isdigit() or len(number) > 18:
            raise ValidationError({"marks": _("Only members of the session's group can be marked.")})
        marks[int(number)] = value
    return marks
