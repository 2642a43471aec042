"""Retention per data class, legal holds, anonymisation of closed cases, and the subject access export."""

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.utils import timezone

from access.models import User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case, CaseAssignment, CaseNote
from casework.services import case_note_add
from casework.transitions import CaseState
from conftest import latin
from people import services
from people.models import PersonName, Place, PlaceKind
from retention.models import RetentionRule
from retention.selectors import retention_due, subject_export
from retention.services import case_anonymise, legal_hold_lift, legal_hold_place


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user(Role.AGENCY_MANAGER)


@pytest.fixture
def dpo(data_protection_officer_a: User) -> User:
    return data_protection_officer_a


def _closed_years_ago(case: Case, years: int) -> Case:
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.CLOSED, state_changed_at=timezone.now() - timedelta(days=365 * years + 5)
    )
    case.refresh_from_db()
    return case


def test_the_report_lists_closed_cases_past_their_periods(register: Callable[..., Case], capsys) -> None:
    old = _closed_years_ago(register(), 11)
    _closed_years_ago(register(latin("Dinara")), 2)
    due = retention_due()
    assert [d.case for d in due] == [old]
    assert {"medical", "contact", "location"} <= {str(k) for k in due[0].classes}
    assert "identity" not in {str(k) for k in due[0].classes}
    call_command("retention_report")
    assert old.number in capsys.readouterr().out


def test_a_legal_hold_keeps_a_case_out_until_lifted(register: Callable[..., Case], manager: User) -> None:
    case = _closed_years_ago(register(), 11)
    hold = legal_hold_place(actor=manager, case=case, reason="Criminal proceedings")
    assert retention_due() == []
    with pytest.raises(ValidationError):
        case_anonymise(actor=manager, case=case)
    legal_hold_lift(actor=manager, hold=hold, reason="Proceedings over")
    assert [d.case for d in retention_due()] == [case]


def test_anonymising_erases_only_the_classes_past_retention_and_is_audited(
    register: Callable[..., Case], manager: User, caseworker_a: User, make_user: Callable[..., User]
) -> None:
    case = register(latin("Aigerim", "Nurlanova"))
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol")
    services.presence_record(
        actor=caseworker_a,
        person=case.person,
        place=camp,
        since=timezone.localdate() - timedelta(days=30),
        source="mission",
    )
    services.person_update(actor=caseworker_a, person=case.person, phone="+7 700 000 0000")
    doctor = make_user(Role.MEDICAL_OFFICER)
    CaseAssignment.objects.create(case=case, user=doctor, purpose="screening")
    case_note_add(actor=doctor, case=case, data_class="medical", text="Screening note")
    case = _closed_years_ago(case, 11)
    erased = {str(k) for k in case_anonymise(actor=manager, case=case)}
    assert {"contact", "location", "medical"} <= erased and "identity" not in erased
    case.person.refresh_from_db()
    assert case.person.phone == "" and not case.person.presences.exists() and not case.notes.exists()
    assert PersonName.objects.get(person=case.person).given == "Aigerim"  # identity is kept 25 years
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(case.pk)).exists()


def test_a_caseworker_cannot_anonymise(register: Callable[..., Case], caseworker_a: User) -> None:
    case = _closed_years_ago(register(), 30)
    with pytest.raises(PermissionDenied):
        case_anonymise(actor=caseworker_a, case=case)


def test_the_subject_export_holds_everything_and_is_audited(
    register: Callable[..., Case], dpo: User, caseworker_b: User
) -> None:
    case = register(latin("Aigerim", "Nurlanova"))
    held = subject_export(dpo, case.person_id)
    assert held["names"][0]["given"] == "Aigerim"
    assert held["case"]["number"] == case.number
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, person_id=case.person_id, actor=dpo).exists()
    with pytest.raises(PermissionDenied):
        subject_export(caseworker_b, case.person_id)


def test_retention_periods_are_data_for_every_class(db: None) -> None:
    from access.rules import DataClass

    assert set(RetentionRule.objects.values_list("data_class", flat=True)) == set(DataClass.values)


def test_sensitive_api_exports_need_a_fresh_code(register: Callable[..., Case], dpo: User, caseworker_a: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.test import APIClient

    from access.mfa import current_code

    case = register()
    api = APIClient()
    api.force_authenticate(dpo)
    url = f"/api/v1/persons/{case.person_id}/subject-export/"
    assert api.post(url, {"code": "123456"}, format="json").status_code == 403
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    response = api.post(url, {"code": current_code(device)}, format="json")
    assert response.status_code == 200 and response.json()["case"]["number"] == case.number
    worker = APIClient()
    worker.force_authenticate(caseworker_a)
    assert worker.post("/api/v1/persons/export/", {"code": "000000"}, format="json").status_code == 403
    device = TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    response = worker.post("/api/v1/persons/export/", {"code": current_code(device)}, format="json")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_the_subject_export_holds_the_programme_records_too(
    register: Callable[..., Case], dpo: User, caseworker_a: User
) -> None:
    from datetime import date

    from reception.models import LegalAssessment, LegalStatus, Quarantine

    case = register(latin("Aigerim", "Nurlanova"))
    LegalAssessment.objects.create(
        person_id=case.person_id,
        case=case,
        status=LegalStatus.UNDER_INVESTIGATION,
        decided_on=date(2019, 2, 1),
        authority="Prosecutor's office",
        notes="Interviewed twice",
        recorded_by=caseworker_a,
    )
    aktau = Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Aktau")
    Quarantine.objects.create(
        person_id=case.person_id,
        starts_on=date(2019, 1, 6),
        ends_on=date(2019, 1, 20),
        place_ref=aktau.pk,
        recorded_by=caseworker_a,
    )
    held = subject_export(dpo, case.person_id)["programme"]
    legal = held["reception.legalassessment"]
    assert legal[0]["status"] == LegalStatus.UNDER_INVESTIGATION and legal[0]["notes"] == "Interviewed twice"
    assert held["reception.quarantine"][0]["starts_on"] == "2019-01-06"


def test_an_agency_manager_may_not_export_everything_held_about_a_person(
    register: Callable[..., Case], manager: User
) -> None:
    case = register()
    with pytest.raises(PermissionDenied):
        subject_export(manager, case.person_id)
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=manager).exists()
    client = Client()
    client.force_login(manager)
    assert client.get(f"/people/{case.person_id}/everything-held.json").status_code == 403


def test_a_data_protection_officer_answers_for_persons_of_their_own_agency_only(
    register: Callable[..., Case], dpo: User, caseworker_b: User
) -> None:
    own = register()
    other = register(actor=caseworker_b)
    assert subject_export(dpo, own.person_id)["case"]["number"] == own.number
    with pytest.raises(Http404):
        subject_export(dpo, other.person_id)


def test_the_subject_export_leaves_out_genetic_results_not_yet_released(
    register: Callable[..., Case], dpo: User, make_user: Callable[..., User]
) -> None:
    case = register()
    analyst = make_user(Role.LAB_ANALYST)
    CaseAssignment.objects.create(case=case, user=analyst, purpose="kinship")
    released = case_note_add(actor=analyst, case=case, data_class="genetic", text="Kinship confirmed")
    CaseNote.objects.filter(pk=released.pk).update(released_at=timezone.now())
    case_note_add(actor=analyst, case=case, data_class="genetic", text="Unchecked: mother excluded")
    notes = subject_export(dpo, case.person_id)["case"]["notes"]
    assert [n["text"] for n in notes] == ["Kinship confirmed"]


def test_the_everything_held_file_answers_for_a_person_with_a_growth_measurement(
    register: Callable[..., Case], dpo: User, caseworker_a: User
) -> None:
    from datetime import date
    from decimal import Decimal

    from reception.models import GrowthMeasurement

    case = register(born=date(2017, 3, 1))
    GrowthMeasurement.objects.create(
        person=case.person,
        measured_on=date(2019, 1, 10),
        weight_kg=Decimal("12.40"),
        height_cm=Decimal("90.5"),
        recorded_by=caseworker_a,
    )
    client = Client()
    client.force_login(dpo)
    response = client.get(f"/people/{case.person_id}/everything-held.json")
    assert response.status_code == 200
    growth = json.loads(response.content)["programme"]["reception.growthmeasurement"][0]
    assert (growth["weight_kg"], growth["height_cm"]) == ("12.40", "90.5")
