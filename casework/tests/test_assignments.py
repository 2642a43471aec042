"""Supervisors decide who works on a case; access follows at the very next request."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import BreakGlassGrant, User
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
    case_reassign(actor=supervisor_a, case=case, caseworker=colleague, supervisor=None, team=None, reason="Workload")
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


def _emergency_grant(user: User, case: Case) -> BreakGlassGrant:
    now = timezone.now()
    return BreakGlassGrant.objects.create(
        user=user,
        case=case,
        case_number=case.number,
        category="child_at_risk",
        reason="Child reported ill at night, mother unreachable",
        granted_at=now,
        expires_at=now + timedelta(minutes=60),
    )


def test_a_supervisor_of_another_agency_inside_through_break_glass_cannot_assign_the_case_to_themselves(
    register: Callable[..., Case], supervisor_b: User
) -> None:
    case = register()
    _emergency_grant(supervisor_b, case)
    api = APIClient()
    api.force_authenticate(supervisor_b)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    answer = api.post(
        f"/api/v1/cases/{case.pk}/assignments/", {"user": supervisor_b.pk, "purpose": "Keep it"}, format="json"
    )
    assert answer.status_code == 403
    assert not CaseAssignment.objects.exists()
    BreakGlassGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_reach_through_break_glass_alone_lets_nobody_assign_or_change_responsibility(
    register: Callable[..., Case], make_user: Callable[..., User], supervisor_a: User, supervisor_b: User
) -> None:
    case = register()
    _emergency_grant(supervisor_b, case)
    with pytest.raises(PermissionDenied):
        case_assign(actor=supervisor_b, case=case, user=make_user(Role.PSYCHOLOGIST), purpose="Support")
    with pytest.raises(PermissionDenied):
        case_reassign(actor=supervisor_b, case=case, caseworker=None, supervisor=supervisor_a, team=None)
    case.refresh_from_db()
    assert case.supervisor is None
    assert not CaseAssignment.objects.exists()


def test_a_supervisor_of_another_agency_assigned_as_a_specialist_still_cannot_assign(
    register: Callable[..., Case], supervisor_a: User, supervisor_b: User, make_user: Callable[..., User]
) -> None:
    case = register()
    case_assign(actor=supervisor_a, case=case, user=supervisor_b, purpose="Joint visit")
    with pytest.raises(PermissionDenied):
        case_assign(actor=supervisor_b, case=case, user=make_user(Role.PSYCHOLOGIST), purpose="Support")
    assert CaseAssignment.objects.count() == 1


def test_nobody_assigns_a_case_to_themselves(register: Callable[..., Case], supervisor_a: User) -> None:
    case = register()
    with pytest.raises(ValidationError, match="themselves"):
        case_assign(actor=supervisor_a, case=case, user=supervisor_a, purpose="Support")
    with pytest.raises(ValidationError, match="themselves"):
        case_reassign(actor=supervisor_a, case=case, caseworker=supervisor_a, supervisor=None, team=None)
    with pytest.raises(ValidationError, match="themselves"):
        case_reassign(actor=supervisor_a, case=case, caseworker=None, supervisor=supervisor_a, team=None)
    case.refresh_from_db()
    assert case.supervisor is None and case.caseworker is not None
    assert not CaseAssignment.objects.exists()


def test_a_supervisor_already_responsible_may_still_change_the_team(
    register: Callable[..., Case], supervisor_a: User, make_user: Callable[..., User], team_a
) -> None:
    case = register()
    colleague = make_user(Role.SUPERVISOR)
    case_reassign(actor=colleague, case=case, caseworker=case.caseworker, supervisor=supervisor_a, team=None)
    case_reassign(actor=supervisor_a, case=case, caseworker=case.caseworker, supervisor=supervisor_a, team=team_a)
    case.refresh_from_db()
    assert case.team == team_a and case.supervisor == supervisor_a
