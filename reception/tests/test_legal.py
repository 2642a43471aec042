"""The legal assessment is a special category: only the assigned legal officer sees it, anywhere."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from access.models import User
from audit.models import AuditEntry
from audit.services import MASK
from casework.models import Case
from reception import services
from reception.legal import HELD_ACCOUNTABLE, MOVEMENT_RESTRICTED, current_statuses
from reception.models import LegalAssessment, LegalStatus

SECRET_REFERENCE = "NSC-7731-SECRET"
SECRET_NOTE = "Fought with a named brigade"


@pytest.fixture
def assessed(evacuate: Callable[..., Case], assign: Callable, legal_officer: User) -> LegalAssessment:
    case = evacuate()
    assign(case, legal_officer)
    return services.legal_assessment_record(
        actor=legal_officer,
        person=case.person,
        status=LegalStatus.DETAINED_CHARGED,
        decided_on=date(2019, 5, 12),
        authority="National Security Committee",
        reference=SECRET_REFERENCE,
        notes=SECRET_NOTE,
    )


def _leaks(text: str) -> bool:
    return any(s in text for s in ("Detained or charged", "detained_charged", SECRET_REFERENCE, SECRET_NOTE))


def test_the_assigned_legal_officer_sees_the_assessment_on_the_page_and_in_the_api(
    assessed: LegalAssessment, legal_officer: User
) -> None:
    page, api = Client(), APIClient()
    page.force_login(legal_officer)
    api.force_authenticate(legal_officer)
    html = page.get(f"/reception/people/{assessed.person_id}/").content.decode()
    assert "Detained or charged" in html and SECRET_REFERENCE in html
    listed = api.get("/api/v1/legal-assessments/").json()["results"]
    assert [row["status"] for row in listed] == ["detained_charged"]
    detail = api.get(f"/api/v1/legal-assessments/{assessed.pk}/").json()
    assert detail["reference"] == SECRET_REFERENCE


@pytest.mark.parametrize("who", ["caseworker_a", "supervisor_a", "doctor", "statistician", "legal_officer_b"])
def test_nobody_else_sees_the_legal_status_on_pages_api_or_errors(
    request: pytest.FixtureRequest, assessed: LegalAssessment, assign: Callable, who: str
) -> None:
    user: User = request.getfixturevalue(who)
    if who == "doctor":
        assign(assessed.case, user)
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    person_id = assessed.person_id
    answers: list[Any] = [
        page.get(f"/reception/people/{person_id}/"),
        page.get(f"/reception/people/{person_id}/legal/"),
        page.post(f"/reception/people/{person_id}/legal/", {"status": "convicted"}),
        api.get("/api/v1/legal-assessments/"),
        api.get(f"/api/v1/legal-assessments/?person={person_id}"),
        api.get(f"/api/v1/legal-assessments/{assessed.pk}/"),
        api.post("/api/v1/legal-assessments/", {"person": person_id, "status": "convicted"}, format="json"),
        page.get(f"/people/{person_id}/"),
        api.get(f"/api/v1/persons/{person_id}/"),
    ]
    for response in answers:
        assert not _leaks(response.content.decode()), (who, response.request["PATH_INFO"])
    assert answers[3].status_code == 200 and answers[3].json()["results"] == []
    assert answers[5].status_code == 404
    assert answers[2].status_code in (403, 404) and answers[6].status_code in (400, 403, 404)
    assert LegalAssessment.objects.count() == 1


def test_the_reception_page_has_no_legal_section_for_a_caseworker(
    assessed: LegalAssessment, caseworker_a: User
) -> None:
    client = Client()
    client.force_login(caseworker_a)
    html = client.get(f"/reception/people/{assessed.person_id}/").content.decode()
    assert 'id="legal"' not in html and "Legal assessment" not in html


def test_status_reference_and_notes_are_encrypted_at_rest(assessed: LegalAssessment) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, reference, notes FROM reception_legalassessment WHERE id = %s", [assessed.pk])
        row = cursor.fetchone()
    assert all(value.startswith("zhenc:") for value in row)
    assert not any(s in " ".join(row) for s in ("detained", SECRET_REFERENCE, SECRET_NOTE))
    assert LegalAssessment.objects.get(pk=assessed.pk).status == LegalStatus.DETAINED_CHARGED


def test_the_write_is_audited_with_the_values_masked(assessed: LegalAssessment) -> None:
    entry = AuditEntry.objects.get(object_type="reception.legalassessment", action="create")
    assert entry.person_id == assessed.person_id
    assert entry.changes["status"] == [MASK, MASK] and entry.changes["reference"] == [MASK, MASK]
    assert "detained" not in str(entry.changes)


def test_every_read_is_audited(assessed: LegalAssessment, legal_officer: User) -> None:
    page, api = Client(), APIClient()
    page.force_login(legal_officer)
    api.force_authenticate(legal_officer)
    before = AuditEntry.objects.filter(actor=legal_officer, action="view").count()
    page.get(f"/reception/people/{assessed.person_id}/")
    api.get("/api/v1/legal-assessments/")
    api.get(f"/api/v1/legal-assessments/{assessed.pk}/")
    views = AuditEntry.objects.filter(actor=legal_officer, action="view").order_by("seq")[before:]
    assert len(views) == 3
    assert all(v.person_id == assessed.person_id for v in views)
    assert "legal" in views[0].changes["reception"]


def test_a_caseworker_cannot_record_one(evacuate: Callable[..., Case], caseworker_a: User) -> None:
    case = evacuate()
    with pytest.raises(PermissionDenied):
        services.legal_assessment_record(
            actor=caseworker_a, person=case.person, status="convicted", decided_on=date(2019, 6, 1), authority="X"
        )
    assert LegalAssessment.objects.count() == 0


def test_bad_input_is_refused_per_field_and_writes_nothing(
    evacuate: Callable[..., Case], assign: Callable, legal_officer: User
) -> None:
    case = evacuate()
    assign(case, legal_officer)
    client = Client()
    client.force_login(legal_officer)
    response = client.post(
        f"/reception/people/{case.person_id}/legal/",
        {"status": "convicted", "decided_on": "2019-06-01", "valid_until": "2019-05-01", "authority": "Court"},
    )
    assert response.status_code == 200
    assert "The end of validity cannot be before the decision." in response.content.decode()
    assert LegalAssessment.objects.count() == 0


def test_the_form_records_an_assessment(evacuate: Callable[..., Case], assign: Callable, legal_officer: User) -> None:
    case = evacuate()
    assign(case, legal_officer)
    client = Client()
    client.force_login(legal_officer)
    response = client.post(
        f"/reception/people/{case.person_id}/legal/",
        {"status": "movement_restriction", "decided_on": "2019-06-01", "authority": "Prosecutor"},
    )
    assert response.status_code == 302
    assert LegalAssessment.objects.get().status == LegalStatus.MOVEMENT_RESTRICTION


def test_current_statuses_take_the_latest_decision_per_person(
    evacuate: Callable[..., Case], assign: Callable, legal_officer: User
) -> None:
    first, second = evacuate(), evacuate()
    for case in (first, second):
        assign(case, legal_officer)

    def record(case: Case, status: str, on: date) -> None:
        services.legal_assessment_record(
            actor=legal_officer, person=case.person, status=status, decided_on=on, authority="NSC"
        )

    record(first, LegalStatus.UNDER_INVESTIGATION, date(2019, 5, 10))
    record(first, LegalStatus.CONVICTED, date(2019, 9, 1))
    record(first, LegalStatus.NO_GROUNDS, date(2019, 6, 1))  # recorded later, decided earlier: not current
    record(second, LegalStatus.MOVEMENT_RESTRICTION, date(2019, 5, 10))
    statuses = current_statuses()
    assert statuses == {first.person_id: "convicted", second.person_id: "movement_restriction"}
    assert current_statuses([second.person_id]) == {second.person_id: "movement_restriction"}
    assert statuses[first.person_id] in HELD_ACCOUNTABLE
    assert statuses[second.person_id] == MOVEMENT_RESTRICTED
