"""Every write of reception: check-in, legal assessment, quarantine, tests, vaccinations, treatments, growth.

Each function is atomic, asks the access policy, validates with messages per field and writes the audit log in
the same transaction. Values of the legal and medical classes are masked in the audit log (audit.services.diff).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.rules import DataClass
from audit.models import AuditAction
from audit.services import audit_batch, audit_record, diff, snapshot
from casework.models import Case
from casework.services import case_transition
from casework.transitions import CaseState
from people.models import Person, Place
from people.services import EARLIEST_DATE
from reception import growth
from reception.models import (
    Arrival,
    GrowthMeasurement,
    LegalAssessment,
    MedicalTest,
    Position,
    Quarantine,
    TestKind,
    Treatment,
    Vaccination,
    Vaccine,
)

MAX_QUARANTINE_DAYS = 90
MAX_BULK_CHECK_IN = 500


def _check_date(errors: dict[str, str], field: str, value: date | None, *, required: bool = True) -> None:
    if value is None:
        if required:
            errors[field] = _("Give the date.")
        return
    if not EARLIEST_DATE <= value <= timezone.localdate():
        errors[field] = _("Give a date between 1900 and today.")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _save_and_audit(actor: Any, record: models.Model, person: Person, fields: Iterable[str]) -> None:
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        person_id=person.pk,
        changes=diff({}, snapshot(record, fields), record.DATA_CLASSES),  # type: ignore[attr-defined]
    )


# --- arrival ------------------------------------------------------------------------------------------------


def _check_in(actor: Any, case: Case, arrived_on: date, place: Place, note: str) -> Arrival:
    if case.state != CaseState.EVACUATED:
        raise ValidationError(
            {"cases": _("Case %(number)s is not waiting for arrival (it is not evacuated).") % {"number": case.number}}
        )
    if case.evacuated_on and arrived_on < case.evacuated_on:
        raise ValidationError(
            {"arrived_on": _("Case %(number)s: arrival cannot be before the evacuation.") % {"number": case.number}}
        )
    if Arrival.objects.filter(person_id=case.person_id).exists():
        raise ValidationError({"cases": _("Case %(number)s is already checked in.") % {"number": case.number}})
    case_transition(actor=actor, case=case, transition="receive")
    arrival = Arrival(
        person_id=case.person_id, case=case, arrived_on=arrived_on, place=place, note=note, checked_in_by=actor
    )
    _save_and_audit(actor, arrival, case.person, ("arrived_on", "place", "note"))
    return arrival


def _check_arrival_input(arrived_on: date | None, place: Place | None, note: str) -> None:
    errors: dict[str, str] = {}
    _check_date(errors, "arrived_on", arrived_on)
    if place is None:
        errors["place"] = _("Choose the place of arrival.")
    if len(note) > 500:
        errors["note"] = _("Keep the note under 500 characters.")
    _raise(errors)


@transaction.atomic
def arrival_check_in(*, actor: Any, case: Case, arrived_on: date, place: Place, note: str = "") -> Arrival:
    """Check one person in on arrival: the case moves from evacuated to received (casework.case_transition)."""
    note = note.strip()
    _check_arrival_input(arrived_on, place, note)
    return _check_in(actor, case, arrived_on, place, note)


@transaction.atomic
def arrivals_check_in(
    *, actor: Any, case_ids: Iterable[Any], arrived_on: date, place: Place, note: str = ""
) -> list[Arrival]:
    """Check in several persons at once (an arrival board): all of them, or none if any one is refused."""
    note = note.strip()
    _check_arrival_input(arrived_on, place, note)
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise ValidationError({"cases": _("Choose the persons who arrived.")})
    if len(ids) > MAX_BULK_CHECK_IN:
        raise ValidationError({"cases": _("Check in at most %(n)d persons at once.") % {"n": MAX_BULK_CHECK_IN}})
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        arrivals = []
        for case_id in ids:
            try:
                case = policy.case_for_user(actor, case_id)
            except Http404:
                raise ValidationError({"cases": _("One of the chosen cases is not within your reach.")}) from None
            arrivals.append(_check_in(actor, case, arrived_on, place, note))
        return arrivals


# --- legal assessment ----------------------------------------------------------------------------------------


@transaction.atomic
def legal_assessment_record(
    *,
    actor: Any,
    person: Person,
    status: str,
    decided_on: date,
    authority: str,
    valid_until: date | None = None,
    reference: str = "",
    notes: str = "",
) -> LegalAssessment:
    """Record the legal assessment of a returnee (legal class only). It supersedes earlier ones from its date."""
    policy.require_change(actor, person, DataClass.LEGAL)
    case = Case.objects.filter(person=person).first()
    errors: dict[str, str] = {}
    if case is None:
        errors["person"] = _("Only a person with a case can be assessed.")
    _check_date(errors, "decided_on", decided_on)
    if valid_until is not None and decided_on is not None and valid_until < decided_on:
        errors["valid_until"] = _("The end of validity cannot be before the decision.")
    if not authority.strip():
        errors["authority"] = _("Name the authority that decided.")
    _raise(errors)
    assessment = LegalAssessment(
        person=person,
        case=case,
        status=status,
        decided_on=decided_on,
        valid_until=valid_until,
        authority=authority.strip(),
        reference=reference.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    _save_and_audit(actor, assessment, person, LegalAssessment.FIELDS)
    return assessment


# --- medical --------------------------------------------------------------------------------------------------


@transaction.atomic
def quarantine_record(
    *, actor: Any, person: Person, starts_on: date, ends_on: date, place: Place, reason: str = ""
) -> Quarantine:
    """Put a person in quarantine for a period (at most 90 days) at a place."""
    policy.require_change(actor, person, DataClass.MEDICAL)
    errors: dict[str, str] = {}
    _check_date(errors, "starts_on", starts_on)
    if ends_on is None:
        errors["ends_on"] = _("Give the date.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end cannot be before the start.")
    elif starts_on is not None and (ends_on - starts_on).days > MAX_QUARANTINE_DAYS:
        errors["ends_on"] = _("A quarantine lasts at most %(days)d days.") % {"days": MAX_QUARANTINE_DAYS}
    _raise(errors)
    quarantine = Quarantine(
        person=person,
        starts_on=starts_on,
        ends_on=ends_on,
        place_ref=place.pk,
        reason=reason.strip(),
        recorded_by=actor,
    )
    quarantine.place = place
    _save_and_audit(actor, quarantine, person, ("starts_on", "ends_on", "place_ref", "reason"))  # as stored
    return quarantine


@transaction.atomic
def medical_test_record(
    *, actor: Any, person: Person, kind: TestKind, taken_on: date, result: str = "", result_on: date | None = None
) -> MedicalTest:
    """Record a screening test and, when known, its result (encrypted at rest)."""
    policy.require_change(actor, person, DataClass.MEDICAL)
    errors: dict[str, str] = {}
    _check_date(errors, "taken_on", taken_on)
    _check_date(errors, "result_on", result_on, required=False)
    if result_on is not None and taken_on is not None and result_on < taken_on:
        errors["result_on"] = _("The result cannot come before the test was taken.")
    if result_on is not None and not result.strip():
        errors["result"] = _("Give the result, or leave its date empty.")
    if not kind.active:
        errors["kind"] = _("This test is no longer in use.")
    _raise(errors)
    test = MedicalTest(
        person=person,
        kind_ref=kind.pk,
        taken_on=taken_on,
        result=result.strip(),
        result_on=result_on,
        recorded_by=actor,
    )
    test.kind = kind
    _save_and_audit(actor, test, person, ("kind_ref", *MedicalTest.FIELDS[1:]))  # the kind as stored
    return test


@transaction.atomic
def vaccination_record(
    *, actor: Any, person: Person, vaccine: Vaccine, dose_number: int, given_on: date, batch: str = ""
) -> Vaccination:
    """Record a dose given; a dose number the vaccine's schedule does not have, or given twice, is refused."""
    policy.require_change(actor, person, DataClass.MEDICAL)
    errors: dict[str, str] = {}
    _check_date(errors, "given_on", given_on)
    if not vaccine.doses.filter(number=dose_number).exists():
        errors["dose_number"] = _("The schedule of this vaccine has no such dose.")
    elif Vaccination.objects.filter(person=person, vaccine=vaccine, dose_number=dose_number).exists():
        errors["dose_number"] = _("This dose is already recorded.")
    if person.birth_date and given_on and given_on < person.birth_date:
        errors["given_on"] = _("A dose cannot be given before birth.")
    _raise(errors)
    vaccination = Vaccination(
        person=person,
        vaccine=vaccine,
        dose_number=dose_number,
        given_on=given_on,
        batch=batch.strip(),
        recorded_by=actor,
    )
    _save_and_audit(actor, vaccination, person, Vaccination.FIELDS)
    return vaccination


@transaction.atomic
def treatment_record(
    *, actor: Any, person: Person, kind: str, description: str, on: date, referred_to: str = ""
) -> Treatment:
    """Record a treatment, or a referral to another service (which must then be named)."""
    policy.require_change(actor, person, DataClass.MEDICAL)
    errors: dict[str, str] = {}
    _check_date(errors, "on", on)
    if not description.strip():
        errors["description"] = _("Describe the treatment or the reason for the referral.")
    if kind == "referral" and not referred_to.strip():
        errors["referred_to"] = _("Name the service the person is referred to.")
    _raise(errors)
    treatment = Treatment(
        person=person,
        kind=kind,
        description=description.strip(),
        referred_to=referred_to.strip(),
        on=on,
        recorded_by=actor,
    )
    _save_and_audit(actor, treatment, person, Treatment.FIELDS)
    return treatment


# --- growth ---------------------------------------------------------------------------------------------------


def growth_compute(measurement: GrowthMeasurement, person: Person) -> GrowthMeasurement:
    """Fill the derived z-scores and classification of a measurement (no save), through reception.growth."""
    result = growth.evaluate(
        sex=person.sex,
        birth_date=person.birth_date,
        birth_precision=person.birth_date_precision,
        measured_on=measurement.measured_on,
        weight_kg=measurement.weight_kg,
        height_cm=measurement.height_cm,
        position=measurement.position,
        muac_cm=measurement.muac_cm,
        oedema=measurement.oedema,
    )
    measurement.age_days = result.age_days
    measurement.waz, measurement.haz = result.z["waz"], result.z["haz"]
    measurement.whz, measurement.baz = result.z["whz"], result.z["baz"]
    measurement.z_notes = result.notes
    measurement.acute_malnutrition = result.acute_malnutrition
    measurement.stunting = result.stunting
    measurement.underweight = result.underweight
    return measurement


@transaction.atomic
def growth_measurement_record(
    *,
    actor: Any,
    person: Person,
    measured_on: date,
    weight_kg: Decimal | None = None,
    height_cm: Decimal | None = None,
    position: str = "",
    muac_cm: Decimal | None = None,
    oedema: bool = False,
) -> GrowthMeasurement:
    """Record a child's measurement; the WHO z-scores and malnutrition classes are computed and stored with it."""
    policy.require_change(actor, person, DataClass.MEDICAL)
    errors: dict[str, str] = {}
    _check_date(errors, "measured_on", measured_on)
    if weight_kg is None and height_cm is None and muac_cm is None:
        errors["weight_kg"] = _("Give at least one measurement.")
    if weight_kg is not None and not Decimal("0.5") <= weight_kg <= Decimal("150"):
        errors["weight_kg"] = _("Give a weight between 0.5 and 150 kg.")
    if height_cm is not None and not Decimal("30") <= height_cm <= Decimal("220"):
        errors["height_cm"] = _("Give a length or height between 30 and 220 cm.")
    if height_cm is not None and position not in Position.values:
        errors["position"] = _("Say whether the child was measured lying or standing.")
    if muac_cm is not None and not Decimal("5") <= muac_cm <= Decimal("50"):
        errors["muac_cm"] = _("Give a MUAC between 5 and 50 cm.")
    if person.birth_date and measured_on and measured_on < person.birth_date:
        errors["measured_on"] = _("A measurement cannot be before birth.")
    _raise(errors)
    measurement = GrowthMeasurement(
        person=person,
        measured_on=measured_on,
        weight_kg=weight_kg,
        height_cm=height_cm,
        position=position if height_cm is not None else "",
        muac_cm=muac_cm,
        oedema=oedema,
        recorded_by=actor,
    )
    growth_compute(measurement, person)
    _save_and_audit(actor, measurement, person, GrowthMeasurement.FIELDS)
    return measurement
