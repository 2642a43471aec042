"""Administration pages: staff accounts, agencies, teams, places, agreements and reference lists.

Thin: parse the form, call a service in access/, people/ or administration.reference, render. Every page is
for holders of `manage_users` only (one check, `_administrator`), and none shows a returnee's data.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import policy, staff
from access.models import Agency, ApiToken, NdaVersion, StaffChangeRequest, StaffChangeStatus, Team, User
from access.organisation import agency_create, nda_publish, team_create
from access.rules import Capability
from access.throttling import login_unlock
from access.tokens import api_token_revoke
from administration import forms
from administration.reference import REFERENCE_LISTS, reference_entry_add
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from core.errors import MAX_ID, messages_by_field, refuse
from core.forms import add_service_errors
from people.models import Place
from people.places import place_add

PER_PAGE = 50


def _administrator(request: HttpRequest) -> Any:
    """The one access check of these pages: the signed-in user holds `manage_users`, or the page is refused."""
    if not policy.has_capability(request.user, Capability.MANAGE_USERS):
        raise refuse(_("The administration is for system administrators."))
    return request.user


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


def home(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    pending = StaffChangeRequest.objects.filter(status=StaffChangeStatus.PENDING).count()
    return render(
        request,
        "administration/home.html",
        {"pending": pending, "reference_lists": REFERENCE_LISTS.values()},
    )


# --- staff -------------------------------------------------------------------------------------------------


def staff_list(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    form = forms.AgencyFilterForm(request.GET or None)
    rows = User.objects.select_related("agency", "team").order_by("username")
    if form.is_valid() and form.cleaned_data["agency"]:
        rows = rows.filter(agency=form.cleaned_data["agency"])
    return render(request, "administration/staff_list.html", {"form": form, "page": _page(request, rows)})


@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = forms.StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = staff.staff_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _show_enrolment_link(request, created.user, created.enrolment_key, created.pending)
    return render(request, "administration/staff_new.html", {"form": form})


def _show_enrolment_link(
    request: HttpRequest, user: User, key: str, pending: StaffChangeRequest | None = None
) -> HttpResponse:
    """The link is shown once, on this answer to the POST; only its hash is kept."""
    link = request.build_absolute_uri(reverse("enrol", args=[key]))
    context = {"member": user, "link": link, "pending": pending, "days": staff.ENROLMENT_LINK_VALID.days}
    return render(request, "administration/enrolment_link.html", context)


def _member(staff_id: Any) -> User:
    return get_object_or_404(User.objects.select_related("agency", "team"), pk=_id(staff_id))


def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _administrator(request)
    member = _member(staff_id)
    context = {
        "member": member,
        "is_self": member.pk == actor.pk,
        "roles_form": forms.RolesForm(initial={"roles": member.roles}),
        "agency_form": forms.AgencyTeamForm(initial={"agency": member.agency_id, "team": member.team_id}),
        "reset_form": forms.ResetForm(),
        "pending": StaffChangeRequest.objects.filter(user=member, status=StaffChangeStatus.PENDING)
        .select_related("requested_by")
        .order_by("-requested_at")[:20],
        "tokens": ApiToken.objects.filter(user=member).order_by("-created_at")[:20],
        # The account's own history: staff data only, never a returnee's.
        "history": AuditEntry.objects.filter(object_type="access.user", object_id=str(member.pk)).order_by("-seq")[:20],
    }
    return render(request, "administration/staff_detail.html", context)


def _after(request: HttpRequest, staff_id: int, error: ValidationError | None, done: str) -> HttpResponse:
    if error is not None:
        for message in (m for ms in _messages(error) for m in ms):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("administration-staff-detail", staff_id=staff_id)


def _messages(error: ValidationError) -> list[list[str]]:
    return list(messages_by_field(error).values())


@require_POST
def staff_roles(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _administrator(request)
    member = _member(staff_id)
    form = forms.RolesForm(request.POST)
    if not form.is_valid():
        return _after(request, member.pk, ValidationError(_("Choose roles from the list.")), "")
    try:
        pending = staff.staff_roles_change(actor=actor, user=member, roles=form.cleaned_data["roles"])
    except ValidationError as error:
        return _after(request, member.pk, error, "")
    done = _("Roles saved.")
    if pending is not None:
        done = _("Roles saved; %(roles)s wait for a second administrator.") % {"roles": ", ".join(pending.roles)}
    return _after(request, member.pk, None, done)


@require_POST
def staff_agency(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _administrator(request)
    member = _member(staff_id)
    form = forms.AgencyTeamForm(request.POST)
    if not form.is_valid():
        return _after(request, member.pk, ValidationError(_("Choose an agency.")), "")
    try:
        staff.staff_agency_change(actor=actor, user=member, **form.cleaned_data)
    except ValidationError as error:
        return _after(request, member.pk, error, "")
    return _after(request, member.pk, None, _("Agency and team saved."))


@require_POST
def staff_active(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _administrator(request)
    member = _member(staff_id)
    enable = request.POST.get("active") == "1"
    try:
        (staff.staff_enable if enable else staff.staff_disable)(actor=actor, user=member)
    except ValidationError as error:
        return _after(request, member.pk, error, "")
    return _after(request, member.pk, None, _("Account enabled.") if enable else _("Account disabled."))


@require_POST
def staff_second_factor_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _administrator(request)
    member = _member(staff_id)
    form = forms.ResetForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        staff.second_factor_reset_request(actor=actor, user=member, reason=reason)
    except ValidationError as error:
        return _after(request, member.pk, error, "")
    return _after(request, member.pk, None, _("The reset waits for a second administrator."))


@require_POST
def staff_token_revoke(request: HttpRequest, staff_id: int, token_id: int) -> HttpResponse:
    """Administrators revoke tokens; they never create one or see a key (finding 3)."""
    actor = _administrator(request)
    token = get_object_or_404(ApiToken, pk=_id(token_id), user_id=_id(staff_id))
    api_token_revoke(actor=actor, token=token)
    return _after(request, token.user_id, None, _("Token revoked."))


@require_POST
def staff_unlock(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Lift a login lockout at once: forgetting failed logins grants nothing, so one administrator suffices."""
    actor = _administrator(request)
    member = _member(staff_id)
    try:
        forgotten = login_unlock(actor=actor, username=member.username)
    except ValidationError as error:
        return _after(request, member.pk, error, "")
    message = _("Login unlocked.") if forgotten else _("This account had no failed logins to forget.")
    return _after(request, member.pk, None, message)


# --- the second administrator's list -------------------------------------------------------------------------


def requests_pending(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    rows = (
        StaffChangeRequest.objects.filter(status=StaffChangeStatus.PENDING)
        .select_related("user", "requested_by")
        .order_by("requested_at", "id")
    )
    page = _page(request, rows)
    for change in page:
        change.may_decide = actor.pk not in (change.requested_by_id, change.user_id)
    return render(request, "administration/requests.html", {"page": page})


@require_POST
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _administrator(request)
    change = get_object_or_404(StaffChangeRequest.objects.select_related("user"), pk=_id(request_id))
    approve = request.POST.get("decision") == "approve"
    try:
        key = staff.staff_change_decide(actor=actor, change=change, approve=approve)
    except ValidationError as error:
        for ms in _messages(error):
            for message in ms:
                messages.error(request, message)
        return redirect("administration-requests")
    if key:
        return _show_enrolment_link(request, change.user, key)
    messages.success(request, _("Approved and applied.") if approve else _("Rejected."))
    return redirect("administration-requests")


# --- agencies, teams, places, agreements, reference lists ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def agencies(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = forms.AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Agency added."))
            return redirect("administration-agencies")
    page = _page(request, Agency.objects.order_by("name"))
    return render(request, "administration/agencies.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = forms.TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team added."))
            return redirect("administration-teams")
    page = _page(request, Team.objects.select_related("agency").order_by("agency__name", "name"))
    return render(request, "administration/teams.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def places(request: HttpRequest) -> HttpResponse:
    """One level of the tree at a time: the places inside `?within=` (the countries at the top), and a form to
    add one there. The path from the top is shown as breadcrumbs."""
    actor = _administrator(request)
    within_id = request.GET.get("within")
    within = get_object_or_404(Place, pk=_id(within_id)) if within_id else None
    form = forms.PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            place_add(actor=actor, parent=within, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Place added."))
            return redirect(request.get_full_path())
    trail: list[Place] = []
    step = within
    while step is not None and len(trail) < 10:  # the tree is a few levels deep; bounded against a loop
        trail.insert(0, step)
        step = step.parent
    page = _page(request, Place.objects.filter(parent=within).order_by("kind", "name"))
    return render(request, "administration/places.html", {"form": form, "page": page, "within": within, "trail": trail})


@require_http_methods(["GET", "POST"])
def nda_versions(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = forms.NdaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nda_publish(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Published: everybody accepts the new version before their next page."))
            return redirect("administration-nda")
    page = _page(request, NdaVersion.objects.order_by("-effective_from"))
    return render(request, "administration/nda.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def reference_list(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _administrator(request)
    reference = REFERENCE_LISTS.get(slug)
    if reference is None:
        raise Http404
    form = forms.reference_form(reference.model, reference.fields)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reference_entry_add(actor=actor, reference=reference, values=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added."))
            return redirect("administration-reference", slug=slug)
    rows = reference.model._default_manager.all()
    page = _page(request, rows)
    table = [[getattr(entry, f) for f in reference.fields] for entry in page]
    headers = [getattr(reference.model._meta.get_field(f), "verbose_name", f) for f in reference.fields]
    context = {"reference": reference, "form": form, "page": page, "table": table, "headers": headers}
    return render(request, "administration/reference.html", context)


# --- the enrolment link, opened by the new member of staff (not signed in) -------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, key: str) -> HttpResponse:
    """Set a password with the one-time link, then enrol the authenticator (the usual second-factor setup)."""
    link = staff.enrolment_link_lookup(key)
    if link is None:
        raise Http404
    form = forms.EnrolmentForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff.enrolment_link_redeem(key=key, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            audit_record(actor=user, action=AuditAction.LOGIN, reason="Enrolment link", request=request)
            return redirect("second-factor-setup")
    return render(request, "administration/enrol.html", {"form": form, "member": link.user})
