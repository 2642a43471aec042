"""The self-return pages: who may open them, what they show, the forms of each step, constant query counts."""

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment
from casework.transitions import CaseState
from consular.models import SelfReturnRequest, SelfReturnStatus
from consular.tests.conftest import Family, Places, restore_all


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_requests_whose_applicant_the_user_reaches(
    new_family: Callable[..., Family], caseworker_a: User, caseworker_b: User
) -> None:
    new_family(children=1)
    mine = _client(caseworker_a).get("/consular/")
    assert mine.status_code == 200
    assert "Aigul Omarova" in mine.content.decode()
    other = _client(caseworker_b).get("/consular/")
    assert other.status_code == 200
    assert "Omarova" not in other.content.decode()


def test_a_statistician_is_refused_the_list_and_the_form(statistician: User) -> None:
    client = _client(statistician)
    assert client.get("/consular/").status_code == 403
    assert client.get("/consular/new/").status_code == 403


def test_another_agencys_caseworker_gets_404_for_the_request_and_its_steps(
    new_family: Callable[..., Family], caseworker_b: User
) -> None:
    family = new_family(children=0)
    client = _client(caseworker_b)
    for suffix in ("", "members/new/", "documents/new/", "documents/issue/", "travel/", "arrival/", "withdraw/"):
        assert client.get(f"/consular/{family.request.pk}/{suffix}").status_code == 404


def _count_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/consular/").status_code == 200
    return len(queries)


def test_the_list_makes_the_same_number_of_queries_for_2_and_20_requests(
    register: Callable[..., Case], caseworker_a: User, places: Places
) -> None:
    from conftest import latin
    from consular import services

    def add(n: int) -> None:
        for _i in range(n):
            case = register(latin(f"Name{SelfReturnRequest.objects.count()}", "Family"))
            services.self_return_register(
                actor=caseworker_a, consulate=places.consulate, requested_on=date(2019, 2, 1), applicant=case.person
            )

    client = _client(caseworker_a)
    add(2)
    few = _count_queries(client)
    add(18)
    many = _count_queries(client)
    assert many == few


def test_registering_a_new_applicant_through_the_form_opens_the_request(caseworker_a: User, places: Places) -> None:
    response = _client(caseworker_a).post(
        "/consular/new/",
        {
            "consulate": places.consulate.pk,
            "requested_on": "2019-02-01",
            "situation": "Without documents",
            "name-script": "latn",
            "name-given": "Aigul",
            "name-family": "Omarova",
            "name-kind": "declared",
            "person-sex": "F",
            "person-birth_date_precision": "year",
            "person-birth_date": "1990-01-01",
            "person-citizenship_status": "claimed",
            "person-vital_status": "alive",
        },
    )
    request = SelfReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consular/{request.pk}/"
    assert request.case.state == CaseState.CONSENTED


def test_a_bad_form_is_shown_again_with_the_message_and_writes_nothing(caseworker_a: User, places: Places) -> None:
    response = _client(caseworker_a).post(
        "/consular/new/", {"consulate": places.consulate.pk, "requested_on": "2999-01-01", "applicant": "999999"}
    )
    assert response.status_code == 200
    assert "No person with this number is within your reach." in response.content.decode()
    assert not SelfReturnRequest.objects.exists()


def test_the_steps_through_the_pages_reach_arrival(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=1)
    client = _client(caseworker_a)
    pk = family.request.pk
    for person in (family.request.applicant, family.children[0].person):
        version = SelfReturnRequest.objects.get(pk=pk).version
        response = client.post(
            f"/consular/{pk}/documents/new/",
            {"person": person.pk, "doc_type": "return_certificate", "requested_on": "2019-02-02", "version": version},
        )
        assert response.status_code == 302, response.content.decode()
    for restoration in SelfReturnRequest.objects.get(pk=pk).restorations.all():
        version = SelfReturnRequest.objects.get(pk=pk).version
        response = client.post(
            f"/consular/{pk}/documents/issue/",
            {"restoration": restoration.pk, "issued_on": "2019-03-01", "version": version},
        )
        assert response.status_code == 302, response.content.decode()
    version = SelfReturnRequest.objects.get(pk=pk).version
    assert client.post(f"/consular/{pk}/travel/", {"travel_on": "2019-04-10", "version": version}).status_code == 302
    version = SelfReturnRequest.objects.get(pk=pk).version
    response = client.post(
        f"/consular/{pk}/arrival/", {"arrived_on": "2019-04-11", "arrival_place": places.airport.pk, "version": version}
    )
    assert response.status_code == 302
    assert SelfReturnRequest.objects.get(pk=pk).status == SelfReturnStatus.ARRIVED
    page = client.get(f"/consular/{pk}/").content.decode()
    assert "2019-04-11" in page and "Capital" in page


def test_a_stale_form_is_refused_with_the_conflict_message(
    new_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = new_family(children=1)  # the member raised the version to 2
    response = _client(caseworker_a).post(
        f"/consular/{family.request.pk}/withdraw/", {"reason": "Left", "version": family.request.version - 1}
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.REQUESTED


@pytest.mark.django_db
def test_travel_and_arrival_are_absent_for_a_specialist_who_may_not_see_whereabouts(
    new_family: Callable[..., Family], caseworker_a: User, make_user: Callable[..., User], places: Places
) -> None:
    family = new_family(children=0)
    restore_all(caseworker_a, family)
    from consular import services

    services.travel_arrange(
        actor=caseworker_a, request=family.request, travel_on=date(2019, 4, 10), travel_details="Flight TK-1234"
    )
    psychologist = make_user(Role.PSYCHOLOGIST)
    CaseAssignment.objects.create(case=family.request.case, user=psychologist, purpose="support")
    page = _client(psychologist).get(f"/consular/{family.request.pk}/").content.decode()
    assert "Aigul Omarova" in page
    assert "TK-1234" not in page and "travel-on" not in page
    assert "TK-1234" in _client(caseworker_a).get(f"/consular/{family.request.pk}/").content.decode()


def test_the_forms_render_for_the_caseworker(new_family: Callable[..., Family], caseworker_a: User) -> None:
    family = new_family(children=0)
    client = _client(caseworker_a)
    pk = family.request.pk
    for url in ("/consular/new/", *(f"/consular/{pk}/{s}" for s in ("members/new/", "documents/new/", "withdraw/"))):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="version"' in response.content.decode() or url.endswith(("new/", "members/new/"))
