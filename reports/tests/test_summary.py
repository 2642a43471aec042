"""The programme summary: counts from the records (waves, categories at arrival, legal assessments, refusals),
only for those who may see statistics, never a person, in a constant number of queries."""

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from access.models import Agency, User
from casework.models import Case
from casework.services import case_transition
from conftest import latin
from operations.models import Operation, Wave, WaveMember, WaveStatus
from people.models import Place, PlaceKind
from people.services import relationship_add
from reception.models import LegalAssessment, LegalStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/programme-summary/"


@pytest.fixture
def operation(agency_a: Agency) -> Operation:
    return Operation.objects.create(name="Return 2019", code="R-2019", lead_agency=agency_a, starts_on=date(2019, 1, 1))


def _wave(operation: Operation, number: int, arrives_on: date, status: str = WaveStatus.EXECUTED) -> Wave:
    place = Place.objects.get_or_create(kind=PlaceKind.COUNTRY, name="Somewhere", code="SW")[0]
    return Wave.objects.create(
        operation=operation,
        number=number,
        name=f"Wave {number}",
        departs_on=arrives_on,
        arrives_on=arrives_on,
        origin=place,
        destination=place,
        capacity=100,
        status=status,
    )


def _board(wave: Wave, case: Case, user: User) -> None:
    WaveMember.objects.create(wave=wave, person_id=case.person_id, case=case, added_by=user)


def _assess(case: Case, status: str, user: User) -> None:
    LegalAssessment.objects.create(
        person_id=case.person_id,
        case=case,
        status=status,
        decided_on=date(2019, 2, 1),
        authority="Court",
        recorded_by=user,
    )


@pytest.fixture
def programme(register: Callable[..., Case], operation: Operation, caseworker_a: User) -> dict[str, Wave]:
    """Wave 1: a woman (held accountable) with a son aged 17 on arrival (an adult today) and a man under movement
    restriction. Wave 2: a woman with no grounds. A planned wave and a refused woman count nowhere but refusals."""
    first, second = _wave(operation, 1, date(2019, 1, 6)), _wave(operation, 2, date(2019, 5, 9))
    planned = _wave(operation, 3, date(2030, 1, 1), status=WaveStatus.PLANNED)
    mother = register(latin("Aigerim", "Nurlanova"), sex="F", born=date(1979, 5, 1))
    son = register(latin("Yusuf", "Nurlanov"), sex="M", born=date(2001, 6, 1))
    man = register(latin("Marat", "Omarov"), sex="M", born=date(1980, 1, 1))
    other = register(latin("Dana", "Ibrayeva"), sex="F", born=date(1995, 1, 1))
    waiting = register(latin("Saule", "Kenzhe"), sex="F", born=date(1993, 1, 1))
    refusing = register(latin("Gulnara", "Ospan"), sex="F", born=date(1988, 1, 1))
    relationship_add(actor=caseworker_a, subject=mother.person, obj=son.person, kind="mother")
    for case in (mother, son, man):
        _board(first, case, caseworker_a)
    _board(second, other, caseworker_a)
    _board(planned, waiting, caseworker_a)
    _assess(mother, LegalStatus.UNDER_INVESTIGATION, caseworker_a)
    LegalAssessment.objects.create(  # a later assessment supersedes the first
        person_id=mother.person_id,
        case=mother,
        status=LegalStatus.CONVICTED,
        decided_on=date(2019, 6, 1),
        authority="Court",
        recorded_by=caseworker_a,
    )
    _assess(man, LegalStatus.MOVEMENT_RESTRICTION, caseworker_a)
    _assess(other, LegalStatus.NO_GROUNDS, caseworker_a)
    for step in ("ask_consent", "refuse"):
        case_transition(actor=caseworker_a, case=refusing, transition=step, reason="Stays with her family")
    return {"first": first, "second": second}


def test_the_summary_counts_what_the_records_say(programme: dict[str, Wave], statistician: User) -> None:
    api = APIClient()
    api.force_authenticate(statistician)
    data = api.get(URL).json()
    assert data["evacuated"] == {"total": 4, "men": 1, "women": 2, "children": 1, "orphans": 0}
    assert data["held_accountable"] == {"total": 1, "men": 0, "women": 1, "children": 0}
    assert data["movement_restricted"] == {"total": 1, "men": 1, "women": 0, "children": 0}
    assert data["refused"]["women"] == 1
    assert [w["evacuated"]["total"] for w in data["waves"]] == [3, 1]
    assert data["waves"][0]["held_accountable"]["women"] == 1


def test_one_operation_only(programme: dict[str, Wave], statistician: User, agency_a: Agency) -> None:
    other = Operation.objects.create(name="Other", code="O", lead_agency=agency_a, starts_on=date(2020, 1, 1))
    api = APIClient()
    api.force_authenticate(statistician)
    assert api.get(f"{URL}?operation={other.pk}").json()["evacuated"]["total"] == 0
    assert api.get(f"{URL}?operation={programme['first'].operation_id}").json()["evacuated"]["total"] == 4
    assert api.get(f"{URL}?operation=abc").status_code == 400
    assert api.get(f"{URL}?operation=999999").status_code == 403


def test_only_statistics_roles_see_it_and_it_shows_no_person(
    programme: dict[str, Wave], statistician: User, caseworker_a: User
) -> None:
    page = Client()
    page.force_login(statistician)
    html = page.get("/reports/programme-summary/").content.decode()
    assert 'data-figure="evacuated.total">4<' in html
    assert "Aigerim" not in html and "Nurlanova" not in html
    api = APIClient()
    api.force_authenticate(caseworker_a)
    assert api.get(URL).status_code == 403
    page.force_login(caseworker_a)
    assert page.get("/reports/programme-summary/").status_code == 403


def test_the_number_of_queries_does_not_grow_with_the_programme(
    programme: dict[str, Wave], register: Callable[..., Case], statistician: User, caseworker_a: User
) -> None:
    api = APIClient()
    api.force_authenticate(statistician)
    api.get(URL)  # the first request of a session reads the NDA and caches it
    with CaptureQueriesContext(connection) as small:
        api.get(URL)
    for index in range(15):
        case = register(latin(f"Person{index}", "Many"), sex="F" if index % 2 else "M", born=date(1985, 1, 1))
        _board(programme["second"], case, caseworker_a)
        _assess(case, LegalStatus.DETAINED_CHARGED, caseworker_a)
    with CaptureQueriesContext(connection) as large:
        data = api.get(URL).json()
    assert data["evacuated"]["total"] == 19
    assert len(large.captured_queries) == len(small.captured_queries)
