"""The self-return API: the same rules as the pages, JSON errors per field, hidden classes absent."""

from collections.abc import Callable

from rest_framework.test import APIClient

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import Case, CaseAssignment
from casework.transitions import CaseState
from consular.models import SelfReturnRequest, SelfReturnStatus
from consular.tests.conftest import Family, Places
from people.models import MAX_NAMES_PER_PERSON, Person, PersonName


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_flow_through_the_api(caseworker_a: User, places: Places) -> None:
    api = _api(caseworker_a)
    created = api.post(
        "/api/v1/self-returns/",
        {
            "consulate": places.consulate.pk,
            "requested_on": "2019-02-01",
            "names": [{"script": "latn", "given": "Aigul", "family": "Omarova"}],
            "sex": "F",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["request"]["id"]
    url = f"/api/v1/self-returns/{pk}/"
    child = api.post(
        url + "members/",
        {
            "relation": "child",
            "names": [{"script": "latn", "given": "Yusuf", "family": "Omarov"}],
            "sex": "M",
            "birth_date": "2016-01-01",
            "birth_date_precision": "year",
            "born_in": places.turkey.pk,
        },
        format="json",
    )
    assert child.status_code == 201, child.content
    travellers = [created.json()["request"]["applicant"], child.json()["members"][0]["person"]]
    for person in travellers:
        response = api.post(
            url + "documents/",
            {"person": person, "doc_type": "return_certificate", "requested_on": "2019-02-02"},
            format="json",
        )
        assert response.status_code == 201, response.content
    refused = api.post(url + "travel/", {"travel_on": "2019-04-10"}, format="json")
    assert refused.status_code == 400 and "travel_on" in refused.json()["errors"]
    for document in api.get(url + "documents/").json():
        issued = api.post(
            url + "documents/issue/", {"restoration": document["id"], "issued_on": "2019-03-01"}, format="json"
        )
        assert issued.status_code == 200, issued.content
    assert api.post(url + "travel/", {"travel_on": "2019-04-10"}, format="json").status_code == 200
    arrived = api.post(
        url + "arrival/", {"arrived_on": "2019-04-11", "arrival_place": places.airport.pk}, format="json"
    )
    assert arrived.status_code == 200, arrived.content
    assert arrived.json()["request"]["status"] == SelfReturnStatus.ARRIVED
    assert set(Case.objects.values_list("state", flat=True)) == {CaseState.RECEIVED}


def test_another_agency_gets_404_and_a_statistician_403(
    new_family: Callable[..., Family], caseworker_b: User, statistician: User
) -> None:
    family = new_family(children=0)
    assert _api(caseworker_b).get(f"/api/v1/self-returns/{family.request.pk}/").status_code == 404
    assert _api(caseworker_b).get("/api/v1/self-returns/").json()["results"] == []
    assert _api(statistician).get("/api/v1/self-returns/").status_code == 403
    assert _api(statistician).get(f"/api/v1/self-returns/{family.request.pk}/").status_code == 404


def test_location_fields_are_absent_for_a_user_who_may_not_see_them(
    new_family: Callable[..., Family], make_user: Callable[..., User], caseworker_a: User
) -> None:
    family = new_family(children=0)
    psychologist = make_user(Role.PSYCHOLOGIST)
    CaseAssignment.objects.create(case=family.request.case, user=psychologist, purpose="support")
    body = _api(psychologist).get(f"/api/v1/self-returns/{family.request.pk}/").json()["request"]
    assert "travel_on" not in body and "arrival_place" not in body and body["status"] == "requested"
    full = _api(caseworker_a).get(f"/api/v1/self-returns/{family.request.pk}/").json()["request"]
    assert "travel_on" in full


def test_a_bad_payload_is_refused_per_field_and_writes_nothing(caseworker_a: User, places: Places) -> None:
    response = _api(caseworker_a).post(
        "/api/v1/self-returns/",
        {"consulate": places.turkey.pk, "requested_on": "2019-02-01", "names": []},
        format="json",
    )
    assert response.status_code == 400 and "consulate" in response.json()["errors"]
    assert not SelfReturnRequest.objects.exists()


def test_a_stale_version_answers_409(new_family: Callable[..., Family], caseworker_a: User) -> None:
    family = new_family(children=1)  # the member raised the version to 2
    response = _api(caseworker_a).post(
        f"/api/v1/self-returns/{family.request.pk}/withdraw/",
        {"reason": "Left", "version": family.request.version - 1},
        format="json",
    )
    assert response.status_code == 409
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.REQUESTED


def test_a_self_return_with_21_names_is_refused_and_writes_nothing(caseworker_a: User, places: Places) -> None:
    before = (Person.objects.count(), PersonName.objects.count(), SelfReturnRequest.objects.count())
    audit_before = AuditEntry.objects.count()
    response = _api(caseworker_a).post(
        "/api/v1/self-returns/",
        {
            "consulate": places.consulate.pk,
            "requested_on": "2019-02-01",
            "names": [{"script": "latn", "given": f"Aigul{i}"} for i in range(MAX_NAMES_PER_PERSON + 1)],
            "sex": "F",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "names" in response.json()["errors"]
    assert (Person.objects.count(), PersonName.objects.count(), SelfReturnRequest.objects.count()) == before
    assert AuditEntry.objects.exclude(action="denied").count() == audit_before
