"""Reads of identification records. Lists and missions belong to an agency; an import batch to its uploader;
persons on them are shown only when access.policy lets the user see them (the others are not even counted)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from access import policy
from access.policy import NotVisible
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import MAX_ID
from identification.models import (
    CitizenshipVerification,
    IdentificationList,
    ImportBatch,
    ImportRow,
    ListEntry,
    Mission,
    MissionContact,
    ReturnRequest,
)
from people.models import Person


def may_identify(user: Any) -> bool:
    return policy.has_capability(user, Capability.IMPORT_LISTS)


def _row_id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotVisible("No such record") from None
    if not 0 < number <= MAX_ID:
        raise NotVisible("No such record")
    return number


# --- lists, missions and batches the user reaches ---------------------------------------------------------------


def lists_visible_to(user: Any) -> QuerySet[IdentificationList]:
    """The lists held by the user's agency, for holders of the identification capability."""
    if not may_identify(user) or not user.agency_id:
        return IdentificationList.objects.none()
    return IdentificationList.objects.filter(agency_id=user.agency_id)


def list_for_user(user: Any, list_id: Any) -> IdentificationList:
    try:
        return lists_visible_to(user).get(pk=_row_id(list_id))
    except IdentificationList.DoesNotExist:
        raise NotVisible("No such list") from None


def missions_visible_to(user: Any) -> QuerySet[Mission]:
    """Missions of the user's agency and those the user went on."""
    if not may_identify(user):
        return Mission.objects.none()
    reach = Q(members=user)
    if user.agency_id:
        reach |= Q(agency_id=user.agency_id)
    return Mission.objects.filter(pk__in=Mission.objects.filter(reach).values("pk"))


def mission_for_user(user: Any, mission_id: Any) -> Mission:
    try:
        return missions_visible_to(user).select_related("team").get(pk=_row_id(mission_id))
    except Mission.DoesNotExist:
        raise NotVisible("No such mission") from None


def batches_visible_to(user: Any) -> QuerySet[ImportBatch]:
    """An import is a working draft of the user who uploaded it (it holds rows not yet checked against anyone)."""
    if not may_identify(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(uploaded_by=user)


def batch_for_user(user: Any, batch_id: Any) -> ImportBatch:
    try:
        return batches_visible_to(user).select_related("id_list").get(pk=_row_id(batch_id))
    except ImportBatch.DoesNotExist:
        raise NotVisible("No such import") from None


def return_requests_visible_to(user: Any) -> QuerySet[ReturnRequest]:
    """Requests about persons whose family data the user may see (checked per row by the callers' pages)."""
    return ReturnRequest.objects.filter(person__in=policy.persons_visible_to(user).values("pk"))


def return_request_for_user(user: Any, request_id: Any) -> ReturnRequest:
    try:
        found = return_requests_visible_to(user).select_related("relationship").get(pk=_row_id(request_id))
    except ReturnRequest.DoesNotExist:
        raise NotVisible("No such request") from None
    if not policy.can(user, Action.VIEW, DataClass.FAMILY, found.person):
        raise NotVisible("No such request")
    return found


# --- what a page shows ------------------------------------------------------------------------------------------


@dataclass
class Home:
    lists: list[IdentificationList]
    missions: list[Mission]
    imports: list[ImportBatch]


def identification_home(user: Any) -> Home:
    """Lists with the number of entries the user may see, missions, and the user's own imports."""
    visible = policy.persons_visible_to(user).values("pk")
    lists = list(lists_visible_to(user))
    counts = dict(
        ListEntry.objects.filter(id_list__in=[x.pk for x in lists], person__in=visible)
        .values("id_list_id")
        .annotate(n=Count("id"))
        .values_list("id_list_id", "n")
        .order_by()
    )
    for id_list in lists:
        id_list.visible_entries = counts.get(id_list.pk, 0)  # type: ignore[attr-defined]
    missions = list(missions_visible_to(user).select_related("team").prefetch_related("places"))
    imports = list(batches_visible_to(user).select_related("id_list")[:50])
    return Home(lists=lists, missions=missions, imports=imports)


def _names(queryset: QuerySet[Any], prefix: str) -> QuerySet[Any]:
    return queryset.select_related(f"{prefix}case").prefetch_related(f"{prefix}names")


def list_entries(user: Any, id_list: IdentificationList) -> list[ListEntry]:
    """Entries of a list whose person the user may see, names prefetched: a fixed number of queries."""
    visible = policy.persons_visible_to(user).values("pk")
    entries = ListEntry.objects.filter(id_list=id_list, person__in=visible).select_related("person", "person__case")
    return list(entries.prefetch_related("person__names").order_by("id"))


def mission_contacts(user: Any, mission: Mission) -> list[MissionContact]:
    """The persons the mission met whose whereabouts the user may see."""
    visible = policy.persons_visible_to(user).values("pk")
    contacts = list(
        MissionContact.objects.filter(mission=mission, person__in=visible)
        .select_related("person", "place")
        .prefetch_related("person__names")
    )
    allowed = policy.classes_by_person(user, {c.person_id for c in contacts})
    return [c for c in contacts if DataClass.LOCATION in allowed[c.person_id]]


@dataclass
class PersonIdentification:
    """What one user may see of one person's identification: sections of hidden classes are None."""

    person: Person
    classes: frozenset[DataClass]
    changeable: frozenset[DataClass]
    verifications: list[CitizenshipVerification] | None = None
    entries: list[ListEntry] | None = None
    contacts: list[MissionContact] | None = None
    requests: list[ReturnRequest] | None = None
    relatives: dict[int, Person] = field(default_factory=dict)

    @property
    def can_verify(self) -> bool:
        return DataClass.IDENTITY in self.changeable


def person_identification(user: Any, person_id: Any) -> PersonIdentification:
    """Fetch and authorise one person; gather the identification sections the user may see; record the view."""
    person = policy.person_for_user(user, person_id)
    classes = policy.visible_classes(user, person)
    view = PersonIdentification(
        person=person, classes=classes, changeable=policy.classes_for(user, person, Action.CHANGE)
    )
    if DataClass.IDENTITY in classes:
        view.verifications = list(
            CitizenshipVerification.objects.filter(person=person)
            .select_related("evidence", "checked_by")
            .order_by("checked_on", "id")
        )
        lists = lists_visible_to(user).values("pk")
        view.entries = list(ListEntry.objects.filter(person=person, id_list__in=lists).select_related("id_list"))
    if DataClass.LOCATION in classes:
        missions = missions_visible_to(user).values("pk")
        view.contacts = list(
            MissionContact.objects.filter(person=person, mission__in=missions).select_related("mission", "place")
        )
    if DataClass.FAMILY in classes:
        visible = policy.persons_visible_to(user)
        view.requests = list(
            ReturnRequest.objects.filter(person=person)
            .select_related("relationship")
            .prefetch_related(Prefetch("requested_by", queryset=Person.objects.prefetch_related("names")))
        )
        shown = set(visible.filter(pk__in=[r.requested_by_id for r in view.requests]).values_list("pk", flat=True))
        view.relatives = {r.requested_by_id: r.requested_by for r in view.requests if r.requested_by_id in shown}
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=person,
        person_id=person.pk,
        changes={"classes": sorted(classes), "page": "identification"},
    )
    return view


@dataclass
class Candidate:
    person: Person
    score: int


@dataclass
class RowView:
    row: ImportRow
    candidates: list[Candidate]


def batch_rows(user: Any, batch: ImportBatch, *, bad: bool = False) -> list[RowView]:
    """Rows of a batch (the bad ones only, or the good ones) with the candidates the user may still see."""
    rows = list(batch.rows.select_related("same_as").order_by("number"))
    rows = [r for r in rows if bool(r.errors) == bad]
    ids = {pid for r in rows for pid, _score in r.candidates}
    persons = {
        p.pk: p
        for p in policy.persons_visible_to(user).filter(pk__in=ids).select_related("case").prefetch_related("names")
    }
    return [
        RowView(row=r, candidates=[Candidate(persons[pid], score) for pid, score in r.candidates if pid in persons])
        for r in rows
    ]
