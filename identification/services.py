"""Every write of identification records but imports (see identification.imports). Atomic, policy-checked, audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import Team, User
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import MASK, audit_record
from core.errors import refuse
from identification.models import (
    CitizenshipVerification,
    IdentificationList,
    ListEntry,
    Mission,
    MissionContact,
    ReturnRequest,
    VerificationKind,
)
from people import services as people_services
from people.models import EvidenceKind, Person, Place, PlaceKind, Relationship

MISSION_PLACE_KINDS = (PlaceKind.CAMP, PlaceKind.PRISON, PlaceKind.SETTLEMENT, PlaceKind.FACILITY)
# Each verification step is recorded as citizenship evidence of the matching kind in the person's record.
EVIDENCE_KIND = {
    VerificationKind.DOCUMENTS: EvidenceKind.DOCUMENT,
    VerificationKind.RELATIVES_STATEMENTS: EvidenceKind.RELATIVE_STATEMENT,
    VerificationKind.REGISTRY_CHECK: EvidenceKind.REGISTRY_RECORD,
    VerificationKind.INTERVIEW: EvidenceKind.CONSULAR_INTERVIEW,
}


def require_identification(actor: Any) -> None:
    if not policy.has_capability(actor, Capability.IMPORT_LISTS):
        raise refuse(_("Your role does not work on identification."))


def require_list(actor: Any, id_list: IdentificationList) -> None:
    """Only holders of the identification capability in the agency holding the list work on it."""
    require_identification(actor)
    if id_list.agency_id != actor.agency_id:
        raise refuse()


def _require_mission(actor: Any, mission: Mission) -> None:
    require_identification(actor)
    if mission.agency_id != actor.agency_id and not mission.members.filter(pk=actor.pk).exists():
        raise refuse()


def _not_future(value: date | None, field: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})


# --- lists --------------------------------------------------------------------------------------------------------


@transaction.atomic
def list_create(
    *,
    actor: Any,
    name: str,
    source_kind: str,
    received_on: date,
    source_description: str = "",
    default_confidence: str = "possible",
) -> IdentificationList:
    """Record a list received from a source. It is held by the actor's agency."""
    require_identification(actor)
    if actor.agency_id is None:
        raise ValidationError({"name": _("Only members of an agency may hold lists.")})
    _not_future(received_on, "received_on")
    id_list = IdentificationList(
        name=name,
        source_kind=source_kind,
        source_description=source_description,
        received_on=received_on,
        default_confidence=default_confidence,
        agency_id=actor.agency_id,
        created_by=actor,
    )
    id_list.full_clean(exclude=["agency", "created_by"])
    id_list.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=id_list,
        changes={"name": [None, name], "source_kind": [None, source_kind], "received_on": [None, str(received_on)]},
    )
    return id_list


def entry_create(
    actor: Any, id_list: IdentificationList, person: Person, confidence: str = "", note: str = "", document: str = ""
) -> ListEntry:
    """Put a visible person on a list (callers hold the transaction and checked the list)."""
    policy.require(actor, Action.CHANGE, DataClass.IDENTITY, person)
    entry = ListEntry(
        id_list=id_list,
        person=person,
        confidence=confidence or id_list.default_confidence,
        note=note[:500],
        document_number=document[:50],
        added_by=actor,
    )
    entry.full_clean(exclude=["id_list", "person", "added_by"], validate_constraints=False)
    entry.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        person_id=person.pk,
        changes={
            "list": [None, id_list.pk],
            "confidence": [None, entry.confidence],
            **({"document_number": [None, MASK]} if document else {}),
        },
    )
    return entry


@transaction.atomic
def list_entry_add(
    *, actor: Any, id_list: IdentificationList, person: Person, confidence: str = "", note: str = ""
) -> ListEntry:
    """Add one person to a list by hand. A person is on a list once."""
    require_list(actor, id_list)
    if ListEntry.objects.filter(id_list=id_list, person=person).exists():
        raise ValidationError({"person": _("This person is already on the list.")})
    return entry_create(actor, id_list, person, confidence, note)


# --- missions -----------------------------------------------------------------------------------------------------


MAX_MISSION_CHOICES = 100  # members and places of one mission


@transaction.atomic
def mission_create(
    *,
    actor: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    team: Team | None = None,
    members: list[User] | None = None,
    places: list[Place] | None = None,
    notes: str = "",
) -> Mission:
    """Record a mission to camps and prisons. Its team belongs to the actor's agency; places are camps, prisons..."""
    require_identification(actor)
    if actor.agency_id is None:
        raise ValidationError({"name": _("Only members of an agency may record missions.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A mission cannot end before it starts.")})
    if team is not None and team.agency_id != actor.agency_id:
        raise ValidationError({"team": _("Choose a team of your agency.")})
    places = list(places or [])
    members = list(members or [])
    for field, chosen in (("members", members), ("places", places)):
        if len(chosen) > MAX_MISSION_CHOICES:
            raise ValidationError({field: _("Choose at most %(limit)d.") % {"limit": MAX_MISSION_CHOICES}})
    if any(p.kind not in MISSION_PLACE_KINDS for p in places):
        raise ValidationError({"places": _("A mission visits camps, prisons, towns or facilities, not countries.")})
    mission = Mission(
        name=name, starts_on=starts_on, ends_on=ends_on, team=team, notes=notes, agency_id=actor.agency_id
    )
    mission.created_by = actor
    mission.full_clean(exclude=["agency", "team", "created_by"])
    mission.save()
    mission.members.set(members or [])
    mission.places.set(places)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=mission,
        changes={
            "name": [None, name],
            "starts_on": [None, str(starts_on)],
            "ends_on": [None, str(ends_on)],
            "members": [None, sorted(m.pk for m in members or [])],
            "places": [None, sorted(p.pk for p in places)],
        },
    )
    return mission


@transaction.atomic
def mission_contact_add(
    *, actor: Any, mission: Mission, person: Person, met_on: date, place: Place, notes: str = ""
) -> MissionContact:
    """Record that the mission met a person, at one of the places it visited, during the mission."""
    _require_mission(actor, mission)
    policy.require(actor, Action.CHANGE, DataClass.LOCATION, person)
    if met_on < mission.starts_on or met_on > mission.ends_on:
        raise ValidationError({"met_on": _("The date must fall within the mission's dates.")})
    if not mission.places.filter(pk=place.pk).exists():
        raise ValidationError({"place": _("Choose one of the places the mission visited.")})
    contact = MissionContact(mission=mission, person=person, met_on=met_on, place=place, notes=notes, recorded_by=actor)
    contact.full_clean(exclude=["mission", "person", "place", "recorded_by"])
    contact.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=contact,
        person_id=person.pk,
        changes={"mission": [None, mission.pk], "met_on": [None, str(met_on)], "place": [None, place.pk]},
    )
    return contact


# --- relatives' requests ------------------------------------------------------------------------------------------


def _link_between(a: Person, b: Person) -> Relationship | None:
    return (
        Relationship.objects.filter(subject=a, object=b).order_by("id").first()
        or Relationship.objects.filter(subject=b, object=a).order_by("id").first()
    )


@transaction.atomic
def return_request_record(
    *,
    actor: Any,
    requested_by: Person,
    person: Person,
    received_on: date,
    channel: str,
    note: str = "",
    relationship_kind: str = "",
) -> ReturnRequest:
    """Record a relative's request for the return of a family member.

    The two must be linked in the family record: an existing link is used; otherwise `relationship_kind`
    ("requested_by is the <kind> of person") records one through people.services.relationship_add.
    """
    require_identification(actor)
    policy.require(actor, Action.CHANGE, DataClass.FAMILY, person)
    policy.require(actor, Action.CHANGE, DataClass.FAMILY, requested_by)
    if requested_by.pk == person.pk:
        raise ValidationError({"requested_by": _("A person cannot request their own return here.")})
    _not_future(received_on, "received_on")
    link = _link_between(requested_by, person)
    if link is None:
        if not relationship_kind:
            raise ValidationError(
                {"relationship_kind": _("These two persons are not linked yet: say how they are related.")}
            )
        link = people_services.relationship_add(actor=actor, subject=requested_by, obj=person, kind=relationship_kind)
    request = ReturnRequest(
        requested_by=requested_by,
        person=person,
        relationship=link,
        received_on=received_on,
        channel=channel,
        note=note,
        recorded_by=actor,
    )
    request.full_clean(exclude=["requested_by", "person", "relationship", "recorded_by"])
    request.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        person_id=person.pk,
        changes={
            "requested_by": [None, requested_by.pk],
            "relationship": [None, link.pk],
            "received_on": [None, str(received_on)],
            "channel": [None, channel],
        },
    )
    return request


# --- citizenship ------------------------------------------------------------------------------------------------------


@transaction.atomic
def verification_record(
    *, actor: Any, person: Person, kind: str, evidence: str, outcome: str, checked_on: date
) -> CitizenshipVerification:
    """Record one verification step; its evidence goes into the person's citizenship evidence (people)."""
    policy.require(actor, Action.CHANGE, DataClass.IDENTITY, person)
    if kind not in VerificationKind.values:
        raise ValidationError({"kind": _("Choose a kind of check.")})
    _not_future(checked_on, "checked_on")
    if not evidence.strip():
        raise ValidationError({"evidence": _("Describe the evidence.")})
    record = people_services.citizenship_evidence_add(
        actor=actor, person=person, kind=EVIDENCE_KIND[VerificationKind(kind)], description=evidence
    )
    step = CitizenshipVerification(
        person=person, kind=kind, evidence=record, outcome=outcome, checked_on=checked_on, checked_by=actor
    )
    step.full_clean(exclude=["person", "evidence", "checked_by"])
    step.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=step,
        person_id=person.pk,
        changes={"kind": [None, kind], "outcome": [None, outcome], "checked_on": [None, str(checked_on)]},
    )
    return step
