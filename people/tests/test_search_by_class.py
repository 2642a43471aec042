"""A search filter on a data class (whereabouts) needs that class, and never narrows on persons it hides."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment
from conftest import latin
from people import services
from people.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def kentau(db: None) -> Place:
    return Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Kentau")


def _at(case: Case, place: Place, actor: User) -> Case:
    since = timezone.localdate() - timedelta(days=2)
    services.presence_record(actor=actor, person=case.person, place=place, since=since, source="visit")
    return case


def _assigned(role: Role, case: Case, make_user: Callable[..., User], *more: Role) -> User:
    user = make_user(role, *more)
    CaseAssignment.objects.create(case=case, user=user, purpose="test")
    return user


@pytest.mark.parametrize("role", [Role.LAB_ANALYST, Role.PSYCHOLOGIST])
def test_a_place_filter_by_a_role_without_the_location_class_is_refused(
    role: Role, register: Callable[..., Case], caseworker_a: User, kentau: Place, make_user: Callable[..., User]
) -> None:
    case = _at(register(latin("Aigerim", "Nurlanova")), kentau, caseworker_a)
    user = _assigned(role, case, make_user)
    client = Client()
    client.force_login(user)
    page = client.get(f"/people/?place={kentau.pk}")
    assert page.status_code == 400
    assert "Your role may not see whereabouts" in page.content.decode() and "Nurlanova" not in page.content.decode()
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/persons/?place={kentau.pk}")
    assert response.status_code == 400 and "place" in response.json()["errors"]
    assert "Nurlanova" in client.get("/people/?q=nurlanova").content.decode()  # the same search without a place


def test_the_place_field_is_offered_only_to_roles_with_the_location_class(
    register: Callable[..., Case], caseworker_a: User, make_user: Callable[..., User]
) -> None:
    analyst = _assigned(Role.LAB_ANALYST, register(), make_user)
    pages = {}
    for user in (analyst, caseworker_a):
        client = Client()
        client.force_login(user)
        pages[user.username] = client.get("/people/").content.decode()
    assert 'id="id_place"' not in pages[analyst.username] and 'id="id_place"' in pages["caseworker_a"]


def test_a_place_filter_narrows_only_among_persons_whose_whereabouts_the_user_may_see(
    register: Callable[..., Case], caseworker_a: User, kentau: Place, make_user: Callable[..., User]
) -> None:
    """A doctor who is also the agency's data protection officer reaches every case of the agency, but sees the
    whereabouts only of the patients assigned to them: the filter must not tell who else is in Kentau."""
    patient = _at(register(latin("Aigerim", "Patient")), kentau, caseworker_a)
    other = _at(register(latin("Dinara", "Zhumabekova")), kentau, caseworker_a)
    user = _assigned(Role.MEDICAL_OFFICER, patient, make_user, Role.DATA_PROTECTION_OFFICER)
    client = Client()
    client.force_login(user)
    everyone = client.get("/people/").content.decode()
    assert "Patient" in everyone and "Zhumabekova" in everyone
    in_kentau = client.get(f"/people/?place={kentau.pk}")
    assert in_kentau.status_code == 200
    assert "Patient" in in_kentau.content.decode() and "Zhumabekova" not in in_kentau.content.decode()
    api = APIClient()
    api.force_authenticate(user)
    ids = [p["id"] for p in api.get(f"/api/v1/persons/?place={kentau.pk}").json()["results"]]
    assert ids == [patient.person_id] and other.person_id not in ids


def test_a_place_filter_does_not_grow_in_queries_with_the_data(
    register: Callable[..., Case], caseworker_a: User, kentau: Place
) -> None:
    client = Client()
    client.force_login(caseworker_a)
    url = f"/people/?place={kentau.pk}"
    _at(register(), kentau, caseworker_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(6):
        _at(register(latin(f"Person{n}")), kentau, caseworker_a)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)


def test_the_orphan_category_is_refused_to_a_role_without_the_family_class(
    register: Callable[..., Case], data_protection_officer_a: User
) -> None:
    register(latin("Aigerim", "Nurlanova"))
    client = Client()
    client.force_login(data_protection_officer_a)
    assert "Nurlanova" in client.get("/people/?category=woman").content.decode()  # told by identity: allowed
    response = client.get("/people/?category=orphan")
    assert response.status_code == 400 and "Your role may not see family links" in response.content.decode()
    api = APIClient()
    api.force_authenticate(data_protection_officer_a)
    assert api.get("/api/v1/persons/?category=orphan").status_code == 400
    assert api.get("/api/v1/persons/?category=woman").status_code == 200
