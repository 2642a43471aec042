"""Quarantine, tests, vaccinations with catch-up, treatments and referrals: medical class only."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from access.models import User
from audit.models import AuditEntry
from audit.services import MASK
from casework.models import Case
from conftest import latin
from people.models import Person, Place
from reception import services
from reception.models import MedicalTest, Quarantine, Treatment, Vaccination, Vaccine
from reception.models import TestKind as KindOfTest
from reception.vaccination import catch_up

ON = date(2019, 5, 10)


@pytest.fixture
def patient(evacuate: Callable[..., Case], assign: Callable, doctor: User) -> Case:
    case = evacuate(latin("Amina", "Nurlanova"), born=date(2016, 3, 1))
    assign(case, doctor)
    return case


def test_a_test_result_is_encrypted_at_rest_and_the_audit_masks_it(patient: Case, doctor: User) -> None:
    test = services.medical_test_record(
        actor=doctor,
        person=patient.person,
        kind=KindOfTest.objects.get(code="hiv"),
        taken_on=ON,
        result="reactive, confirm",
        result_on=ON + timedelta(days=3),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT result FROM reception_medicaltest WHERE id = %s", [test.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("zhenc:") and "reactive" not in stored
    entry = AuditEntry.objects.get(object_type="reception.medicaltest")
    assert entry.changes["result"] == [MASK, MASK]


def test_a_result_dated_before_the_test_is_refused(patient: Case, doctor: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.medical_test_record(
            actor=doctor,
            person=patient.person,
            kind=KindOfTest.objects.get(code="tuberculosis"),
            taken_on=ON,
            result="negative",
            result_on=ON - timedelta(days=1),
        )
    assert "result_on" in refused.value.message_dict and not MedicalTest.objects.exists()


def test_quarantine_dates_are_checked(patient: Case, doctor: User, aktau: Place) -> None:
    for starts, ends, field in ((ON, ON - timedelta(days=1), "ends_on"), (ON, ON + timedelta(days=120), "ends_on")):
        with pytest.raises(ValidationError) as refused:
            services.quarantine_record(actor=doctor, person=patient.person, starts_on=starts, ends_on=ends, place=aktau)
        assert field in refused.value.message_dict
    services.quarantine_record(
        actor=doctor, person=patient.person, starts_on=ON, ends_on=ON + timedelta(days=14), place=aktau
    )
    assert Quarantine.objects.count() == 1


def test_a_referral_must_name_the_service(patient: Case, doctor: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.treatment_record(actor=doctor, person=patient.person, kind="referral", description="Surgery", on=ON)
    assert "referred_to" in refused.value.message_dict
    services.treatment_record(
        actor=doctor, person=patient.person, kind="referral", description="Surgery", on=ON, referred_to="Aktau hospital"
    )
    assert Treatment.objects.get().referred_to == "Aktau hospital"


def test_a_caseworker_may_not_record_medical_data(patient: Case, caseworker_a: User, aktau: Place) -> None:
    with pytest.raises(PermissionDenied):
        services.quarantine_record(
            actor=caseworker_a, person=patient.person, starts_on=ON, ends_on=ON + timedelta(days=14), place=aktau
        )
    assert not Quarantine.objects.exists()


def test_a_dose_is_recorded_once_and_must_exist_in_the_schedule(patient: Case, doctor: User) -> None:
    mmr = Vaccine.objects.get(code="mmr")
    services.vaccination_record(actor=doctor, person=patient.person, vaccine=mmr, dose_number=1, given_on=ON)
    for number in (1, 7):
        with pytest.raises(ValidationError) as refused:
            services.vaccination_record(
                actor=doctor, person=patient.person, vaccine=mmr, dose_number=number, given_on=ON
            )
        assert "dose_number" in refused.value.message_dict
    assert Vaccination.objects.count() == 1


# --- catch-up ------------------------------------------------------------------------------------------------


def _child(born: date) -> Person:
    return Person(birth_date=born, birth_date_precision="day", sex="F")


def _due(person: Person, on: date, given: list[Vaccination] | None = None) -> dict[str, tuple[int, bool]]:
    return {d.vaccine.code: (d.dose.number, d.overdue) for d in catch_up(person, on, given=given or [])}


@pytest.mark.django_db
def test_a_newborn_is_due_birth_doses_only() -> None:
    assert _due(_child(ON), ON) == {"bcg": (1, False), "hepb": (1, False)}


@pytest.mark.django_db
def test_an_unvaccinated_three_year_old_is_overdue_for_the_first_dose_of_each_vaccine() -> None:
    due = _due(_child(date(2016, 3, 1)), ON)
    assert due["dtp"] == (1, True) and due["mmr"] == (1, True) and due["polio"] == (1, True)
    assert due["hib"] == (1, True)  # Hib stops at 59 months: a three-year-old still gets it


@pytest.mark.django_db
def test_vaccines_with_an_upper_age_are_not_offered_past_it() -> None:
    due = _due(_child(date(2013, 3, 1)), ON)
    assert "hib" not in due and "pcv" not in due and due["dtp"] == (1, True)


@pytest.mark.django_db
def test_the_next_dose_waits_for_the_minimum_interval() -> None:
    child = _child(date(2016, 3, 1))
    dtp = Vaccine.objects.get(code="dtp")
    given = [Vaccination(vaccine=dtp, dose_number=1, given_on=ON)]
    assert "dtp" not in _due(child, ON + timedelta(days=27), given)
    assert _due(child, ON + timedelta(days=28), given)["dtp"] == (2, False)
    assert _due(child, ON + timedelta(days=60), given)["dtp"] == (2, True)


@pytest.mark.django_db
def test_a_dose_is_not_due_before_its_recommended_age() -> None:
    child = _child(ON - timedelta(days=50))  # old enough for DTP (42 days) but the schedule says 2 months
    assert "dtp" not in _due(child, ON)
    assert _due(child, ON + timedelta(days=15))["dtp"] == (1, False)


@pytest.mark.django_db
def test_adults_and_children_without_a_date_of_birth_get_no_catch_up() -> None:
    assert _due(_child(date(1990, 1, 1)), ON) == {}
    assert _due(Person(birth_date=None, birth_date_precision="unknown"), ON) == {}


# --- pages and API -------------------------------------------------------------------------------------------


def _fill(case: Case, doctor: User, aktau: Place, rows: int) -> None:
    kinds = list(KindOfTest.objects.all())
    vaccines = list(Vaccine.objects.all())
    for i in range(rows):
        day = ON + timedelta(days=i)
        services.quarantine_record(actor=doctor, person=case.person, starts_on=day, ends_on=day, place=aktau)
        services.medical_test_record(actor=doctor, person=case.person, kind=kinds[i % len(kinds)], taken_on=day)
        services.treatment_record(actor=doctor, person=case.person, kind="treatment", description="Care", on=day)
        if i < len(vaccines):
            services.vaccination_record(
                actor=doctor, person=case.person, vaccine=vaccines[i], dose_number=1, given_on=day
            )


def test_the_reception_page_makes_the_same_number_of_queries_for_2_or_20_rows(
    evacuate: Callable[..., Case], assign: Callable, doctor: User, aktau: Place
) -> None:
    client = Client()
    client.force_login(doctor)

    def count(case: Case) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/reception/people/{case.person_id}/").status_code == 200
        return len(captured)

    small, large = evacuate(latin("Small", "Family")), evacuate(latin("Large", "Family"))
    for case, rows in ((small, 2), (large, 20)):
        assign(case, doctor)
        _fill(case, doctor, aktau, rows)
    assert count(large) == count(small)


def test_the_medical_sections_show_for_the_doctor_and_not_for_others(
    patient: Case, doctor: User, caseworker_a: User, assign: Callable, legal_officer: User, aktau: Place
) -> None:
    _fill(patient, doctor, aktau, 1)
    assign(patient, legal_officer)
    client = Client()
    client.force_login(doctor)
    html = client.get(f"/reception/people/{patient.person_id}/").content.decode()
    assert "Quarantine" in html and "Catch-up" in html and "HIV" in html
    for user in (caseworker_a, legal_officer):
        client.force_login(user)
        html = client.get(f"/reception/people/{patient.person_id}/").content.decode()
        assert "Quarantine" not in html and "HIV" not in html and "Catch-up" not in html


def test_the_api_lists_only_what_the_policy_allows(
    patient: Case, doctor: User, caseworker_a: User, caseworker_b: User, aktau: Place
) -> None:
    _fill(patient, doctor, aktau, 2)
    api = APIClient()
    api.force_authenticate(doctor)
    for path in ("quarantines", "medical-tests", "vaccinations", "treatments"):
        assert api.get(f"/api/v1/{path}/").json()["count"] == 2, path
    for user in (caseworker_a, caseworker_b):
        api.force_authenticate(user)
        for path in ("quarantines", "medical-tests", "vaccinations", "treatments"):
            assert api.get(f"/api/v1/{path}/").json()["count"] == 0, path
    api.force_authenticate(caseworker_b)
    assert api.get(f"/api/v1/quarantines/?person={patient.person_id}").status_code == 404


def test_creating_for_a_person_out_of_reach_is_a_404(patient: Case, make_user: Callable, agency_b: object) -> None:
    outsider = make_user("medical_officer", agency=agency_b)
    api = APIClient()
    api.force_authenticate(outsider)
    response = api.post(
        "/api/v1/quarantines/",
        {"person": patient.person_id, "starts_on": "2019-05-10", "ends_on": "2019-05-24", "place": 1},
        format="json",
    )
    assert response.status_code in (400, 404)
    assert not Quarantine.objects.exists()


def test_the_api_records_a_test_and_answers_bad_input_per_field(patient: Case, doctor: User) -> None:
    api = APIClient()
    api.force_authenticate(doctor)
    kind = KindOfTest.objects.get(code="measles-igg")
    ok = api.post(
        "/api/v1/medical-tests/",
        {"person": patient.person_id, "kind": kind.pk, "taken_on": "2019-05-10"},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["result"] == ""
    bad = api.post(
        "/api/v1/medical-tests/",
        {
            "person": patient.person_id,
            "kind": kind.pk,
            "taken_on": "2019-05-10",
            "result_on": "2019-05-01",
            "result": "x",
        },
        format="json",
    )
    assert bad.status_code == 400 and "result_on" in bad.json()["errors"]
    assert MedicalTest.objects.count() == 1


def test_the_forms_record_medical_data(patient: Case, doctor: User, aktau: Place) -> None:
    client = Client()
    client.force_login(doctor)
    base = f"/reception/people/{patient.person_id}"
    posts = {
        "quarantine": {"starts_on": "2019-05-10", "ends_on": "2019-05-24", "place": aktau.pk, "reason": "Arrival"},
        "tests": {"kind": KindOfTest.objects.get(code="hiv").pk, "taken_on": "2019-05-10"},
        "vaccinations": {"vaccine": Vaccine.objects.get(code="mmr").pk, "dose_number": 1, "given_on": "2019-05-11"},
        "treatments": {"kind": "nutrition", "description": "Therapeutic food", "on": "2019-05-11"},
        "growth": {"measured_on": "2019-05-11", "weight_kg": "12.5", "height_cm": "92", "position": "H"},
    }
    for path, data in posts.items():
        assert client.get(f"{base}/{path}/").status_code == 200
        assert client.post(f"{base}/{path}/", data).status_code == 302, path
    html = client.get(f"{base}/").content.decode()
    assert "Therapeutic food" in html and "Measles" in html


def test_the_api_lists_make_the_same_number_of_queries_for_2_or_20_persons(
    evacuate: Callable[..., Case], assign: Callable, doctor: User, aktau: Place
) -> None:
    api = APIClient()
    api.force_authenticate(doctor)

    def add(count: int) -> None:
        for i in range(count):
            case = evacuate(latin("Child", f"Family{i}-{count}"), born=date(2016, 3, 1))
            assign(case, doctor)
            services.quarantine_record(
                actor=doctor, person=case.person, starts_on=ON, ends_on=ON + timedelta(days=14), place=aktau
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/quarantines/").status_code == 200
        return len(captured)

    add(2)
    small = queries()
    add(18)
    assert api.get("/api/v1/quarantines/").json()["count"] == 20
    assert queries() == small
