"""Every write of a self-return: the request, its travellers, document restoration, travel and arrival.

Each function is atomic, takes the acting user as `actor=`, asks `access.policy` and writes the audit log in the
same transaction. A refused step raises ValidationError (with field keys) or PermissionDenied and changes nothing.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import MASK, audit_batch, audit_record
from casework.models import Case
from casework.services import case_open, case_transition, relative_register_with_case, returnee_register
from casework.transitions import CaseState
from consular.models import (
    OPEN_STATUSES,
    TRAVEL_DOCUMENT_TYPES,
    DocumentRestoration,
    MemberRelation,
    SelfReturnMember,
    SelfReturnRequest,
    SelfReturnStatus,
)
from core.errors import Conflict, refuse
from people.models import CitizenshipStatus, DocumentStatus, DocumentType, Person, Place, PlaceKind, Presence
from people.services import EARLIEST_DATE, document_add, document_number_check, presence_record

# States from which a consular request can start a case on its way home; later ones are already on it.
STARTABLE_STATES = (CaseState.IDENTIFIED, CaseState.CONSENT_PENDING, CaseState.CONSENTED)


# --- shared checks ----------------------------------------------------------------------------------------------


def _require_caseworker(actor: Any, case: Case) -> None:
    """Consular work is registration work: the capability, and the right to change the case's identity data."""
    if not policy.has_capability(actor, Capability.REGISTER_PERSON) or not policy.can(
        actor, Action.CHANGE, DataClass.IDENTITY, case
    ):
        raise refuse(_("You may not work on this self-return."))


def _check_date(value: date | None, field: str, *, required: bool = True) -> None:
    if value is None:
        if required:
            raise ValidationError({field: _("Give the date.")})
        return
    if not EARLIEST_DATE <= value <= timezone.localdate():
        raise ValidationError({field: _("Give a date between 1900 and today.")})


def _locked(request: SelfReturnRequest, expected_version: int | None) -> SelfReturnRequest:
    """The request, locked for this transaction; refused if it changed since the user read it."""
    locked = SelfReturnRequest.objects.select_for_update().select_related("case", "applicant").get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict()
    return locked


def _bump(request: SelfReturnRequest, *fields: str) -> None:
    request.version += 1
    request.save(update_fields=[*fields, "version"])


def _require_open(request: SelfReturnRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            {
                "status": _("This request is %(status)s: it can no longer change.")
                % {"status": request.get_status_display()}
            }
        )


def travellers(request: SelfReturnRequest) -> list[tuple[Person, Case]]:
    """The applicant first, then each member, with their cases (two queries)."""
    result = [(request.applicant, request.case)]
    for member in request.members.select_related("person", "case").order_by("id"):
        result.append((member.person, member.case))
    return result


def _consent_from_request(actor: Any, case: Case, request_label: str) -> Case:
    """The request is the person's wish to return: the case goes on to 'consented', naming the request."""
    if case.state not in STARTABLE_STATES:
        raise ValidationError(
            {
                "person": _("This person's case is '%(state)s': a self-return starts only before evacuation.")
                % {"state": CaseState(case.state).label}
            }
        )
    reason = _("Asked to return at %(request)s") % {"request": request_label}
    if case.state == CaseState.IDENTIFIED:
        case = case_transition(actor=actor, case=case, transition="ask_consent", reason=reason)
    if case.state == CaseState.CONSENT_PENDING:
        case = case_transition(actor=actor, case=case, transition="consent", reason=reason)
    return case


def _label(consulate: Place, on: date) -> str:
    return _("the consular request at %(consulate)s on %(date)s") % {
        "consulate": consulate.name,
        "date": on.isoformat(),
    }


# --- the request --------------------------------------------------------------------------------------------------


@transaction.atomic
def self_return_register(
    *,
    actor: Any,
    consulate: Place,
    requested_on: date,
    situation: str = "",
    applicant: Person | None = None,
    names: list[dict[str, Any]] | None = None,
    **person_fields: Any,
) -> SelfReturnRequest:
    """Register a request at a consulate for an existing person (`applicant`, within the actor's reach) or a new
    one (`names` and person fields: registered with a case through casework.services.returnee_register).

    The request counts as the wish to return: the case moves on to 'consented' with a reason naming the request.
    One open request per applicant.
    """
    if not policy.has_capability(actor, Capability.REGISTER_PERSON):
        raise refuse(_("You may not register self-returns."))
    if consulate.kind != PlaceKind.CONSULATE:
        raise ValidationError({"consulate": _("Choose a consulate or embassy.")})
    _check_date(requested_on, "requested_on")
    situation = situation.strip()
    if len(situation) > 4000:
        raise ValidationError({"situation": _("Keep the description under 4000 characters.")})
    if (applicant is None) == (not names):
        raise ValidationError({"applicant": _("Choose a registered person or give the name of a new one.")})
    if applicant is None:
        case = returnee_register(actor=actor, names=names or [], **person_fields)
        applicant = case.person
    else:
        case = Case.objects.filter(person=applicant).first()  # type: ignore[assignment]
        if case is None:
            raise ValidationError({"applicant": _("This person has no case: register them with a case first.")})
    _require_caseworker(actor, case)
    if SelfReturnRequest.objects.filter(applicant=applicant, status__in=OPEN_STATUSES).exists():
        raise ValidationError({"applicant": _("This person already has an open self-return request.")})
    case = _consent_from_request(actor, case, _label(consulate, requested_on))
    request = SelfReturnRequest(
        applicant=applicant,
        case=case,
        consulate=consulate,
        requested_on=requested_on,
        situation=situation,
        created_by=actor,
    )
    request.full_clean(exclude=["applicant", "case", "consulate", "created_by"], validate_constraints=False)
    request.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        person_id=applicant.pk,
        changes={
            "consulate": [None, consulate.pk],
            "requested_on": [None, requested_on.isoformat()],
            "case": [None, case.pk],
            "status": [None, request.status],
        },
    )
    return request


@transaction.atomic
def self_return_member_add(
    *,
    actor: Any,
    request: SelfReturnRequest,
    relation: str,
    person: Person | None = None,
    names: list[dict[str, Any]] | None = None,
    born_in: Place | None = None,
    expected_version: int | None = None,
    **person_fields: Any,
) -> SelfReturnMember:
    """Add a child or other family member travelling with the applicant: a registered person within reach, or a
    new one. A new child is registered as the applicant's child (MOTHER/FATHER link) with their own case linked to
    the applicant's as parent case; born in a third country (`born_in`), that country is the actual place of
    birth and citizenship stays 'claimed' until verified. The member's case moves on to 'consented' too."""
    request = _locked(request, expected_version)
    _require_caseworker(actor, request.case)
    _require_open(request)
    if request.status == SelfReturnStatus.TRAVEL_ARRANGED:
        raise ValidationError({"status": _("Travel is arranged: nobody can join this request any more.")})
    if relation not in MemberRelation.values:
        raise ValidationError({"relation": _("Choose how this person is related to the applicant.")})
    if (person is None) == (not names):
        raise ValidationError({"person": _("Choose a registered person or give the name of a new one.")})
    if born_in is not None and born_in.kind != PlaceKind.COUNTRY:
        raise ValidationError({"born_in": _("Choose a country.")})
    if person is None:
        if relation != MemberRelation.CHILD:
            raise ValidationError({"relation": _("Register other relatives in the registry first, then add them.")})
        fields = {"citizenship_status": CitizenshipStatus.CLAIMED, **person_fields}
        if born_in is not None:
            fields["birth_place_actual"] = born_in
        person = relative_register_with_case(
            actor=actor, of_person=request.applicant, kind="child", names=names or [], **fields
        )
    if person.pk == request.applicant_id or request.members.filter(person=person).exists():
        raise ValidationError({"person": _("This person is already on the request.")})
    if SelfReturnMember.objects.filter(person=person, request__status__in=OPEN_STATUSES).exists():
        raise ValidationError({"person": _("This person already travels with another open request.")})
    case = Case.objects.filter(person=person).first()
    if case is None:
        case = case_open(
            actor=actor,
            person=person,
            parent_case=request.case if relation == MemberRelation.CHILD else None,
            responsible_agency=request.case.responsible_agency,
            team=request.case.team,
            caseworker=request.case.caseworker,
            supervisor=request.case.supervisor,
        )
    _require_caseworker(actor, case)
    case = _consent_from_request(actor, case, _label(request.consulate, request.requested_on))
    member = SelfReturnMember.objects.create(request=request, person=person, case=case, relation=relation)
    _bump(request)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        person_id=person.pk,
        changes={"request": [None, request.pk], "relation": [None, relation], "case": [None, case.pk]},
    )
    return member


# --- documents ------------------------------------------------------------------------------------------------------


@transaction.atomic
def restoration_request(
    *,
    actor: Any,
    request: SelfReturnRequest,
    person: Person,
    doc_type: str,
    requested_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> DocumentRestoration:
    """Ask for a document to be restored for one traveller (the applicant or a member of the request)."""
    request = _locked(request, expected_version)
    _require_caseworker(actor, request.case)
    _require_open(request)
    cases = {p.pk: c for p, c in travellers(request)}
    if person.pk not in cases:
        raise ValidationError({"person": _("Choose the applicant or a family member on this request.")})
    _require_caseworker(actor, cases[person.pk])
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose a kind of document.")})
    _check_date(requested_on, "requested_on")
    if requested_on < request.requested_on:
        raise ValidationError({"requested_on": _("Documents cannot be asked for before the request was made.")})
    if request.restorations.filter(person=person, doc_type=doc_type).exists():
        raise ValidationError({"doc_type": _("This document is already being restored for this person.")})
    restoration = DocumentRestoration(
        request=request, person=person, doc_type=doc_type, requested_on=requested_on, note=note.strip()
    )
    restoration.full_clean(exclude=["request", "person", "document"], validate_constraints=False)
    restoration.save()
    if request.status == SelfReturnStatus.REQUESTED:
        request.status = SelfReturnStatus.DOCUMENTS_IN_PROGRESS
    _bump(request, "status")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=restoration,
        person_id=person.pk,
        changes={"doc_type": [None, doc_type], "requested_on": [None, requested_on.isoformat()]},
    )
    return restoration


def restoration_issue(
    *,
    actor: Any,
    restoration: DocumentRestoration,
    issued_on: date,
    number: str = "",
    issuing_state: Place | None = None,
    expires_on: date | None = None,
    expected_version: int | None = None,
) -> DocumentRestoration:
    """Record that the restored document was issued: the document itself goes to the person's record through
    people.services.document_add (number encrypted, never in clear in the audit log).

    A number already held is refused before the transaction opens, so the review task a number held out of
    the actor's reach opens is kept (people.services.document_number_check)."""
    _require_caseworker(actor, restoration.request.case)
    if number.strip():
        document_number_check(
            actor=actor,
            person=restoration.person,
            doc_type=restoration.doc_type,
            issuing_state=issuing_state,
            number=number.strip(),
        )
    return _restoration_issue(
        actor=actor,
        restoration=restoration,
        issued_on=issued_on,
        number=number,
        issuing_state=issuing_state,
        expires_on=expires_on,
        expected_version=expected_version,
    )


@transaction.atomic
def _restoration_issue(
    *,
    actor: Any,
    restoration: DocumentRestoration,
    issued_on: date,
    number: str,
    issuing_state: Place | None,
    expires_on: date | None,
    expected_version: int | None,
) -> DocumentRestoration:
    request = _locked(restoration.request, expected_version)
    _require_caseworker(actor, request.case)
    _require_open(request)
    restoration = DocumentRestoration.objects.select_for_update().select_related("person").get(pk=restoration.pk)
    if restoration.is_issued:
        raise ValidationError({"restoration": _("This document has already been issued.")})
    _check_date(issued_on, "issued_on")
    if issued_on < restoration.requested_on:
        raise ValidationError({"issued_on": _("A document cannot be issued before it was asked for.")})
    document = document_add(
        actor=actor,
        person=restoration.person,
        doc_type=restoration.doc_type,
        number=number.strip(),
        issuing_state=issuing_state,
        issued_on=issued_on,
        expires_on=expires_on,
        status=DocumentStatus.VALID,
    )
    restoration.document = document
    restoration.issued_on = issued_on
    restoration.save(update_fields=["document", "issued_on"])
    _bump(request)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=restoration,
        person_id=restoration.person_id,
        changes={
            "issued_on": [None, issued_on.isoformat()],
            "document": [None, document.pk],
            "number": [None, MASK if number.strip() else ""],
        },
    )
    return restoration


def missing_travel_documents(request: SelfReturnRequest) -> list[Person]:
    """Travellers without an issued travel document on this request (three queries)."""
    covered = set(
        request.restorations.filter(document__isnull=False, doc_type__in=TRAVEL_DOCUMENT_TYPES).values_list(
            "person_id", flat=True
        )
    )
    return [person for person, _case in travellers(request) if person.pk not in covered]


# --- travel and arrival -------------------------------------------------------------------------------------------


@transaction.atomic
def travel_arrange(
    *,
    actor: Any,
    request: SelfReturnRequest,
    travel_on: date,
    travel_details: str = "",
    expected_version: int | None = None,
) -> SelfReturnRequest:
    """Arrange the journey home. Refused while any traveller (applicant or family member) lacks a restored
    travel document: nobody is left behind at the consulate for want of papers."""
    request = _locked(request, expected_version)
    _require_caseworker(actor, request.case)
    if request.status not in (SelfReturnStatus.REQUESTED, SelfReturnStatus.DOCUMENTS_IN_PROGRESS):
        raise ValidationError({"status": _("Travel can be arranged only for a request still at the consulate.")})
    if travel_on is None or travel_on < request.requested_on:
        raise ValidationError({"travel_on": _("Give a travel date on or after the day of the request.")})
    travel_details = travel_details.strip()
    if len(travel_details) > 300:
        raise ValidationError({"travel_details": _("Keep the route under 300 characters.")})
    missing = missing_travel_documents(request)
    if missing:
        raise ValidationError(
            {
                "travel_on": _(
                    "Travel needs a restored travel document for everyone: %(count)s traveller(s) still lack one."
                )
                % {"count": len(missing)}
            }
        )
    before = [request.status, request.travel_on.isoformat() if request.travel_on else None]
    request.status = SelfReturnStatus.TRAVEL_ARRANGED
    request.travel_on = travel_on
    request.travel_details = travel_details
    _bump(request, "status", "travel_on", "travel_details")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=request,
        person_id=request.applicant_id,
        changes={
            "status": [before[0], request.status],
            "travel_on": [before[1], travel_on.isoformat()],
            "travel_details": [None, travel_details],
        },
    )
    return request


@transaction.atomic
def arrival_record(
    *,
    actor: Any,
    request: SelfReturnRequest,
    arrived_on: date,
    arrival_place: Place | None,
    expected_version: int | None = None,
) -> SelfReturnRequest:
    """Record the family's arrival, all or nothing: every traveller's case must still be 'consented' and within
    the actor's reach, else nothing changes. Each case is then marked evacuated with the arrival date (the
    `evacuated_on` of a self-return) and received, and each traveller's whereabouts move to the arrival place from
    the arrival date (people.services.presence_record: the open stay ends that day)."""
    request = _locked(request, expected_version)
    _require_caseworker(actor, request.case)
    if request.status != SelfReturnStatus.TRAVEL_ARRANGED:
        raise ValidationError({"status": _("Arrange the travel before recording the arrival.")})
    if arrival_place is None:
        raise ValidationError({"arrival_place": _("Choose the place where the family arrived.")})
    _check_date(arrived_on, "arrived_on")
    if request.travel_on and arrived_on < request.travel_on:
        raise ValidationError({"arrived_on": _("The family cannot arrive before they travelled.")})
    family = travellers(request)
    if Presence.objects.filter(
        person__in=[person for person, _case in family], until__isnull=True, since__gt=arrived_on
    ).exists():
        raise ValidationError(
            {"arrived_on": _("A traveller's current whereabouts start after this date: check the arrival date.")}
        )
    for person, case in family:  # check everyone first: a refusal leaves every case as it was
        fresh = Case.objects.select_for_update().get(pk=case.pk)
        _require_caseworker(actor, fresh)
        if not policy.can(actor, Action.CHANGE, DataClass.LOCATION, person):
            raise refuse(_("You may not record the whereabouts of this family."))
        if fresh.state != CaseState.CONSENTED:
            raise ValidationError(
                {
                    "arrived_on": _(
                        "Case %(number)s is '%(state)s', no longer 'consented': settle it before recording the arrival."
                    )
                    % {"number": fresh.number, "state": CaseState(fresh.state).label}
                }
            )
    reason = _("Arrived home from %(request)s") % {"request": _label(request.consulate, request.requested_on)}
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        for _person, case in family:
            case = case_transition(actor=actor, case=case, transition="evacuate", reason=reason, on=arrived_on)
            case_transition(actor=actor, case=case, transition="receive", reason=reason)
        for person, _case in family:
            presence_record(
                actor=actor, person=person, place=arrival_place, since=arrived_on, source=_("Arrival record")
            )
        request.status = SelfReturnStatus.ARRIVED
        request.arrived_on = arrived_on
        request.arrival_place = arrival_place
        _bump(request, "status", "arrived_on", "arrival_place")
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=request,
            person_id=request.applicant_id,
            changes={
                "status": [SelfReturnStatus.TRAVEL_ARRANGED, SelfReturnStatus.ARRIVED],
                "arrived_on": [None, arrived_on.isoformat()],
                "arrival_place": [None, arrival_place.pk],
                "travellers": [None, len(family)],
            },
        )
        return request


@transaction.atomic
def self_return_withdraw(
    *, actor: Any, request: SelfReturnRequest, reason: str, expected_version: int | None = None
) -> SelfReturnRequest:
    """Withdraw a request before arrival (the person changed their mind, or left the consulate): each case that
    had consented on the strength of the request goes back to 'consent pending', with the reason."""
    request = _locked(request, expected_version)
    _require_caseworker(actor, request.case)
    _require_open(request)
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise ValidationError({"reason": _("Say in up to 500 characters why the request is withdrawn.")})
    for _person, case in travellers(request):
        if case.state == CaseState.CONSENTED:
            case_transition(actor=actor, case=case, transition="withdraw", reason=reason)
    before = request.status
    request.status = SelfReturnStatus.WITHDRAWN
    request.withdrawn_reason = reason
    _bump(request, "status", "withdrawn_reason")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=request,
        person_id=request.applicant_id,
        changes={"status": [before, request.status]},
        reason=reason,
    )
    return request
