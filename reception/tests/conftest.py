"""Reception fixtures: evacuated cases, and specialists assigned to them (legal officer, doctor)."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from access.models import Agency, User
from access.rules import Role
from casework.models import Case, CaseAssignment
from casework.services import case_transition
from conftest import latin
from people.models import Place, PlaceKind

EVACUATED_ON = date(2019, 5, 9)


@pytest.fixture
def evacuate(register: Callable[..., Case], caseworker_a: User) -> Callable[..., Case]:
    """Register a returnee and take the case to 'evacuated' on 9 May 2019."""

    def do(*names: dict[str, str], on: date = EVACUATED_ON, **fields: Any) -> Case:
        case = register(*(names or [latin("Aigerim", "Nurlanova")]), **fields)
        for step in ("ask_consent", "consent", "evacuate"):
            case = case_transition(actor=caseworker_a, case=case, transition=step, on=on)
        return case

    return do


@pytest.fixture
def aktau(db: Any) -> Place:
    return Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Aktau")


@pytest.fixture
def assign(supervisor_a: User) -> Callable[[Case, User], User]:
    def do(case: Case, user: User) -> User:
        CaseAssignment.objects.create(case=case, user=user, purpose="Reception", assigned_by=supervisor_a)
        return user

    return do


@pytest.fixture
def legal_officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.LEGAL_OFFICER, username="legal_officer")


@pytest.fixture
def doctor(make_user: Callable[..., User]) -> User:
    return make_user(Role.MEDICAL_OFFICER, username="doctor")


@pytest.fixture
def legal_officer_b(make_user: Callable[..., User], agency_b: Agency) -> User:
    return make_user(Role.LEGAL_OFFICER, agency=agency_b, username="legal_officer_b")
