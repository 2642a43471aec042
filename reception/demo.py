"""Reception records on top of the demo data set (demo.builder): arrivals, legal assessments, screening, growth.

Deterministic (a fixed random seed, dates from the evacuation dates) and fast (bulk inserts). The legal figures are
exactly the programme's: 45 held accountable (all 33 men and 12 women), 4 women under movement restriction, every
other evacuated adult with no grounds. Men and women are decided by people.categories at the evacuation date, as
the programme summary counts them.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case, CaseAssignment
from people.categories import Group, categories_for
from people.models import BirthDatePrecision, Person, Place, PlaceKind
from reception import growth
from reception.legal import HELD_ACCOUNTABLE
from reception.models import (
    Arrival,
    GrowthMeasurement,
    LegalAssessment,
    LegalStatus,
    MedicalTest,
    Position,
    Quarantine,
    TestKind,
    Vaccination,
    Vaccine,
)
from reception.services import growth_compute
from reception.vaccination import catch_up

if TYPE_CHECKING:
    from access.models import User

SEED = 20190106
HELD_WOMEN, RESTRICTED_WOMEN = 12, 4
# Target weight-for-length/height z-scores for some children under 5: the malnutrition the centre corrected.
SEVERE_WASTING, MODERATE_WASTING = 4, 9


def seed(users: dict[str, "User"]) -> None:
    from demo.builder import WAVES  # here, not at the top: demo.builder calls this seed

    rng = random.Random(SEED)  # noqa: S311  # nosec B311 - a reproducible demo, not a secret
    # The operation's four waves only (a self-return arrives through its own check-in), not yet checked in.
    cases = list(
        Case.objects.filter(evacuated_on__in=[on for on, _ in WAVES], arrival__isnull=True)
        .select_related("person")
        .order_by("evacuated_on", "number")
    )
    if not cases:
        return  # already seeded
    persons = [c.person for c in cases]
    on_by_person = {c.person_id: c.evacuated_on for c in cases}
    groups = {pid: cats.group for pid, cats in categories_for(persons, on_by_person=on_by_person).items()}
    aktau = Place.objects.get(kind=PlaceKind.SETTLEMENT, name="Aktau")
    centre = Place.objects.filter(kind=PlaceKind.FACILITY, parent=aktau).order_by("pk").first() or aktau

    Arrival.objects.bulk_create(
        Arrival(person_id=c.person_id, case=c, arrived_on=_on(c), place=aktau, checked_in_by=users["caseworker"])
        for c in cases
    )
    assessments = _legal(rng, cases, groups, users["lawyer"])
    children = [c for c in cases if groups.get(c.person_id) == Group.CHILD]
    quarantines = _quarantines(rng, cases, centre, users["doctor"])
    tests = _tests(rng, children, users["doctor"])
    vaccinations = _vaccinations(rng, children, users["doctor"])
    measurements = _growth(rng, children, users["doctor"])
    _assign(cases, groups, users)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo reception data loaded",
        changes={
            "arrivals": [None, len(cases)],
            "legal_assessments": [None, assessments],
            "quarantines": [None, quarantines],
            "medical_tests": [None, tests],
            "vaccinations": [None, vaccinations],
            "growth_measurements": [None, measurements],
        },
    )


def _on(case: Case) -> date:
    """The evacuation date (every case here has one: they were chosen for it)."""
    return cast(date, case.evacuated_on)


def _legal(rng: random.Random, cases: list[Case], groups: dict[int, str | None], lawyer: "User") -> int:
    men = [c for c in cases if groups.get(c.person_id) == Group.MAN]
    women = [c for c in cases if groups.get(c.person_id) == Group.WOMAN]
    picked = rng.sample(women, HELD_WOMEN + RESTRICTED_WOMEN)
    held_women, restricted = picked[:HELD_WOMEN], picked[HELD_WOMEN:]
    statuses: dict[int, str] = {c.pk: LegalStatus.NO_GROUNDS for c in men + women}
    for index, case in enumerate(men):
        statuses[case.pk] = LegalStatus.CONVICTED if index % 3 else LegalStatus.DETAINED_CHARGED
    for index, case in enumerate(held_women):
        statuses[case.pk] = LegalStatus.CONVICTED if index % 2 else LegalStatus.DETAINED_CHARGED
    for case in restricted:
        statuses[case.pk] = LegalStatus.MOVEMENT_RESTRICTION
    rows = []
    for number, case in enumerate(men + women, start=1):
        status = statuses[case.pk]
        decided = _on(case) + timedelta(days=rng.randint(1, 10))
        court = status == LegalStatus.CONVICTED
        rows.append(
            LegalAssessment(
                person_id=case.person_id,
                case=case,
                status=status,
                decided_on=decided + timedelta(days=rng.randint(60, 150)) if court else decided,
                valid_until=decided + timedelta(days=180) if status == LegalStatus.MOVEMENT_RESTRICTION else None,
                authority="Specialised Inter-District Criminal Court" if court else "National Security Committee",
                reference=f"NSC-2019-{number:04d}" if status != LegalStatus.NO_GROUNDS else "",
                notes="Participation in a terrorist organisation abroad" if status in HELD_ACCOUNTABLE else "",
                recorded_by=lawyer,
            )
        )
    LegalAssessment.objects.bulk_create(rows)
    return len(rows)


def _quarantines(rng: random.Random, cases: list[Case], place: Place, doctor: "User") -> int:
    rows = [
        Quarantine(
            person_id=c.person_id,
            starts_on=_on(c),
            ends_on=_on(c) + timedelta(days=rng.randint(14, 21)),
            place_ref=place.pk,
            reason="Arrival from a conflict zone: observation and screening",
            recorded_by=doctor,
        )
        for c in cases
    ]
    Quarantine.objects.bulk_create(rows)
    return len(rows)


def _tests(rng: random.Random, children: list[Case], doctor: "User") -> int:
    kinds = {k.code: k for k in TestKind.objects.all()}
    rows = []
    for case in children:
        on = _on(case)
        for code in ("tuberculosis", "hepatitis-b", "intestinal-parasites", "measles-igg")[: rng.randint(2, 4)]:
            if code not in kinds:
                continue
            positive = rng.random() < (0.35 if code == "intestinal-parasites" else 0.05)
            taken = on + timedelta(days=rng.randint(1, 3))
            rows.append(
                MedicalTest(
                    person_id=case.person_id,
                    kind_ref=kinds[code].pk,
                    taken_on=taken,
                    result="positive" if positive else "negative",
                    result_on=taken + timedelta(days=rng.randint(2, 7)),
                    recorded_by=doctor,
                )
            )
    MedicalTest.objects.bulk_create(rows)
    return len(rows)


def _vaccinations(rng: random.Random, children: list[Case], doctor: "User") -> int:
    vaccines = list(Vaccine.objects.filter(active=True).prefetch_related("doses"))
    rows = []
    for case in children:
        given_on = _on(case) + timedelta(days=rng.randint(3, 14))
        due = catch_up(case.person, given_on, vaccines=vaccines, given=[])
        for dose in due[: rng.randint(1, 3)]:
            rows.append(
                Vaccination(
                    person_id=case.person_id,
                    vaccine=dose.vaccine,
                    dose_number=dose.dose.number,
                    given_on=given_on,
                    batch=f"B{rng.randint(1000, 9999)}",
                    recorded_by=doctor,
                )
            )
    Vaccination.objects.bulk_create(rows)
    return len(rows)


def _growth(rng: random.Random, children: list[Case], doctor: "User") -> int:
    """Under-5s with a known date of birth measured on arrival and after the month in the centre; a few older."""
    rows = []
    young = [
        c
        for c in children
        if c.person.birth_date_precision in (BirthDatePrecision.DAY, BirthDatePrecision.MONTH)
        and c.person.birth_date
        and 60 <= (_on(c) - c.person.birth_date).days <= growth.MAX_AGE_DAYS - 40
    ]
    for index, case in enumerate(young):
        whz = _target_whz(rng, index)
        haz = rng.gauss(-1.3, 1.0)
        for days_after, gain in ((2, 0.0), (28, 0.6)):
            on = _on(case) + timedelta(days=days_after)
            rows.append(_measure(rng, case.person, on, whz + gain, haz, doctor))
    older = [c for c in children if c not in young and c.person.birth_date][:40]
    for case in older:
        age = (_on(case) - case.person.birth_date).days / 365.25  # type: ignore[operator]
        height = Decimal(str(round(77 + 6 * age + rng.gauss(0, 4), 1)))
        weight = Decimal(str(round(max(6.0, 8 + 2.2 * age + rng.gauss(0, 2)), 2)))
        measurement = GrowthMeasurement(
            person=case.person,
            measured_on=_on(case) + timedelta(days=2),
            weight_kg=weight,
            height_cm=height,
            position=Position.STANDING,
            recorded_by=doctor,
        )
        rows.append(growth_compute(measurement, case.person))
    GrowthMeasurement.objects.bulk_create(rows)
    return len(rows)


def _target_whz(rng: random.Random, index: int) -> float:
    """The first few children are severely, the next ones moderately wasted; the others mostly normal."""
    if index < SEVERE_WASTING:
        return -3.6
    if index < SEVERE_WASTING + MODERATE_WASTING:
        return -2.5
    return rng.gauss(-0.6, 0.8)


def _measure(rng: random.Random, person: Person, on: date, whz: float, haz: float, doctor: "User") -> GrowthMeasurement:
    """A measurement built from target z-scores through the library's own tables, then evaluated like any other."""
    age = (on - person.birth_date).days  # type: ignore[operator]
    sex = person.sex if person.sex in ("F", "M") else "F"
    height = growth.value_at(*growth.reference_row("lhfa", sex, age), haz)
    lying = age < 730
    table = "wfl" if lying else "wfh"
    low, high = (45.0, 110.0) if lying else (65.0, 120.0)
    height = round(min(max(height, low), high), 1)
    weight = growth.value_at(*growth.reference_row(table, sex, height), whz)
    muac = 11.0 if whz < -3 else 12.0 if whz < -2 else 13.5 + rng.random() * 2
    measurement = GrowthMeasurement(
        person=person,
        measured_on=on,
        weight_kg=Decimal(str(round(weight, 2))),
        height_cm=Decimal(str(height)),
        position=Position.LYING if lying else Position.STANDING,
        muac_cm=Decimal(str(round(muac, 1))) if age >= growth.MUAC_FROM_DAYS else None,
        recorded_by=doctor,
    )
    return growth_compute(measurement, person)


def _assign(cases: list[Case], groups: dict[int, str | None], users: dict[str, "User"]) -> None:
    """The lawyer assesses every evacuated adult and the doctor screens every evacuee: give them the cases."""
    open_pairs = set(CaseAssignment.objects.filter(ended_at__isnull=True).values_list("case_id", "user_id"))
    wanted = [(c, users["doctor"], "Medical screening on arrival") for c in cases]
    wanted += [
        (c, users["lawyer"], "Legal assessment") for c in cases if groups.get(c.person_id) in (Group.MAN, Group.WOMAN)
    ]
    CaseAssignment.objects.bulk_create(
        CaseAssignment(case=c, user=u, purpose=p, assigned_by=users["supervisor"])
        for c, u, p in wanted
        if (c.pk, u.pk) not in open_pairs
    )
