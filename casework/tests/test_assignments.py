"""Supervisors decide who works on a case; access follows at the very next request."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment
from casework.services import assignment_end, case_assign, case_reassign


def test_a_supervisor_hands_a_case_to_another_caseworker_who_then_sees_it(
    register: Callable[..., Case], supervisor_a: User, make_user: Callable[..., User]
) -> None:
    case = register()
    colleague = make_user(Role.CASEWORKER)
    api = APIClient()
    api.force_authenticate(colleague)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    case_reassign(
        actor=supervisor_a, case=case, caseworker=colleague, supervisor=supervisor_a, team=None, reason="Workload"
    )
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_a_caseworker_cannot_reassign(register: Callable[..., Case], caseworker_a: User) -> None:
    case = register()
    with pytest.raises(PermissionDenied):
        case_reassign(actor=caseworker_a, case=case, caseworker=caseworker_a, supervisor=None, team=None)


def test_responsibility_stays_within_the_responsible_agency(
    register: Callable[..., Case], supervisor_a: User, caseworker_b: User
) -> None:
    case = register()
    with pytest.raises(ValidationError, match="responsible agency"):
        case_reassign(actor=supervisor_a, case=case, caseworker=caseworker_b, supervisor=None, team=None)
    case.refresh_from_db()
    assert case.caseworker != caseworker_b


def test_ending_an_assignment_removes_access_at_the_next_request(
    register: Callable[..., Case], supervisor_a: User, make_user: Callable[..., User]
) -> None:
    case = register()
    doctor = make_user(Role.MEDICAL_OFFICER)
    assignment = case_assign(actor=supervisor_a, case=case, user=doctor, purpose="Screening")
    api = APIClient()
    api.force_authenticate(doctor)
    assert api.get(f"/api/v1/persons/{case.person_id}/").status_code == 200
    assignment_end(actor=supervisor_a, assignment=assignment, reason="Screening done")
    assert api.get(f"/api/v1/persons/{case.person_id}/").status_code == 404


def test_assignment_needs_a_purpose(
    register: Callable[..., Case], supervisor_a: User, make_user: Callable[..., User]
) -> None:
    with pytest.raises(ValidationError, match="why"):
        case_assign(actor=supervisor_a, case=register(), user=make_user(Role.PSYCHOLOGIST), purpose="  ")
    assert not CaseAssignment.objects.exists()


def test_the_page_lets_a_supervisor_assign_and_end(
    register: Callable[..., Case], supervisor_a: User, make_user: Callable[..., User], client
) -> None:
    case = register()
    psychologist = make_user(Role.PSYCHOLOGIST)
    client.force_login(supervisor_a)
    page = client.get(f"/people/{case.person_id}/").content.decode()
    assert "Who works on this case" in page
    client.post(f"/cases/{case.pk}/assignments/", {"user": psychologist.pk, "purpose": "Support"})
    assignment = CaseAssignment.objects.get(user=psychologist)
    client.post(f"/cases/{case.pk}/assignments/{assignment.pk}/end/", {"reason": "done"})
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
