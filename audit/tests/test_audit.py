"""Every write, every view of a person and every refusal is recorded; nobody can change the record."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from rest_framework.test import APIClient

from access.models import User
from audit.models import AppendOnlyError, AuditAction, AuditEntry
from casework.models import Case
from casework.services import case_note_add, case_transition
from conftest import latin
from people import services


def test_registering_a_person_records_who_and_what(register: Callable[..., Case], caseworker_a: User) -> None:
    case = register(latin("Aigerim", "Nurlanova"))
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, person_id=case.person_id)
    assert {e.object_type for e in created} == {"people.person", "casework.case"}
    entry = created.get(object_type="people.person")  # the person and their names: one entry
    assert entry.actor == caseworker_a and entry.agency_name == "SPA"
    assert entry.changes["names"][0]["given"] == [None, "Aigerim"]


def test_an_update_records_old_and_new_values(register: Callable[..., Case], caseworker_a: User) -> None:
    person = register(born=date(1990, 5, 1)).person
    services.person_update(actor=caseworker_a, person=person, birth_date=date(1991, 5, 1), reason="Passport seen")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.changes == {"birth_date": ["1990-05-01", "1991-05-01"]}
    assert entry.reason == "Passport seen"


def test_sensitive_values_are_masked(register: Callable[..., Case], make_user: Callable[..., User]) -> None:
    from access.rules import Role
    from casework.models import CaseAssignment

    case = register()
    doctor = make_user(Role.MEDICAL_OFFICER)
    CaseAssignment.objects.create(case=case, user=doctor, purpose="screening")
    case_note_add(actor=doctor, case=case, data_class="medical", text="Tuberculosis test positive")
    entry = AuditEntry.objects.get(object_type="casework.casenote")
    assert "Tuberculosis" not in str(entry.changes)


def test_views_of_a_person_are_recorded_on_page_and_api(register: Callable[..., Case], caseworker_a: User) -> None:
    case = register()
    client = Client()
    client.force_login(caseworker_a)
    client.get(f"/people/{case.person_id}/")
    api = APIClient()
    api.force_authenticate(caseworker_a)
    api.get(f"/api/v1/persons/{case.person_id}/")
    views = AuditEntry.objects.filter(action=AuditAction.VIEW, person_id=case.person_id, actor=caseworker_a)
    assert {e.path for e in views} == {f"/people/{case.person_id}/", f"/api/v1/persons/{case.person_id}/"}


def test_searches_and_refusals_are_recorded(
    register: Callable[..., Case], caseworker_a: User, caseworker_b: User
) -> None:
    case = register()
    client = Client()
    client.force_login(caseworker_b)
    client.get("/people/?q=Aigerim")
    assert client.get(f"/people/{case.person_id}/").status_code == 404
    assert AuditEntry.objects.filter(actor=caseworker_b, action=AuditAction.SEARCH).exists()
    assert AuditEntry.objects.filter(actor=caseworker_b, action=AuditAction.DENIED).exists()


def test_a_refused_transition_is_kept_in_the_log(register: Callable[..., Case], caseworker_a: User, client) -> None:
    case = register()
    client.force_login(caseworker_a)
    case_transition(actor=caseworker_a, case=case, transition="ask_consent")
    # A caseworker may not close: the refusal itself is recorded, after the rollback.
    response = client.post(f"/cases/{case.pk}/transition/", {"transition": "close", "reason": "x"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor=caseworker_a).exists()


def test_entries_cannot_be_changed_or_deleted(register: Callable[..., Case]) -> None:
    register()
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_auditor_filters_the_log_by_user_person_and_action(
    register: Callable[..., Case], caseworker_a: User, auditor: User
) -> None:
    case = register()
    other = register(latin("Dinara"))
    client = Client()
    client.force_login(caseworker_a)
    client.get(f"/people/{case.person_id}/")
    client.get(f"/people/{other.person_id}/")
    api = APIClient()
    api.force_authenticate(auditor)
    body = api.get(
        "/api/v1/audit/", {"username": "caseworker_a", "person_id": str(case.person_id), "action": "view"}
    ).json()
    assert body["count"] == 1
    assert body["results"][0]["person_id"] == case.person_id
    assert body["results"][0]["path"] == f"/people/{case.person_id}/"
    page = Client()
    page.force_login(auditor)
    html = page.get("/audit/", {"person_id": str(case.person_id), "action": "view"}).content.decode()
    assert "caseworker_a" in html
    assert f"people.person {other.person_id}" not in html


def test_the_audit_log_is_for_auditors_only(caseworker_a: User, supervisor_a: User, auditor: User) -> None:
    for user in (caseworker_a, supervisor_a):
        client = Client()
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/audit/").status_code == 403
    api = APIClient()
    api.force_authenticate(auditor)
    assert api.get("/api/v1/audit/").status_code == 200


def test_an_auditor_sees_no_case_contents(register: Callable[..., Case], auditor: User) -> None:
    case = register()
    client = Client()
    client.force_login(auditor)
    assert client.get(f"/people/{case.person_id}/").status_code == 404
    assert client.get("/people/").status_code == 403


def test_auditors_see_which_fields_changed_but_not_the_values(
    register: Callable[..., Case], caseworker_a: User, auditor: User
) -> None:
    register(latin("Aigerim", "Nurlanova"))
    api = APIClient()
    api.force_authenticate(auditor)
    body = api.get("/api/v1/audit/", {"action": "create"}).json()
    assert "Nurlanova" not in str(body)
    assert any("names.family" in row["changes"] for row in body["results"])
    page = Client()
    page.force_login(auditor)
    html = page.get("/audit/", {"action": "create"}).content.decode()
    assert "Nurlanova" not in html and "family" in html
