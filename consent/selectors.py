"""Every read of consent data, given the user: only the persons, records and decisions the policy lets them see."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from access import policy
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case
from casework.transitions import CaseState
from consent import rules
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement, Decision
from core.errors import MAX_ID
from people.dates import years_before
from people.models import Person, PersonName, Relationship, RelationshipKind

PENDING_STATES = (CaseState.IDENTIFIED, CaseState.CONSENT_PENDING)


def _row_id(value: Any) -> int:
    number = int(value) if str(value).isdigit() else 0
    if not 0 < number <= MAX_ID:
        raise policy.NotVisible("No such record")
    return number


def active_statements() -> list[ConsentStatement]:
    return list(ConsentStatement.objects.filter(active=True).order_by("language", "-version"))


def _records_of(person_ids: list[int]) -> list[ConsentRecord]:
    names = Prefetch("representative__names", queryset=PersonName.objects.order_by("id"))
    return list(
        ConsentRecord.objects.filter(person_id__in=person_ids)
        .select_related("statement", "place", "recorded_by", "representative", "best_interests_decision")
        .prefetch_related(names)
        .order_by("-recorded_on", "-id")
    )


@dataclass
class ConsentHistory:
    """What the consent page of one person shows: sections the user may not see are None."""

    person: Person
    case: Case | None
    records: list[ConsentRecord]
    may_record: bool
    deciders: rules.Deciders | None
    decisions: list[BestInterestsDecision] | None  # None: the user may not see child-protection data
    children: list[Person] = field(default_factory=list)  # the mother's children with a case, for the family act
    may_decide: bool = False


def consent_history(user: Any, person_id: Any, *, audit: bool = True) -> ConsentHistory:
    """The person's consent records (newest first), the panel's decisions if the user may see them, and what the
    user may record. A fixed number of queries whatever the number of records; the reading is audited (forms that
    only show the person's name pass `audit=False`)."""
    person = policy.person_for_user(user, person_id)
    if not policy.can(user, Action.VIEW, DataClass.IDENTITY, person):
        raise policy.NotVisible("No such person")
    person = Person.objects.prefetch_related("names").get(pk=person.pk)
    case = Case.objects.filter(person=person).first()
    classes = policy.classes_for(user, person, Action.CHANGE)
    visible = policy.visible_classes(user, person)
    records = _records_of([person.pk])
    decisions = None
    if DataClass.CHILD_PROTECTION in visible:
        decisions = list(
            BestInterestsDecision.objects.filter(child=person)
            .select_related("recorded_by")
            .prefetch_related("members")
            .order_by("-decided_on", "-id")
        )
    else:
        for record in records:
            record.best_interests_decision = None  # hidden class: absent from the page
    seen = {"consent_records": ["viewed", "viewed"]}
    if decisions:
        seen["best_interests_decisions"] = ["viewed", "viewed"]
    if audit:
        audit_record(actor=user, action=AuditAction.VIEW, obj=person, person_id=person.pk, changes=seen)
    on = timezone.localdate()
    deciders = rules.deciders_for_many([person], on)[person.pk]
    may_record = (
        case is not None and DataClass.IDENTITY in classes and policy.has_capability(user, Capability.TRANSITION_CASE)
    )
    children = []
    if may_record and deciders is not None and not deciders.is_child:
        children = _children_for_family(user, person, on)
    return ConsentHistory(
        person=person,
        case=case,
        records=records,
        may_record=may_record,
        deciders=deciders,
        decisions=decisions,
        children=children,
        may_decide=DataClass.CHILD_PROTECTION in classes
        and policy.has_capability(user, Capability.DECIDE_BEST_INTERESTS),
    )


def _children_for_family(user: Any, mother: Person, on: date) -> list[Person]:
    """The mother's children with a case still waiting for an answer, whom the user may change."""
    child_ids = Relationship.objects.filter(subject=mother, kind=RelationshipKind.MOTHER).values_list(
        "object_id", flat=True
    )
    children = list(
        policy.persons_visible_to(user)
        .filter(pk__in=child_ids, case__state__in=PENDING_STATES)
        .prefetch_related("names")
        .order_by("pk")
    )
    changeable = policy.classes_by_person(user, [c.pk for c in children], Action.CHANGE)
    deciders = rules.deciders_for_many(children, on)
    return [
        c
        for c in children
        if DataClass.IDENTITY in changeable[c.pk] and (d := deciders[c.pk]) is not None and mother.pk in d.mother_ids
    ]


def record_for_user(user: Any, record_id: Any) -> ConsentRecord:
    """Fetch and authorise one consent record: the same 404 when it is missing, when its person is out of reach
    and when the user may not see that person's identity data."""
    try:
        record = ConsentRecord.objects.select_related(
            "person", "case", "statement", "place", "recorded_by", "representative"
        ).get(pk=_row_id(record_id))
    except ConsentRecord.DoesNotExist:
        raise policy.NotVisible("No such record") from None
    person = policy.person_for_user(user, record.person_id)
    if not policy.can(user, Action.VIEW, DataClass.IDENTITY, person):
        raise policy.NotVisible("No such record")
    if not policy.can(user, Action.VIEW, DataClass.CHILD_PROTECTION, person):
        record.best_interests_decision_id = None
    return record


def decision_for_user(user: Any, decision_id: Any, *, audit: bool = True) -> BestInterestsDecision:
    """Fetch and authorise one panel decision (child-protection data); the reading is audited."""
    try:
        panel = BestInterestsDecision.objects.select_related("child", "case", "recorded_by").get(
            pk=_row_id(decision_id)
        )
    except BestInterestsDecision.DoesNotExist:
        raise policy.NotVisible("No such decision") from None
    child = policy.person_for_user(user, panel.child_id)
    if not policy.can(user, Action.VIEW, DataClass.CHILD_PROTECTION, child):
        raise policy.NotVisible("No such decision")
    if audit:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            obj=panel,
            person_id=child.pk,
            changes={"decision": ["viewed", "viewed"]},
        )
    return panel


@dataclass
class PanelRow:
    child: Person
    case: Case
    deciders: rules.Deciders
    latest: BestInterestsDecision | None


def children_needing_panel(user: Any) -> list[PanelRow]:
    """Children within the user's reach (with child-protection data visible) still waiting for an answer, whom only
    the panel may decide for, with the panel's latest decision. A fixed number of queries whatever their number."""
    today = timezone.localdate()
    oldest_birth = years_before(today, settings.ZHUSAN_CHILD_AGE_LIMIT + 1)  # generous: categories decide exactly
    cases = list(
        policy.cases_visible_to(user)
        .filter(state__in=PENDING_STATES)
        .filter(Q(person__birth_date_best__gt=oldest_birth))
        .select_related("person")
        .prefetch_related(Prefetch("person__names", queryset=PersonName.objects.order_by("id")))
        .order_by("number")
    )
    persons = [c.person for c in cases]
    visible = policy.classes_by_person(user, [p.pk for p in persons])
    cases = [c for c in cases if DataClass.CHILD_PROTECTION in visible[c.person_id]]
    deciders = rules.deciders_for_many([c.person for c in cases], today)
    latest: dict[int, BestInterestsDecision] = {}
    for panel in BestInterestsDecision.objects.filter(child_id__in=[c.person_id for c in cases]).order_by(
        "child_id", "decided_on", "id"
    ):
        latest[panel.child_id] = panel
    rows = []
    for case in cases:
        found = deciders[case.person_id]
        if found is None or not found.is_child or not found.needs_panel:
            continue
        rows.append(PanelRow(child=case.person, case=case, deciders=found, latest=latest.get(case.person_id)))
    return rows


def panel_decisions_usable(child: Person, decision: str) -> list[BestInterestsDecision]:
    """The child's panel decisions a record of `decision` may rest on (newest first)."""
    wanted = rules.PANEL_DECISIONS_FOR.get(Decision(decision), set())
    return [
        d
        for d in BestInterestsDecision.objects.filter(child=child).order_by("-decided_on", "-id")
        if d.decision in wanted
    ]


def person_records(user: Any, person_id: Any) -> tuple[Person, list[ConsentRecord], frozenset[DataClass]]:
    """A person's consent records (newest first) and the classes the user may see of that person."""
    person = policy.person_for_user(user, person_id)
    classes = policy.visible_classes(user, person)
    if DataClass.IDENTITY not in classes:
        raise policy.NotVisible("No such person")
    return person, _records_of([person.pk]), classes


def person_decisions(user: Any, child_id: Any) -> tuple[Person, list[BestInterestsDecision], frozenset[DataClass]]:
    """A child's panel decisions (child-protection data: audited), newest first."""
    child = policy.person_for_user(user, child_id)
    classes = policy.visible_classes(user, child)
    if DataClass.CHILD_PROTECTION not in classes:
        raise policy.NotVisible("No such person")
    decisions = list(
        BestInterestsDecision.objects.filter(child=child)
        .select_related("recorded_by")
        .prefetch_related("members")
        .order_by("-decided_on", "-id")
    )
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=child,
        person_id=child.pk,
        changes={"best_interests_decisions": ["viewed", "viewed"]},
    )
    return child, decisions, classes
