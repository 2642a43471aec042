"""Every read of personal data in the registry. Given the user, returns only the rows and fields they may see."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Case as Choose
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from access import policy
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import AuditItem, audit_record, audit_record_many
from casework.approvals import may_decide
from casework.models import ApprovalRequest, Case, CaseEvent, CaseNote
from casework.selectors import Staffing, case_staffing, case_timeline, readable_notes
from casework.services import transitions_allowed
from casework.transitions import Transition
from people.categories import Categories, categories_for
from people.dates import years_before
from people.models import (
    PARENT_KINDS,
    CitizenshipEvidence,
    DocumentNumberReview,
    Household,
    HouseholdMember,
    IdentityDocument,
    NameToken,
    Person,
    PersonName,
    Presence,
    Relationship,
    RelationshipKind,
    VitalStatus,
)
from people.transliteration import fold_tokens, prefix_upper_bound

PAGE_SIZE = 25


class Category:
    MAN = "man"
    WOMAN = "woman"
    CHILD = "child"
    ORPHAN = "orphan"


# Up to this many name matches are fetched as ids first, so the database starts from the matches and looks up
# each one's case by index; beyond it (a one-letter prefix) the match stays a sub-query.
CANDIDATE_LIMIT = 20_000
# A search counts its results up to this many; past it the page says "more than" and asks for a narrower search.
COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: beyond that an exact number helps nobody and costs a full pass."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a queryset here: counting a slice makes the database stop early
        return int(rows[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def _token_filter(query: str) -> Q:
    """Persons having, for every word typed, a name word that starts with it (after folding)."""
    q = Q()
    for word in fold_tokens(query)[:6]:
        bound = prefix_upper_bound(word)
        tokens = NameToken.objects.filter(token__gte=word)
        if bound is not None:
            tokens = tokens.filter(token__lt=bound)
        matches = tokens.values_list("person_id", flat=True).distinct().order_by()
        candidates = list(matches[: CANDIDATE_LIMIT + 1])
        q &= Q(id__in=matches) if len(candidates) > CANDIDATE_LIMIT else Q(id__in=candidates)
    return q


def _child_q(today: date) -> Q:
    """Children by the same rule as people.categories: younger than the limit at evacuation, else today.

    One clause per distinct evacuation date (a handful of waves and self-returns), so it stays an index-friendly
    comparison on birth_date_best rather than date arithmetic that differs between databases.
    """
    limit = settings.ZHUSAN_CHILD_AGE_LIMIT
    q = Q(case__evacuated_on__isnull=True, birth_date_best__gt=years_before(today, limit))
    dates = Case.objects.filter(evacuated_on__isnull=False).values_list("evacuated_on", flat=True).distinct()
    for evacuated_on in dates.order_by():
        if evacuated_on is None:  # excluded by the filter; this tells the type checker
            continue
        q |= Q(case__evacuated_on=evacuated_on, birth_date_best__gt=years_before(evacuated_on, limit))
    return q


def _category_filter(category: str, today: date) -> Q:
    is_child = _child_q(today)
    if category == Category.CHILD:
        return is_child
    if category in (Category.MAN, Category.WOMAN):
        sex = "M" if category == Category.MAN else "F"
        return Q(birth_date_best__isnull=False, sex=sex) & ~is_child
    if category == Category.ORPHAN:
        living_parent = Relationship.objects.filter(object=OuterRef("pk"), kind__in=PARENT_KINDS).exclude(
            subject__vital_status__in=[VitalStatus.DEAD, VitalStatus.MISSING]
        )
        return is_child & Q(~Exists(living_parent))
    return Q()


def _matching_persons(user: Any, *, query: str, category: str, state: str, place_id: int | None) -> QuerySet[Person]:
    persons: QuerySet[Person] = policy.persons_visible_to(user)
    if query.strip():
        persons = persons.filter(_token_filter(query))
    if category:
        condition = _category_filter(category, timezone.localdate())
        if category == Category.ORPHAN:  # told by the family links: a filter of the family class
            refusal = _("Your role may not see family links: search without the orphan category.")
            condition &= _within_class(user, DataClass.FAMILY, "category", refusal)
        persons = persons.filter(condition)
    if state:
        persons = persons.filter(case__state=state)
    if place_id:
        here = Presence.objects.filter(place_id=place_id, until__isnull=True).values("person_id")
        refusal = _("Your role may not see whereabouts: search without a place.")
        persons = persons.filter(_within_class(user, DataClass.LOCATION, "place", refusal) & Q(id__in=here))
    return persons.order_by("-id")


def _within_class(user: Any, data_class: DataClass, field_name: str, refusal: str) -> Q:
    """The condition a filter on a data class must go with: refused (ValidationError on the field) to a user whose
    roles grant the class nowhere, else limited to the persons whose class the user may see, so the filter can
    never tell something about a person the user may not know (who is in Kentau, who is an orphan)."""
    if not policy.holds_class(user, data_class):
        raise ValidationError({field_name: refusal})
    return policy.persons_holding_class_q(user, data_class)


def person_search(
    user: Any,
    *,
    query: str = "",
    category: str = "",
    state: str = "",
    place_id: int | None = None,
    page_number: Any = 1,
) -> Page:
    """One page of the persons this user may see that match the query and filters, names prefetched."""
    persons = _matching_persons(user, query=query, category=category, state=state, place_id=place_id)
    persons = persons.select_related("case").prefetch_related("names")
    page = CappedPaginator(persons, PAGE_SIZE).get_page(page_number)
    if query.strip():
        audit_record(
            actor=user, action=AuditAction.SEARCH, changes={"query": query[:100], "results": page.paginator.count}
        )
    return page


EXPORT_LIMIT = 10_000
EXPORT_COLUMNS = (
    "number",
    "names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "citizenship_status",
    "vital_status",
    "case_number",
    "case_state",
)


def person_export(
    user: Any, *, query: str = "", category: str = "", state: str = "", place_id: int | None = None
) -> list[dict[str, str]]:
    """Rows for a spreadsheet of the matching persons whose identity data the user may export. Audited.

    Persons the user may see but not export are left out, not blanked.
    """
    persons = list(
        _matching_persons(user, query=query, category=category, state=state, place_id=place_id)
        .select_related("case")
        .prefetch_related("names")[:EXPORT_LIMIT]
    )
    allowed = policy.classes_by_person(user, [p.pk for p in persons], Action.EXPORT)
    rows = []
    for person in persons:
        if DataClass.IDENTITY not in allowed[person.pk]:
            continue
        case = getattr(person, "case", None)
        rows.append(
            {
                "number": str(person.pk),
                "names": "; ".join(n.full for n in person.names.all()),
                "sex": person.sex,
                "birth_date": person.birth_date.isoformat() if person.birth_date else "",
                "birth_date_precision": person.birth_date_precision,
                "citizenship_status": person.citizenship_status,
                "vital_status": person.vital_status,
                "case_number": case.number if case else "",
                "case_state": case.state if case else "",
            }
        )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        changes={
            "query": query[:100],
            "category": category,
            "state": state,
            "rows": len(rows),
            "persons": [int(r["number"]) for r in rows][:1000],
        },
    )
    return rows


# --- one person -----------------------------------------------------------------------------------------------


@dataclass
class FamilyNode:
    person_id: int
    name: str
    sex: str
    generation: int  # -2 grandparents, -1 parents and guardians, 0 the person, spouses, siblings, +1 children
    relation: str
    basis: str
    visible: bool
    vital_status: str = VitalStatus.ALIVE


@dataclass
class HouseholdView:
    household: Household
    members: list[tuple[int, str, bool]]  # person id, name (empty when out of the user's reach), is head


@dataclass
class PersonView:
    """What one user may see of one person: sections of classes they may not see are absent (None)."""

    person: Person
    classes: frozenset[DataClass]
    changeable: frozenset[DataClass] = frozenset()
    names: list[PersonName] | None = None
    contact: dict[str, str] | None = None
    documents: list[IdentityDocument] | None = None
    evidence: list[CitizenshipEvidence] | None = None
    presences: list[Presence] | None = None
    family: list[FamilyNode] | None = None
    relationships: list[Relationship] | None = None
    households: list[HouseholdView] | None = None
    categories: Categories | None = None
    categories_on: date | None = None  # the reference date of `categories`: evacuation, else today
    case: Case | None = None
    transitions: list[Transition] = field(default_factory=list)
    timeline: list[CaseEvent] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)
    staffing: Staffing | None = None
    may_export_subject: bool = False
    approvals: list[tuple[ApprovalRequest, bool]] = field(default_factory=list)  # pending, and may I decide

    def sees(self, data_class: str) -> bool:
        return data_class in self.classes

    @property
    def note_classes(self) -> list[tuple[str, str]]:
        """Kinds of note this user may write on the case."""
        return [(c.value, str(c.label)) for c in DataClass if c in self.changeable]

    @property
    def can_change_identity(self) -> bool:
        return DataClass.IDENTITY in self.changeable

    @property
    def can_change_family(self) -> bool:
        return DataClass.FAMILY in self.changeable

    @property
    def can_change_location(self) -> bool:
        return DataClass.LOCATION in self.changeable

    @property
    def can_change_details(self) -> bool:
        return bool(self.changeable & {DataClass.IDENTITY, DataClass.CONTACT})


_GENERATION_OF_SUBJECT = {  # the related person is the subject: "X is the <kind> of this person"
    RelationshipKind.MOTHER: -1,
    RelationshipKind.FATHER: -1,
    RelationshipKind.LEGAL_GUARDIAN: -1,
    RelationshipKind.GRANDPARENT: -2,
}
_GENERATION_OF_OBJECT = {  # this person is the subject: "this person is the <kind> of X"
    RelationshipKind.MOTHER: 1,
    RelationshipKind.FATHER: 1,
    RelationshipKind.LEGAL_GUARDIAN: 1,
    RelationshipKind.GRANDPARENT: 2,
}


def _family(user: Any, person: Person, script: str) -> tuple[list[FamilyNode], list[Relationship]]:
    """The person's direct relatives, each named only if the user may see that relative."""
    relationships = list(
        Relationship.objects.filter(Q(subject=person) | Q(object=person))
        .select_related("subject", "object")
        .prefetch_related(Prefetch("subject__names"), Prefetch("object__names"))
    )
    relative_ids = {r.subject_id if r.object_id == person.pk else r.object_id for r in relationships}
    visible_ids = set(policy.persons_visible_to(user).filter(id__in=relative_ids).values_list("id", flat=True))
    nodes: list[FamilyNode] = []
    for rel in relationships:
        if rel.object_id == person.pk:
            other, generation = rel.subject, _GENERATION_OF_SUBJECT.get(RelationshipKind(rel.kind), 0)
            relation = rel.get_kind_display()
        else:
            other, generation = rel.object, _GENERATION_OF_OBJECT.get(RelationshipKind(rel.kind), 0)
            relation = _inverse_label(rel.kind, other.sex)
        visible = other.pk in visible_ids
        name = other.name_for(script)
        nodes.append(
            FamilyNode(
                person_id=other.pk,
                name=(name.full if (visible and name) else ""),
                sex=other.sex if visible else "U",
                generation=generation,
                relation=str(relation),
                basis=rel.get_basis_display(),
                visible=visible,
                vital_status=other.vital_status if visible else VitalStatus.UNKNOWN,
            )
        )
    nodes.sort(key=lambda n: (n.generation, n.person_id))
    return nodes, relationships


def _households(user: Any, person: Person, script: str) -> list[HouseholdView]:
    """The person's households with their members, each named only if the user may see that member."""
    households = list(
        Household.objects.filter(members=person).prefetch_related(
            Prefetch("householdmember_set", queryset=HouseholdMember.objects.select_related("person")),
            "householdmember_set__person__names",
        )
    )
    member_ids = {m.person_id for h in households for m in h.householdmember_set.all()}
    visible = set(policy.persons_visible_to(user).filter(id__in=member_ids).values_list("id", flat=True))
    views = []
    for household in households:
        members = []
        for membership in household.householdmember_set.all():
            name = membership.person.name_for(script) if membership.person_id in visible else None
            members.append((membership.person_id, name.full if name else "", membership.is_head))
        views.append(HouseholdView(household=household, members=members))
    return views


def _inverse_label(kind: str, sex: str) -> str:
    if kind in PARENT_KINDS:
        return _("Daughter") if sex == "F" else _("Son") if sex == "M" else _("Child")
    if kind == RelationshipKind.GRANDPARENT:
        return _("Grandchild")
    if kind == RelationshipKind.LEGAL_GUARDIAN:
        return _("Ward")
    return str(RelationshipKind(kind).label)


def person_view(user: Any, person_id: Any) -> PersonView:
    """Fetch and authorise one person, gather the sections the user may see, and record the view."""
    person = policy.person_for_user(user, person_id)
    classes = policy.visible_classes(user, person)
    view = PersonView(
        may_export_subject=policy.has_capability(user, Capability.EXPORT_SUBJECT_DATA),
        person=person,
        classes=classes,
        changeable=policy.classes_for(user, person, Action.CHANGE),
    )
    script = getattr(user, "preferred_script", "latn")
    if DataClass.IDENTITY in classes:
        view.names = list(person.names.all())
        view.documents = list(person.documents.select_related("issuing_state"))
        view.evidence = list(person.citizenship_evidence.all())
    if DataClass.CONTACT in classes:
        view.contact = {"phone": person.phone, "address": person.address}
    if DataClass.LOCATION in classes:
        view.presences = list(person.presences.select_related("place"))
    if DataClass.FAMILY in classes:
        view.family, view.relationships = _family(user, person, script)
        view.households = _households(user, person, script)
    case = (
        Case.objects.filter(person=person)
        .select_related("responsible_agency", "team", "caseworker", "supervisor", "parent_case")
        .first()
    )
    if case is not None:
        case_classes = policy.visible_classes(user, case)
        if DataClass.IDENTITY in case_classes:
            view.case = case
            view.transitions = transitions_allowed(user, case)
            view.timeline = list(case_timeline(case, case_classes))
            view.notes = list(readable_notes(user, case, case_classes).select_related("author"))
            view.approvals = [
                (r, may_decide(user, r))
                for r in case.approval_requests.filter(decided_at__isnull=True).select_related("requested_by")
            ]
            view.staffing = case_staffing(user, case)
    if DataClass.IDENTITY in classes:
        view.categories_on = case.evacuated_on if case and case.evacuated_on else timezone.localdate()
        view.categories = categories_for([person], on=view.categories_on)[person.pk]
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=person,
        person_id=person.pk,
        changes={"classes": sorted(classes)},
    )
    return view


# --- document numbers sent for review (decision 0038) -----------------------------------------------------------


class ReviewState:
    OPEN = "open"
    SETTLED = "settled"


def document_number_reviews_for(user: Any, *, state: str = "") -> QuerySet[DocumentNumberReview]:
    """The reviews this user settles (`policy.may_review_document_numbers`; nothing for anybody else), open ones
    first, each group oldest first; `state` keeps only the open or only the settled ones."""
    if not policy.may_review_document_numbers(user):
        return DocumentNumberReview.objects.none()
    reviews = DocumentNumberReview.objects.select_related("issuing_state", "requested_by__agency")
    if state == ReviewState.OPEN:
        reviews = reviews.filter(resolved_at__isnull=True)
    elif state == ReviewState.SETTLED:
        reviews = reviews.filter(resolved_at__isnull=False)
    settled_last = Choose(When(resolved_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return reviews.order_by(settled_last, "created_at", "id")


def open_document_number_reviews(user: Any) -> int | None:
    """How many reviews wait for this user, or None when the user settles none (one query for those who do)."""
    if not policy.may_review_document_numbers(user):
        return None
    return document_number_reviews_for(user, state=ReviewState.OPEN).count()


@dataclass(frozen=True)
class ReviewedPerson:
    """One of the two persons of a review, as far as the user may know them: out of reach, neither id nor name."""

    person_id: int | None
    name: str

    @property
    def within_reach(self) -> bool:
        return self.person_id is not None

    @property
    def name_or_none(self) -> str | None:
        return self.name if self.within_reach else None


OUT_OF_REACH = ReviewedPerson(person_id=None, name="")


@dataclass(frozen=True)
class ReviewRow:
    review: DocumentNumberReview
    held_by: ReviewedPerson
    requested_for: ReviewedPerson


def document_number_review_rows(user: Any, reviews: Any) -> list[ReviewRow]:
    """The reviews of one page with each person named only where the policy lets the user see their identity,
    so the worklist is no way around the policy. Showing the numbers is audited, one entry per review, in one
    append. A fixed number of queries whatever the number of rows."""
    reviews = list(reviews)
    person_ids = {pid for r in reviews for pid in (r.held_by_id, r.requested_for_id)}
    classes = policy.classes_by_person(user, person_ids)
    visible = [pid for pid in person_ids if DataClass.IDENTITY in classes[pid]]
    persons = Person.objects.prefetch_related("names").in_bulk(visible)
    script = getattr(user, "preferred_script", "latn")

    def reviewed(person_id: int) -> ReviewedPerson:
        person = persons.get(person_id)
        if person is None:
            return OUT_OF_REACH
        return ReviewedPerson(person_id=person.pk, name=person.display_name(script))

    rows = [ReviewRow(r, held_by=reviewed(r.held_by_id), requested_for=reviewed(r.requested_for_id)) for r in reviews]
    audit_record_many(
        actor=user,
        items=[
            AuditItem(
                action=AuditAction.VIEW,
                obj=r,
                person_id=r.requested_for_id,
                changes={"number": ["viewed", "viewed"]},
            )
            for r in reviews
        ],
    )
    return rows


def document_number_review_page(user: Any, *, state: str = "", page_number: Any = 1) -> tuple[Page, list[ReviewRow]]:
    """One page of the worklist (PAGE_SIZE reviews) and its rows."""
    page = Paginator(document_number_reviews_for(user, state=state), PAGE_SIZE).get_page(page_number)
    return page, document_number_review_rows(user, page.object_list)
