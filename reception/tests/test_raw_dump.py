"""Canaries written through the reception services into every encrypted field are absent from a raw copy of the
database (the SQLite image, a pg_dump); the fields that cannot carry a canary hold ciphertext: ids, yes/no, and
numbers (a short decimal such as 11.7 also shows in the dump's timestamps, so it cannot be searched for)."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from access.models import User
from casework.models import Case
from core.tests.test_raw_dump import assert_absent, assert_sealed, raw_dump
from people.models import Place
from reception import models as records
from reception import services
from reception.models import LegalStatus, Vaccine, VaccineDose

# Free text, and dates as the database would show them in clear.
AUTHORITY = "Canary-Court-JX4Q of the Aktau region"
REFERRED_TO = "Canary-Clinic-WB7M"
BATCH = "CANARY-BATCH-7QZ"
QUARANTINE_REASON = "Canary-Reason-PL2V"
DATES = {
    "valid_until": date(2019, 7, 13),
    "decided_on": date(2019, 6, 2),  # in clear by design: not a canary
    "starts_on": date(2019, 5, 17),
    "ends_on": date(2019, 6, 11),
    "taken_on": date(2019, 5, 21),
    "result_on": date(2019, 5, 29),
    "given_on": date(2019, 5, 23),
    "treated_on": date(2019, 5, 27),
    "measured_on": date(2019, 5, 19),
}
CANARY_DATES = [d for name, d in DATES.items() if name != "decided_on"]
WEIGHT, HEIGHT, MUAC = Decimal("13.37"), Decimal("91.3"), Decimal("11.7")


@pytest.mark.django_db(transaction=True)
def test_canaries_in_every_encrypted_reception_field_are_absent_from_a_raw_dump(
    evacuate: Callable[..., Case],
    aktau: Place,
    assign: Callable[[Case, User], User],
    legal_officer: User,
    doctor: User,
) -> None:
    case = evacuate(sex="F", born=date(2016, 2, 3))
    person = case.person
    assign(case, legal_officer)
    assign(case, doctor)
    # Transactional tests flush the database, seeded reference data included: make what this test needs.
    hiv, _ = records.TestKind.objects.get_or_create(code="hiv", defaults={"name": "HIV"})
    mmr, _ = Vaccine.objects.get_or_create(code="mmr", defaults={"name": "Measles, mumps, rubella"})
    VaccineDose.objects.get_or_create(vaccine=mmr, number=1, defaults={"recommended_age_months": 12})
    written = [
        services.legal_assessment_record(
            actor=legal_officer,
            person=person,
            status=LegalStatus.MOVEMENT_RESTRICTION,
            decided_on=DATES["decided_on"],
            valid_until=DATES["valid_until"],
            authority=AUTHORITY,
        ),
        services.quarantine_record(
            actor=doctor,
            person=person,
            starts_on=DATES["starts_on"],
            ends_on=DATES["ends_on"],
            place=aktau,
            reason=QUARANTINE_REASON,
        ),
        services.medical_test_record(
            actor=doctor,
            person=person,
            kind=hiv,
            taken_on=DATES["taken_on"],
            result="negative",
            result_on=DATES["result_on"],
        ),
        services.vaccination_record(
            actor=doctor,
            person=person,
            vaccine=mmr,
            dose_number=1,
            given_on=DATES["given_on"],
            batch=BATCH,
        ),
        services.treatment_record(
            actor=doctor,
            person=person,
            kind="referral",
            description="Canary-Description-HH3K",
            on=DATES["treated_on"],
            referred_to=REFERRED_TO,
        ),
        services.growth_measurement_record(
            actor=doctor,
            person=person,
            measured_on=DATES["measured_on"],
            weight_kg=WEIGHT,
            height_cm=HEIGHT,
            position="H",
            muac_cm=MUAC,
            oedema=True,
        ),
    ]

    dump = raw_dump()

    assert DATES["decided_on"].isoformat().encode() in dump  # the dump was read: the one date kept in clear
    for canary in (AUTHORITY, REFERRED_TO, BATCH, QUARANTINE_REASON, "Canary-Description-HH3K"):
        assert_absent(dump, canary)
    for canary_date in CANARY_DATES:
        assert_absent(dump, canary_date.isoformat())
    for record in written:
        assert_sealed(record)
