"""Every state change goes through case_transition: legal moves only, by permitted users, recorded."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.models import User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case, CaseAssignment, CaseEvent, CaseEventKind
from casework.services import case_transition, transitions_allowed
from casework.transitions import TRANSITIONS, CaseState

HAPPY_PATH = [
    "ask_consent",
    "consent",
    "evacuate",
    "receive",
    "admit",
    "relocate",
    "enrol_locally",
    "start_follow_up",
]


def _walk(case: Case, actor: User, steps: list[str]) -> Case:
    for step in steps:
        case = case_transition(actor=actor, case=case, transition=step)
    return case


def test_a_case_walks_the_programme_from_identified_to_follow_up(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    case = _walk(register(), caseworker_a, HAPPY_PATH)
    assert case.state == CaseState.FOLLOW_UP
    assert case.evacuated_on is not None
    transitions = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).order_by("at", "id")
    assert [e.to_state for e in transitions] == [
        "consent_pending",
        "consented",
        "evacuated",
        "received",
        "in_centre",
        "relocated",
        "in_local_programme",
        "follow_up",
    ]
    assert AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_id=str(case.pk)).count() == len(HAPPY_PATH)


def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    case = register()
    events, audit = CaseEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="cannot be moved"):
        case_transition(actor=caseworker_a, case=case, transition="evacuate")
    case.refresh_from_db()
    assert case.state == CaseState.IDENTIFIED
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == (events, audit)


def test_an_unknown_transition_is_refused(register: Callable[..., Case], caseworker_a: User) -> None:
    with pytest.raises(ValidationError, match="Unknown"):
        case_transition(actor=caseworker_a, case=register(), transition="teleport")


def test_refusal_needs_a_reason(register: Callable[..., Case], caseworker_a: User) -> None:
    case = _walk(register(), caseworker_a, ["ask_consent"])
    with pytest.raises(ValidationError, match="reason"):
        case_transition(actor=caseworker_a, case=case, transition="refuse", reason="  ")
    case = case_transition(actor=caseworker_a, case=case, transition="refuse", reason="Wants to stay with husband")
    assert case.state == CaseState.REFUSED
    assert "Wants to stay with husband" in [e.reason for e in CaseEvent.objects.filter(case=case)]  # encrypted


def test_a_refusal_can_be_revisited_and_consent_withdrawn_before_departure(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    case = _walk(register(), caseworker_a, ["ask_consent"])
    case = case_transition(actor=caseworker_a, case=case, transition="refuse", reason="No")
    case = case_transition(actor=caseworker_a, case=case, transition="revisit", reason="Asked again after a year")
    case = case_transition(actor=caseworker_a, case=case, transition="consent")
    case = case_transition(actor=caseworker_a, case=case, transition="withdraw", reason="Changed her mind")
    assert case.state == CaseState.CONSENT_PENDING


def test_only_supervisors_close_with_four_eyes_and_reopen(
    register: Callable[..., Case], caseworker_a: User, supervisor_a: User, make_user: Callable[..., User]
) -> None:
    from casework.approvals import approval_decide, closing_request

    case = _walk(register(), caseworker_a, HAPPY_PATH)
    assert "close" not in [t.name for t in transitions_allowed(caseworker_a, case)]
    with pytest.raises(PermissionDenied):
        closing_request(actor=caseworker_a, case=case, transition="close", reason="Reintegration done")
    request = closing_request(actor=supervisor_a, case=case, transition="close", reason="Reintegration goals met")
    approval_decide(actor=make_user(Role.SUPERVISOR), request=request, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    case = case_transition(actor=supervisor_a, case=case, transition="reopen", reason="New need reported")
    assert case.state == CaseState.FOLLOW_UP


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.MEDICAL_OFFICER, Role.STATISTICIAN, Role.AUDITOR])
def test_roles_without_the_capability_cannot_move_a_case(
    role: Role, register: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    case = register()
    user = make_user(role)
    CaseAssignment.objects.create(case=case, user=user, purpose="test")
    assert transitions_allowed(user, case) == []
    with pytest.raises(PermissionDenied):
        case_transition(actor=user, case=case, transition="ask_consent")
    case.refresh_from_db()
    assert case.state == CaseState.IDENTIFIED


def test_a_caseworker_of_another_agency_cannot_move_the_case(register: Callable[..., Case], caseworker_b: User) -> None:
    case = register()
    with pytest.raises(PermissionDenied):
        case_transition(actor=caseworker_b, case=case, transition="ask_consent")


def test_every_state_but_closed_can_be_left_and_closed_can_be_reopened() -> None:
    sources = {t.source for t in TRANSITIONS}
    assert set(CaseState) <= sources | {CaseState.CLOSED}
    assert CaseState.CLOSED in sources


def test_the_page_shows_allowed_transitions_and_applies_one(
    register: Callable[..., Case], caseworker_a: User, client
) -> None:
    case = register()
    client.force_login(caseworker_a)
    page = client.get(f"/people/{case.person_id}/").content.decode()
    assert 'value="ask_consent"' in page and 'value="close"' not in page
    response = client.post(f"/cases/{case.pk}/transition/", {"transition": "ask_consent", "reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CONSENT_PENDING
    response = client.post(f"/cases/{case.pk}/transition/", {"transition": "evacuate"}, follow=True)
    assert "cannot be moved" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.CONSENT_PENDING


def test_a_child_registered_from_the_mothers_page_gets_a_linked_case(
    register: Callable[..., Case], caseworker_a: User, client
) -> None:
    mother = register()
    client.force_login(caseworker_a)
    response = client.post(
        f"/people/{mother.person_id}/family/new/",
        {
            "relation-kind": "child",
            "relation-basis": "declared",
            "name-script": "cyrl",
            "name-given": "Марьям",
            "name-family": "Сейтказиева",
            "name-kind": "chosen",
            "person-sex": "F",
            "person-birth_date_precision": "year",
            "person-birth_date": "2017-01-01",
            "person-citizenship_status": "claimed",
            "person-vital_status": "alive",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    child_case = Case.objects.get(parent_case=mother)
    assert child_case.caseworker == caseworker_a
    assert child_case.person.relationships_as_object.get().subject == mother.person


@pytest.mark.parametrize("on", ["0005-01-01", "1899-12-31", "2999-01-01"])
def test_an_evacuation_date_before_1900_or_in_the_future_is_refused_and_changes_nothing(
    register: Callable[..., Case], caseworker_a: User, on: str
) -> None:
    """Found by tests/test_api_fuzz.py: a case evacuated in year 5 made every search by category fail (500)."""
    from rest_framework.test import APIClient

    case = _walk(register(), caseworker_a, ["ask_consent", "consent"])
    events = CaseEvent.objects.count()
    api = APIClient()
    api.force_authenticate(caseworker_a)
    response = api.post(f"/api/v1/cases/{case.pk}/transitions/", {"transition": "evacuate", "on": on}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["on"] == ["Give a date of evacuation between 1900 and today."]
    case.refresh_from_db()
    assert (case.state, case.evacuated_on, CaseEvent.objects.count()) == (CaseState.CONSENTED, None, events)
    assert api.get("/api/v1/persons/", {"category": "child"}).status_code == 200


@pytest.mark.parametrize("state", ["teleported", "in_centre\x00", "x" * 500])
def test_listing_cases_by_an_unknown_state_is_refused(
    register: Callable[..., Case], caseworker_a: User, state: str
) -> None:
    """Found by tests/test_api_fuzz.py: a NUL character in `state` reached PostgreSQL (500)."""
    from rest_framework.test import APIClient

    register()
    api = APIClient()
    api.force_authenticate(caseworker_a)
    response = api.get("/api/v1/cases/", {"state": state})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["state"]
    assert api.get("/api/v1/cases/", {"state": "identified"}).json()["count"] == 1
