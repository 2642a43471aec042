"""Reception records of agency A for the IDOR walk (tests/test_idor.py)."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment
from people.models import Place, PlaceKind
from reception import services
from reception.models import Arrival, Vaccine
from reception.models import TestKind as KindOfTest


def make(
    mother: Case, child: Case, caseworker: User, supervisor: User, make_user: Callable[..., User]
) -> dict[str, int]:
    lawyer = make_user(Role.LEGAL_OFFICER)
    doctor = make_user(Role.MEDICAL_OFFICER)
    for case in (mother, child):
        for user in (lawyer, doctor):
            CaseAssignment.objects.create(case=case, user=user, purpose="Reception", assigned_by=supervisor)
    place = Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Aktau (IDOR walk)")
    # The mother's case is already past arrival in the walk: her check-in is recorded as the demo does.
    arrival = Arrival.objects.create(
        person=mother.person, case=mother, arrived_on=date(2019, 5, 9), place=place, checked_in_by=caseworker
    )
    on = date(2019, 5, 10)
    legal = services.legal_assessment_record(
        actor=lawyer, person=mother.person, status="convicted", decided_on=on, authority="Court"
    )
    quarantine = services.quarantine_record(
        actor=doctor, person=mother.person, starts_on=on, ends_on=date(2019, 5, 24), place=place
    )
    test = services.medical_test_record(
        actor=doctor, person=child.person, kind=KindOfTest.objects.get(code="hiv"), taken_on=on, result="negative"
    )
    vaccination = services.vaccination_record(
        actor=doctor, person=child.person, vaccine=Vaccine.objects.get(code="mmr"), dose_number=1, given_on=on
    )
    treatment = services.treatment_record(
        actor=doctor, person=child.person, kind="treatment", description="Deworming", on=on
    )
    measurement = services.growth_measurement_record(
        actor=doctor,
        person=child.person,
        measured_on=on,
        weight_kg=Decimal("20.5"),
        height_cm=Decimal("110"),
        position="H",
    )
    return {
        "arrivals": arrival.pk,
        "legal-assessments": legal.pk,
        "quarantines": quarantine.pk,
        "medical-tests": test.pk,
        "vaccinations": vaccination.pk,
        "treatments": treatment.pk,
        "growth-measurements": measurement.pk,
    }
