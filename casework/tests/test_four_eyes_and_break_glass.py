"""Closing a case and releasing a genetic result need a second person (emergency access: test_break_glass.py)."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access.models import Notification, User
from access.rules import Role
from casework.approvals import approval_decide, closing_request, genetic_release_request
from casework.models import ApprovalRequest, Case, CaseAssignment, CaseNote
from casework.services import case_note_add, case_transition
from casework.transitions import CaseState

TO_FOLLOW_UP = [
    "ask_consent",
    "consent",
    "evacuate",
    "receive",
    "admit",
    "relocate",
    "enrol_locally",
    "start_follow_up",
]


def _in_follow_up(case: Case, actor: User) -> Case:
    for step in TO_FOLLOW_UP:
        case = case_transition(actor=actor, case=case, transition=step)
    return case


@pytest.fixture
def second_supervisor(make_user: Callable[..., User], team_a) -> User:
    return make_user(Role.SUPERVISOR, team=team_a, username="supervisor_two")


def test_closing_is_asked_by_one_supervisor_and_done_by_another(
    register: Callable[..., Case], caseworker_a: User, supervisor_a: User, second_supervisor: User
) -> None:
    case = _in_follow_up(register(), caseworker_a)
    with pytest.raises(ValidationError, match="second person"):
        case_transition(actor=supervisor_a, case=case, transition="close", reason="Goals met")
    request = closing_request(actor=supervisor_a, case=case, transition="close", reason="Reintegration goals met")
    assert Notification.objects.filter(recipient=second_supervisor).exists()
    with pytest.raises(PermissionDenied, match="own request"):
        approval_decide(actor=supervisor_a, request=request, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.FOLLOW_UP
    approval_decide(actor=second_supervisor, request=request, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert ApprovalRequest.objects.get().decided_by == second_supervisor


def test_a_rejected_closing_changes_nothing(
    register: Callable[..., Case], caseworker_a: User, supervisor_a: User, second_supervisor: User
) -> None:
    case = _in_follow_up(register(), caseworker_a)
    request = closing_request(actor=supervisor_a, case=case, transition="close", reason="Reintegration goals met")
    approval_decide(actor=second_supervisor, request=request, approve=False, note="Follow-up visit still due")
    case.refresh_from_db()
    assert case.state == CaseState.FOLLOW_UP


def test_the_database_refuses_a_self_approval_even_past_the_service(
    register: Callable[..., Case], caseworker_a: User, supervisor_a: User
) -> None:
    from django.db import IntegrityError, transaction

    case = _in_follow_up(register(), caseworker_a)
    request = closing_request(actor=supervisor_a, case=case, transition="close", reason="Reintegration goals met")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.filter(pk=request.pk).update(decided_by=supervisor_a, decided_at=timezone.now())


def test_a_genetic_result_is_seen_beyond_the_lab_only_once_a_second_analyst_releases_it(
    register: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    case = register()
    analyst, second = make_user(Role.LAB_ANALYST), make_user(Role.LAB_ANALYST)
    for user in (analyst, second):
        CaseAssignment.objects.create(case=case, user=user, purpose="kinship examination")
    note = case_note_add(actor=analyst, case=case, data_class="genetic", text="Maternity probability 99.99%")
    assert note.released_at is None
    request = genetic_release_request(actor=analyst, note=note, reason="Examination ordered by the court is done")
    with pytest.raises(PermissionDenied):
        approval_decide(actor=analyst, request=request, approve=True)
    approval_decide(actor=second, request=request, approve=True)
    assert CaseNote.objects.get(pk=note.pk).released_at is not None
