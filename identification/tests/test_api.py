"""The identification API: the same rules as the pages, errors in the one shape, hidden persons absent."""

from collections.abc import Callable
from datetime import date

import pytest
from rest_framework.test import APIClient

from access.models import User
from casework.models import Case
from conftest import cyrillic, latin
from identification import services
from identification.models import IdentificationList, ListEntry
from identification.tests.conftest import csv_upload
from people import services as people_services
from people.models import Place, PlaceKind


@pytest.fixture
def api_a(caseworker_a: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(caseworker_a)
    return client


def test_a_list_is_created_and_shows_only_visible_entries(
    api_a: APIClient, caseworker_a: User, caseworker_b: User, register: Callable[..., Case]
) -> None:
    response = api_a.post(
        "/api/v1/identification-lists/",
        {"name": "Relatives' requests", "source_kind": "relatives_requests", "received_on": "2019-01-05"},
        format="json",
    )
    assert response.status_code == 201
    id_list = IdentificationList.objects.get(pk=response.json()["id"])
    mine = register(latin("Aigerim", "Nurlanova"))
    theirs = register(latin("Hidden", "Person"), actor=caseworker_b)
    services.list_entry_add(actor=caseworker_a, id_list=id_list, person=mine.person)
    ListEntry.objects.create(id_list=id_list, person=theirs.person, confidence="possible")
    detail = api_a.get(f"/api/v1/identification-lists/{id_list.pk}/").json()
    assert [e["person"] for e in detail["entries"]] == [mine.person_id]
    assert api_a.get("/api/v1/identification-lists/").json()[0]["visible_entries"] == 1


def test_a_future_list_date_is_refused_with_the_field_named(api_a: APIClient) -> None:
    response = api_a.post(
        "/api/v1/identification-lists/",
        {"name": "X", "source_kind": "other", "received_on": "2999-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "received_on" in response.json()["errors"]


def test_missions_contacts_requests_and_verifications(
    api_a: APIClient, caseworker_a: User, register: Callable[..., Case]
) -> None:
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol")
    mission = api_a.post(
        "/api/v1/missions/",
        {"name": "M", "starts_on": "2019-01-01", "ends_on": "2019-01-31", "places": [camp.pk]},
        format="json",
    )
    assert mission.status_code == 201
    woman = register(latin("Aigerim", "Nurlanova"))
    contact = api_a.post(
        f"/api/v1/missions/{mission.json()['id']}/contacts/",
        {"person": woman.person_id, "met_on": "2019-01-10", "place": camp.pk},
        format="json",
    )
    assert contact.status_code == 201
    assert api_a.get(f"/api/v1/missions/{mission.json()['id']}/").json()["contacts"][0]["person"] == woman.person_id
    mother = people_services.relative_register(
        actor=caseworker_a, of_person=woman.person, kind="mother", names=[cyrillic("Гульнар", "Нурланова")], sex="F"
    )
    request = api_a.post(
        "/api/v1/return-requests/",
        {"requested_by": mother.pk, "person": woman.person_id, "received_on": "2019-01-02", "channel": "phone"},
        format="json",
    )
    assert request.status_code == 201 and request.json()["relationship_kind"] == "mother"
    listed = api_a.get("/api/v1/return-requests/", {"person": woman.person_id}).json()
    assert [r["id"] for r in listed] == [request.json()["id"]]
    step = api_a.post(
        "/api/v1/citizenship-verifications/",
        {
            "person": woman.person_id,
            "kind": "interview",
            "evidence": "Interview at the camp",
            "outcome": "supports",
            "checked_on": "2019-01-10",
        },
        format="json",
    )
    assert step.status_code == 201
    assert api_a.get("/api/v1/citizenship-verifications/", {"person": woman.person_id}).json()[0]["evidence"] == (
        "Interview at the camp"
    )


def test_a_request_about_a_person_out_of_reach_is_refused(
    api_a: APIClient, caseworker_b: User, register: Callable[..., Case]
) -> None:
    mine = register(latin("Aigerim", "Nurlanova"))
    theirs = register(latin("Hidden", "Person"), actor=caseworker_b)
    response = api_a.post(
        "/api/v1/return-requests/",
        {"requested_by": mine.person_id, "person": theirs.person_id, "received_on": "2019-01-02", "channel": "phone"},
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()["errors"]


def test_an_import_through_the_api(
    api_a: APIClient, id_list: IdentificationList, register: Callable[..., Case]
) -> None:
    aigerim = register(cyrillic("Айгерим", "Сейтказиева"), born=date(1990, 3, 12))
    rows = [
        ["Seitkazieva", "Aigerim", "", "F", "1990-03-12", "", "", ""],
        ["Omarova", "Zhanna", "", "F", "1988", "", "", ""],
    ]
    upload = api_a.post("/api/v1/imports/", {"id_list": id_list.pk, "file": csv_upload(rows)}, format="multipart")
    assert upload.status_code == 201, upload.json()
    batch_id = upload.json()["id"]
    mapped = api_a.post(f"/api/v1/imports/{batch_id}/mapping/", upload.json()["mapping"], format="json")
    assert mapped.status_code == 200 and mapped.json()["bad_rows"] == []
    status = api_a.post(f"/api/v1/imports/{batch_id}/match/").json()
    assert (status["status"], status["rows_done"], status["rows_total"]) == ("matched", 2, 2)
    detail = api_a.get(f"/api/v1/imports/{batch_id}/").json()
    assert detail["rows"][0]["candidates"][0]["person"] == aigerim.person_id
    decided = api_a.post(
        f"/api/v1/imports/{batch_id}/decisions/",
        {"decisions": [{"row": 2, "decision": "same", "person": aigerim.person_id}]},
        format="json",
    )
    assert decided.status_code == 200
    committed = api_a.post(f"/api/v1/imports/{batch_id}/commit/")
    assert committed.status_code == 200 and committed.json()["summary"]["created"] == 1
    again = api_a.post("/api/v1/imports/", {"id_list": id_list.pk, "file": csv_upload(rows)}, format="multipart")
    assert again.status_code == 400 and "already imported" in again.json()["errors"]["file"][0]


def test_another_agency_cannot_upload_into_a_list_it_does_not_hold(
    caseworker_b: User, id_list: IdentificationList
) -> None:
    client = APIClient()
    client.force_authenticate(caseworker_b)
    response = client.post(
        "/api/v1/imports/", {"id_list": id_list.pk, "file": csv_upload([["A", "B"] + [""] * 6])}, format="multipart"
    )
    assert response.status_code == 400 and "id_list" in response.json()["errors"]
