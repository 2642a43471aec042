"""The centre's API: the same rules as the pages, documented in the OpenAPI schema."""

from collections.abc import Callable
from datetime import timedelta

from rest_framework.test import APIClient

from access.models import User
from casework.models import Case
from casework.transitions import CaseState
from centres.models import Attendance, Centre, Stay
from centres.tests.conftest import ARRIVED, room
from conftest import latin

DAY = ARRIVED + timedelta(days=1)


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_admit_discharge_and_list_stays_through_the_api(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    api = _api(caseworker_a)
    created = api.post(
        "/api/v1/stays/",
        {"centre": centre.pk, "person": case.person_id, "room": room(centre, "A1").pk, "admitted_on": str(DAY)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["planned_until"] == str(DAY + timedelta(days=30)) and body["discharged_on"] is None
    case.refresh_from_db()
    assert case.state == CaseState.IN_CENTRE
    listed = api.get(f"/api/v1/stays/?centre={centre.pk}&open=true").json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    discharged = api.post(f"/api/v1/stays/{body['id']}/discharge/", {"reason": "Home"}, format="json")
    assert discharged.status_code == 200 and discharged.json()["discharge_reason"] == "Home"


def test_the_api_refuses_a_full_room_with_the_field_and_message(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    b1 = room(centre, "B1")
    b1.capacity = 0
    b1.save()
    response = _api(caseworker_a).post(
        "/api/v1/stays/", {"centre": centre.pk, "person": arrived().person_id, "room": b1.pk}, format="json"
    )
    assert response.status_code == 400 and "B1 is full" in response.json()["errors"]["room"][0]
    assert not Stay.objects.exists()


def test_an_arrival_through_the_api_lacking_beds_says_how_many(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    persons = [arrived(latin(f"P{i}")).person_id for i in range(4)]
    building_b = centre.buildings.get(name="B")
    response = _api(caseworker_a).post(
        f"/api/v1/centres/{centre.pk}/admit-group/", {"persons": persons, "building": building_b.pk}, format="json"
    )
    assert response.status_code == 400 and "lacks 2 beds" in response.json()["errors"]["persons"][0]
    ok = _api(caseworker_a).post(f"/api/v1/centres/{centre.pk}/admit-group/", {"persons": persons}, format="json")
    assert ok.status_code == 201 and len(ok.json()) == 4


def test_groups_sessions_and_attendance_through_the_api(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    api = _api(caseworker_a)
    case = arrived()
    api.post("/api/v1/stays/", {"centre": centre.pk, "person": case.person_id, "room": room(centre, "A1").pk})
    group = api.post(
        "/api/v1/centre-groups/",
        {"centre": centre.pk, "name": "Women", "profile": "women", "starts_on": str(DAY)},
        format="json",
    ).json()
    added = api.post(f"/api/v1/centre-groups/{group['id']}/members/", {"person": case.person_id}, format="json")
    assert added.status_code == 201 and added.json()["members"] == [case.person_id]
    session = api.post(
        "/api/v1/centre-sessions/",
        {
            "centre": centre.pk,
            "group": group["id"],
            "on": str(DAY),
            "starts_at": "10:00",
            "ends_at": "11:30",
            "kind": "theological",
            "specialist": caseworker_a.pk,
            "topic": "Moderate Islam",
        },
        format="json",
    )
    assert session.status_code == 201, session.json()
    sid = session.json()["id"]
    assert [s["id"] for s in api.get(f"/api/v1/centre-sessions/?centre={centre.pk}&on={DAY}").json()] == [sid]
    marked = api.post(
        f"/api/v1/centre-sessions/{sid}/attendance/",
        {"marks": [{"person": case.person_id, "status": "excused"}]},
        format="json",
    )
    assert marked.status_code == 200 and marked.json()["lines"][0]["status"] == "excused"
    assert Attendance.objects.get().status == "excused"


def test_the_openapi_schema_documents_every_centre_route(caseworker_a: User) -> None:
    client = _api(caseworker_a)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for route in (
        "/api/v1/centres/",
        "/api/v1/centres/{id}/board/",
        "/api/v1/centres/{id}/admit-group/",
        "/api/v1/stays/",
        "/api/v1/stays/{id}/discharge/",
        "/api/v1/centre-groups/{id}/members/",
        "/api/v1/centre-sessions/{id}/attendance/",
    ):
        assert route in paths, route


def test_centres_are_listed_created_and_read_through_the_api(centre: Centre, caseworker_a: User) -> None:
    api = _api(caseworker_a)
    listed = api.get("/api/v1/centres/").json()
    assert [(c["name"], c["buildings"], c["beds"], c["free"]) for c in listed] == [("Test centre", 2, 7, 7)]
    created = api.post("/api/v1/centres/", {"name": "New", "place": centre.place_id}, format="json")
    assert created.status_code == 201 and created.json()["default_stay_days"] == 30
    new_id = created.json()["id"]
    assert api.post(f"/api/v1/centres/{new_id}/buildings/", {"name": "1"}, format="json").status_code == 201
    assert api.get(f"/api/v1/centres/{new_id}/").json()["buildings"] == 1
    unknown = api.post("/api/v1/centres/", {"name": "X", "place": 2**62}, format="json")
    assert unknown.status_code == 400 and "place" in unknown.json()["errors"]
