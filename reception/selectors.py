"""Every read of reception data. Given the user, returns only the persons, records and sections they may see.

Reads of the legal and medical classes are audited (AuditAction.VIEW) here, where they happen.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from access import policy
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case
from casework.transitions import CaseState
from core.crypto import attach_references
from core.errors import MAX_ID, refuse
from people.models import Person
from reception.models import (
    Arrival,
    GrowthMeasurement,
    LegalAssessment,
    MedicalTest,
    Quarantine,
    Treatment,
    Vaccination,
    Vaccine,
)
from reception.vaccination import DueDose, catch_up

# The person-held records of this app (each has a `person`).
M = TypeVar("M", Arrival, LegalAssessment, Quarantine, MedicalTest, Vaccination, Treatment, GrowthMeasurement)


# --- the arrival board ----------------------------------------------------------------------------------------


@dataclass
class ArrivalGroup:
    evacuated_on: date | None
    cases: list[Case]


def arrival_board(user: Any) -> list[ArrivalGroup]:
    """Evacuated persons not yet checked in that the user reaches, grouped by evacuation date (3 queries)."""
    if not policy.has_capability(user, Capability.TRANSITION_CASE):
        raise refuse()
    cases = (
        policy.cases_visible_to(user)
        .filter(state=CaseState.EVACUATED)
        .select_related("person")
        .prefetch_related("person__names")
        .order_by("evacuated_on", "number")
    )
    groups: dict[date | None, list[Case]] = defaultdict(list)
    for case in cases:
        groups[case.evacuated_on].append(case)
    return [ArrivalGroup(on, items) for on, items in groups.items()]


# --- one person's reception page ------------------------------------------------------------------------------


@dataclass
class ReceptionView:
    person: Person
    case: Case | None
    classes: frozenset[DataClass]
    changeable: frozenset[DataClass]
    arrival: Arrival | None = None
    legal: list[LegalAssessment] | None = None  # None: the user may not see the legal class
    quarantines: list[Quarantine] | None = None  # None: the user may not see the medical class
    tests: list[MedicalTest] = field(default_factory=list)
    vaccinations: list[Vaccination] = field(default_factory=list)
    due: list[DueDose] = field(default_factory=list)
    treatments: list[Treatment] = field(default_factory=list)
    growth: list[GrowthMeasurement] = field(default_factory=list)

    @property
    def sees_legal(self) -> bool:
        return self.legal is not None

    @property
    def sees_medical(self) -> bool:
        return self.quarantines is not None

    @property
    def may_change_legal(self) -> bool:
        return DataClass.LEGAL in self.changeable

    @property
    def may_change_medical(self) -> bool:
        return DataClass.MEDICAL in self.changeable


def reception_view(user: Any, person_id: Any, on: date | None = None) -> ReceptionView:
    """Fetch and authorise the person; gather the reception sections the user may see; record the view."""
    person = policy.person_for_user(user, person_id)
    person = Person.objects.prefetch_related("names").get(pk=person.pk)
    classes = policy.visible_classes(user, person)
    view = ReceptionView(
        person=person,
        case=Case.objects.filter(person=person).first(),
        classes=classes,
        changeable=policy.classes_for(user, person, Action.CHANGE),
    )
    if DataClass.LOCATION in classes:
        view.arrival = Arrival.objects.filter(person=person).select_related("place", "checked_in_by").first()
    if DataClass.LEGAL in classes:
        view.legal = list(LegalAssessment.objects.filter(person=person).select_related("recorded_by"))
    if DataClass.MEDICAL in classes:
        # Dates are encrypted at rest, so the database cannot order by them: each list is sorted here.
        quarantines = attach_references(list(Quarantine.objects.filter(person=person)), "place")
        view.quarantines = sorted(quarantines, key=lambda q: (q.starts_on, q.pk), reverse=True)
        tests = attach_references(list(MedicalTest.objects.filter(person=person)), "kind")
        view.tests = sorted(tests, key=lambda t: (t.taken_on, t.pk), reverse=True)
        vaccinations = Vaccination.objects.filter(person=person).select_related("vaccine")
        view.vaccinations = sorted(vaccinations, key=lambda v: (v.given_on, v.pk))
        vaccines = list(Vaccine.objects.filter(active=True).prefetch_related("doses"))
        view.due = catch_up(person, on or timezone.localdate(), vaccines=vaccines, given=view.vaccinations)
        treatments = Treatment.objects.filter(person=person)
        view.treatments = sorted(treatments, key=lambda t: (t.on, t.pk), reverse=True)
        view.growth = growth_in_order(GrowthMeasurement.objects.filter(person=person))
    _audit_view(user, person, classes)
    return view


def _audit_view(user: Any, person: Person, classes: frozenset[DataClass]) -> None:
    sections = sorted(c for c in (DataClass.LEGAL, DataClass.MEDICAL, DataClass.LOCATION) if c in classes)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=person,
        person_id=person.pk,
        changes={"reception": sections},
    )


def growth_in_order(measurements: Any) -> list[GrowthMeasurement]:
    """Measurements oldest first (the date is encrypted: sorted here, not by the database)."""
    return sorted(measurements, key=lambda m: (m.measured_on, m.pk))


def growth_for_chart(user: Any, person_id: Any) -> tuple[Person, list[GrowthMeasurement]]:
    """The person's measurements for the growth chart (medical class), the read audited."""
    person = policy.person_for_user(user, person_id)
    if not policy.can(user, Action.VIEW, DataClass.MEDICAL, person):
        raise refuse()
    measurements = growth_in_order(GrowthMeasurement.objects.filter(person=person))
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=person, person_id=person.pk, changes={"growth_chart": ["medical"]}
    )
    return person, measurements


# --- lists for the API ----------------------------------------------------------------------------------------


def records_visible(
    user: Any, model: type[M], data_class: DataClass, person_id: Any = None
) -> tuple[QuerySet[M], dict[int, frozenset[DataClass]]]:
    """Records of `model` whose person the user reaches and whose class they may see, with the classes per person.

    A fixed number of queries: the reachable persons holding such records, then their classes in one go.
    `person_id` narrows to one person, who must be reachable (else NotVisible, a 404).
    """
    records = model._default_manager.all()
    if person_id is not None:
        person = policy.person_for_user(user, person_id)
        records = records.filter(person=person)
    candidate_ids = set(
        records.filter(person__in=policy.persons_visible_to(user)).values_list("person_id", flat=True).distinct()
    )
    classes = policy.classes_by_person(user, candidate_ids)
    allowed = [pid for pid, person_classes in classes.items() if data_class in person_classes]
    return records.filter(person_id__in=allowed), classes


def audit_list_read(user: Any, model: type[models.Model], person_ids: list[int]) -> None:
    """One audit entry for a page of records read through the API (the person when there is exactly one)."""
    if not person_ids:
        return
    unique = sorted(set(person_ids))
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        person_id=unique[0] if len(unique) == 1 else None,
        changes={"records": model._meta.label_lower, "persons": unique},
    )


def record_for_user(user: Any, model: type[M], data_class: DataClass, record_id: Any) -> M:
    """One record, if the user may see its class for its person; else NotVisible (a 404, as if missing)."""
    try:
        number = int(record_id)
    except (TypeError, ValueError):
        raise policy.NotVisible("No such record") from None
    if not 0 < number <= MAX_ID:
        raise policy.NotVisible("No such record")
    try:
        record = model._default_manager.get(pk=number)
    except model.DoesNotExist:
        raise policy.NotVisible("No such record") from None
    person = policy.person_for_user(user, record.person_id)
    if not policy.can(user, Action.VIEW, data_class, person):
        raise policy.NotVisible("No such record")
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=record,
        person_id=person.pk,
        changes={"records": model._meta.label_lower},
    )
    return record
