"""Consent pages. Thin: fetch and authorise through the policy and selectors, call a service, render."""

from io import BytesIO
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import policy
from access.rules import Action, Capability, DataClass
from consent import selectors, services
from consent.forms import ConsentRecordForm, FamilyForm, PanelDecisionForm, RevisitForm, ScanForm
from consent.models import Decision, PanelDecision
from consent.receipts import consent_receipt
from core.errors import refuse
from core.forms import add_service_errors
from core.http import preferred_script
from people.models import Person, PersonName


def _name(person: Person, script: str) -> str:
    name = person.name_for(script)
    return f"{name.full if name else _('(no name recorded)')} (№ {person.pk})"


def _require_recorder(history: selectors.ConsentHistory) -> None:
    if not history.may_record:
        raise refuse(_("You may not record consent for this person."))


def _answer_fields(data: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "statement",
        "told_may_be_held_responsible",
        "language",
        "interpreter",
        "witness",
        "recorded_on",
        "place",
        "reason",
    )
    return {k: data[k] if k != "reason" else data.get(k, "") for k in keys}


@login_required
@require_GET
def consent_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The consent page of a person: history, receipts, scans and the answers the user may record."""
    history = selectors.consent_history(request.user, person_id)
    return render(request, "consent/person.html", {"history": history, "script": preferred_script(request)})


@login_required
@require_http_methods(["GET", "POST"])
def consent_record_add(request: HttpRequest, person_id: int) -> HttpResponse:
    history = selectors.consent_history(request.user, person_id, audit=False)
    _require_recorder(history)
    person, script = history.person, preferred_script(request)
    deciders = history.deciders
    decision = request.POST.get("decision") or request.GET.get("decision") or Decision.CONSENT
    representatives: list[tuple[int, str]] = []
    if deciders is not None and deciders.is_child and not deciders.needs_panel:
        ids = deciders.mother_ids | deciders.guardian_ids
        carers = policy.persons_visible_to(request.user).filter(pk__in=ids).prefetch_related("names").order_by("pk")
        representatives = [(c.pk, _name(c, script)) for c in carers]
    panel_choices = None
    if history.decisions is not None and decision in Decision.values:
        panel_choices = [
            (d.pk, f"№ {d.pk} · {d.decided_on:%Y-%m-%d} · {d.get_decision_display()}")
            for d in selectors.panel_decisions_usable(person, decision)
        ]
    form = ConsentRecordForm(
        request.POST or None,
        initial={"decision": decision, "language": get_language()},
        given_by=deciders.allowed_given_by if deciders else [],
        representatives=representatives,
        panel_decisions=panel_choices,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                person=person,
                decision=data["decision"],
                given_by=data["given_by"],
                representative=_representative(request, data.get("representative")),
                best_interests_decision=_panel_decision(request, data.get("best_interests_decision")),
                **_answer_fields(data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("consent-person", person_id=person.pk)
    return render(
        request,
        "consent/form.html",
        {"form": form, "person": person, "script": script, "title": _("Record an answer on return")},
    )


def _representative(request: HttpRequest, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    try:
        return policy.person_for_user(request.user, person_id)
    except policy.NotVisible:
        raise ValidationError({"representative": _("No person with this number is within your reach.")}) from None


def _panel_decision(request: HttpRequest, decision_id: int | None) -> Any:
    if decision_id is None:
        return None
    try:
        return selectors.decision_for_user(request.user, decision_id, audit=False)
    except policy.NotVisible:
        raise ValidationError({"best_interests_decision": _("No such decision within your reach.")}) from None


@login_required
@require_http_methods(["GET", "POST"])
def consent_family(request: HttpRequest, person_id: int) -> HttpResponse:
    """The mother answers for herself and her children in one act."""
    history = selectors.consent_history(request.user, person_id, audit=False)
    _require_recorder(history)
    mother, script = history.person, preferred_script(request)
    form = FamilyForm(
        request.POST or None,
        initial={"language": get_language()},
        children=[(c.pk, _name(c, script)) for c in history.children],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        children = {c.pk: c for c in history.children}
        try:
            services.consent_record_family(
                actor=request.user,
                mother=mother,
                children=[children[pk] for pk in data["children"]],
                decision=data["decision"],
                **_answer_fields(data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("consent-person", person_id=mother.pk)
    return render(
        request,
        "consent/form.html",
        {"form": form, "person": mother, "script": script, "title": _("Answer for the mother and her children")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_revisit(request: HttpRequest, person_id: int) -> HttpResponse:
    history = selectors.consent_history(request.user, person_id, audit=False)
    _require_recorder(history)
    form = RevisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_revisit(actor=request.user, person=history.person, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("consent-person", person_id=history.person.pk)
    return render(
        request,
        "consent/form.html",
        {
            "form": form,
            "person": history.person,
            "script": preferred_script(request),
            "title": _("Revisit the refusal"),
        },
    )


@login_required
@require_GET
def receipt(request: HttpRequest, consent_id: int) -> FileResponse:
    """The printable receipt, in the person's language, as an attachment (audited)."""
    record = selectors.record_for_user(request.user, consent_id)
    pdf = consent_receipt(actor=request.user, record=record)
    return FileResponse(BytesIO(pdf.content), as_attachment=True, filename=pdf.filename, content_type=pdf.content_type)


@login_required
@require_GET
def scan(request: HttpRequest, consent_id: int) -> FileResponse:
    """The signed scan, decrypted, only through the policy, as an attachment never cached (audited)."""
    record = selectors.record_for_user(request.user, consent_id)
    download = services.consent_scan_read(actor=request.user, record=record)
    return FileResponse(
        BytesIO(download.content), as_attachment=True, filename=download.filename, content_type=download.content_type
    )


@login_required
@require_http_methods(["GET", "POST"])
def scan_upload(request: HttpRequest, consent_id: int) -> HttpResponse:
    record = selectors.record_for_user(request.user, consent_id)
    if not policy.can(request.user, Action.CHANGE, DataClass.IDENTITY, record.person):
        raise refuse()
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_scan_attach(actor=request.user, record=record, upload=form.cleaned_data["scan"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("consent-person", person_id=record.person_id)
    person = Person.objects.prefetch_related("names").get(pk=record.person_id)
    return render(
        request,
        "consent/form.html",
        {
            "form": form,
            "person": person,
            "script": preferred_script(request),
            "title": _("Signed receipt of %(decision)s, %(date)s")
            % {"decision": record.get_decision_display(), "date": f"{record.recorded_on:%Y-%m-%d}"},
            "upload": True,
        },
    )


# --- the best-interests panel --------------------------------------------------------------------------------


def _require_panel(request: HttpRequest) -> None:
    if not policy.has_capability(request.user, Capability.DECIDE_BEST_INTERESTS):
        raise refuse(_("Your role does not sit on the best-interests panel."))


@login_required
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """Children within reach whom only the panel may decide for, with the panel's latest decision."""
    _require_panel(request)
    rows = selectors.children_needing_panel(request.user)
    return render(
        request,
        "consent/panel.html",
        {"rows": rows, "script": preferred_script(request), "RETURN": PanelDecision.RETURN},
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_decide(request: HttpRequest, person_id: int) -> HttpResponse:
    _require_panel(request)
    child = policy.person_for_user(request.user, person_id)
    if not policy.can(request.user, Action.CHANGE, DataClass.CHILD_PROTECTION, child):
        raise refuse()
    form = PanelDecisionForm(request.POST or None, initial={"members": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        try:
            services.best_interests_decide(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("consent-person", person_id=child.pk)
    child = Person.objects.prefetch_related("names").get(pk=child.pk)
    return render(
        request,
        "consent/form.html",
        {
            "form": form,
            "person": child,
            "script": preferred_script(request),
            "title": _("Best-interests decision of the panel"),
        },
    )


@login_required
@require_GET
def panel_decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_for_user(request.user, decision_id)
    names = PersonName.objects.filter(person=decision.child).order_by("id")
    return render(
        request,
        "consent/decision.html",
        {"decision": decision, "names": names, "members": decision.members.select_related("agency")},
    )
