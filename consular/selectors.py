"""Every read of self-returns. Given the user, returns only the requests and fields that user may see."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from access import policy
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from consular.models import DocumentRestoration, SelfReturnMember, SelfReturnRequest, SelfReturnStatus
from consular.services import missing_travel_documents
from core.errors import MAX_ID, refuse
from people.models import Person, PersonName

NAMES = Prefetch("names", queryset=PersonName.objects.order_by("id"))


def requests_visible_to(user: Any) -> QuerySet[SelfReturnRequest]:
    """Requests whose applicant's case the user reaches (access.policy decides which cases those are)."""
    return SelfReturnRequest.objects.filter(case__in=policy.cases_visible_to(user))


def request_for_user(user: Any, request_id: Any) -> SelfReturnRequest:
    """Fetch and authorise: the same 404 (NotVisible) for a missing request and one out of reach."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise policy.NotVisible("No such request") from None
    if not 0 < pk <= MAX_ID:
        raise policy.NotVisible("No such request")
    found = (
        requests_visible_to(user)
        .select_related("case", "applicant", "consulate", "arrival_place")
        .filter(pk=pk)
        .first()
    )
    if found is None or not policy.can(user, Action.VIEW, DataClass.IDENTITY, found.case):
        raise policy.NotVisible("No such request")
    return found


def require_consular_work(user: Any) -> None:
    """The list and the forms are for staff who register persons and reach cases."""
    if not (policy.has_capability(user, Capability.REGISTER_PERSON) and policy.reaches_cases(user)):
        raise refuse()


@dataclass
class RequestRow:
    request: SelfReturnRequest
    applicant_name: str
    travellers: int


def request_list(user: Any, script: str, status: str = "") -> list[RequestRow]:
    """The requests the user reaches, newest first (a fixed number of queries whatever their number)."""
    require_consular_work(user)
    rows = (
        requests_visible_to(user)
        .select_related("case", "consulate")
        .prefetch_related(Prefetch("applicant", queryset=Person.objects.prefetch_related(NAMES)))
        .annotate(member_count=Count("members"))
    )
    if status:
        rows = rows.filter(status=status)
    requests = list(rows[:500])
    classes = policy.classes_by_person(user, [r.applicant_id for r in requests])
    result = []
    for r in requests:
        name = r.applicant.name_for(script) if DataClass.IDENTITY in classes[r.applicant_id] else None
        result.append(RequestRow(request=r, applicant_name=name.full if name else "", travellers=1 + r.member_count))
    return result


@dataclass
class TravellerView:
    person: Person
    name: str
    relation: str
    case_number: str
    case_state: str
    restorations: list[DocumentRestoration] = field(default_factory=list)
    has_travel_document: bool = False


@dataclass
class RequestView:
    request: SelfReturnRequest
    applicant_name: str
    travellers: list[TravellerView]
    location: dict[str, Any] | None  # None: the user may not see where the family travels or arrived
    missing_travel_documents: int
    pending_restorations: list[DocumentRestoration]
    may_change: bool


def request_view(user: Any, request: SelfReturnRequest, script: str) -> RequestView:
    """The request with its travellers and the state of their documents; the viewing is audited.

    Travel and arrival (location class) are left out for a user who may not see the applicant's whereabouts.
    """
    members = list(
        SelfReturnMember.objects.filter(request=request)
        .select_related("case")
        .prefetch_related(Prefetch("person", queryset=Person.objects.prefetch_related(NAMES)))
    )
    applicant = Person.objects.prefetch_related(NAMES).get(pk=request.applicant_id)
    restorations = list(request.restorations.select_related("document").order_by("id"))
    persons = [applicant, *(m.person for m in members)]
    classes = policy.classes_by_person(user, [p.pk for p in persons])
    by_person: dict[int, list[DocumentRestoration]] = {}
    for restoration in restorations:
        by_person.setdefault(restoration.person_id, []).append(restoration)

    def traveller(person: Person, relation: str, case_number: str, case_state: str) -> TravellerView | None:
        if DataClass.IDENTITY not in classes[person.pk]:
            return None  # a family member whose case the user does not reach: not shown
        name = person.name_for(script)
        own = by_person.get(person.pk, [])
        return TravellerView(
            person=person,
            name=name.full if name else f"#{person.pk}",
            relation=relation if DataClass.FAMILY in classes[person.pk] else "",
            case_number=case_number,
            case_state=case_state,
            restorations=own,
            has_travel_document=any(r.is_issued and r.is_travel_document for r in own),
        )

    rows = [
        traveller(applicant, _("Applicant"), request.case.number, request.case.get_state_display()),
        *(traveller(m.person, m.get_relation_display(), m.case.number, m.case.get_state_display()) for m in members),
    ]
    visible_rows = [r for r in rows if r is not None]
    location = None
    if DataClass.LOCATION in classes[applicant.pk]:
        location = {
            "travel_on": request.travel_on,
            "travel_details": request.travel_details,
            "arrived_on": request.arrived_on,
            "arrival_place": request.arrival_place,
        }
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=request,
        person_id=request.applicant_id,
        changes={"classes": sorted(classes[applicant.pk])},
    )
    may_change = policy.has_capability(user, Capability.REGISTER_PERSON) and policy.can(
        user, Action.CHANGE, DataClass.IDENTITY, request.case
    )
    visible_ids = {r.person.pk for r in visible_rows}
    return RequestView(
        request=request,
        applicant_name=visible_rows[0].name if visible_rows else "",
        travellers=visible_rows,
        location=location,
        missing_travel_documents=len(missing_travel_documents(request)),
        pending_restorations=[r for r in restorations if not r.is_issued and r.person_id in visible_ids],
        may_change=may_change,
    )


def self_returned_case_ids() -> set[int]:
    """Cases that arrived through a consular request (applicants and members): for counts that keep the waves'
    evacuations apart from self-returns, whose `evacuated_on` is their arrival date. Ids only, no person."""
    arrived = SelfReturnRequest.objects.filter(status=SelfReturnStatus.ARRIVED)
    return set(arrived.values_list("case_id", flat=True)) | set(
        SelfReturnMember.objects.filter(request__in=arrived).values_list("case_id", flat=True)
    )
