"""The operations API: same rules as the pages, answers in the one error shape."""

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from access.models import User
from casework.models import Case
from casework.transitions import CaseState
from operations.models import Operation, Wave, WaveMember, WaveStatus
from operations.tests.conftest import Family
from people.models import Place

pytestmark = pytest.mark.django_db


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_planning_through_the_api(
    operation: Operation, make_family: Callable[..., Family], supervisor_a: User, places: tuple[Place, Place]
) -> None:
    client = api(supervisor_a)
    listed = client.get("/api/v1/operations/").json()
    assert [o["code"] for o in listed] == ["ZHUSAN-2019"]
    created = client.post(
        "/api/v1/waves/",
        {
            "operation": operation.pk,
            "name": "Zhusan-1",
            "departs_on": "2019-01-06",
            "arrives_on": "2019-01-06",
            "origin": places[0].pk,
            "destination": places[1].pk,
            "capacity": 4,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    wave_id = created.json()["id"]
    family = make_family(children=2)
    added = client.post(
        f"/api/v1/waves/{wave_id}/members/",
        {"persons": [family.mother.person_id], "include_children": True},
        format="json",
    )
    assert added.status_code == 201 and added.json()["total"] == 3
    assert {m["family_group"] for m in added.json()["members"]} == {1}
    over = client.post(
        f"/api/v1/waves/{wave_id}/members/",
        {"persons": [make_family(children=1).mother.person_id], "include_children": True},
        format="json",
    )
    assert over.status_code == 400 and "Over capacity" in over.json()["errors"]["persons"][0]
    pdf = client.get(f"/api/v1/waves/{wave_id}/manifest/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    version = client.get(f"/api/v1/waves/{wave_id}/").json()["version"]
    stale = client.post(f"/api/v1/waves/{wave_id}/execute/", {"version": version - 1}, format="json")
    assert stale.status_code == 409
    done = client.post(f"/api/v1/waves/{wave_id}/execute/", {"version": version}, format="json")
    assert done.status_code == 200 and done.json()["status"] == WaveStatus.EXECUTED
    assert set(Case.objects.filter(person_id__in=family.person_ids).values_list("state", flat=True)) == {
        CaseState.EVACUATED
    }


def test_removing_through_the_api_needs_the_children_too(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=1)
    client = api(supervisor_a)
    client.post(f"/api/v1/waves/{wave.pk}/members/", {"persons": family.person_ids}, format="json")
    refused = client.delete(f"/api/v1/waves/{wave.pk}/members/?person={family.mother.person_id}")
    assert refused.status_code == 400 and WaveMember.objects.count() == 2
    removed = client.delete(f"/api/v1/waves/{wave.pk}/members/?person={family.mother.person_id}&include_children=true")
    assert removed.status_code == 200 and removed.json()["total"] == 0


def test_other_agencies_and_statisticians_are_refused(
    wave: Wave, caseworker_b: User, statistician: User, supervisor_a: User, make_family: Callable[..., Family]
) -> None:
    for url in (
        f"/api/v1/operations/{wave.operation_id}/",
        f"/api/v1/waves/{wave.pk}/",
        f"/api/v1/waves/{wave.pk}/members/",
    ):
        assert api(caseworker_b).get(url).status_code == 404
        assert api(statistician).get(url).status_code in (403, 404)
    assert api(statistician).get("/api/v1/operations/").status_code == 403
    family = make_family(children=0)
    sneaky = api(caseworker_b).post(
        f"/api/v1/waves/{wave.pk}/members/", {"persons": [family.mother.person_id]}, format="json"
    )
    assert sneaky.status_code == 404 and not WaveMember.objects.exists()


def test_the_schema_describes_the_operations_endpoints(supervisor_a: User) -> None:
    client = Client()
    client.force_login(supervisor_a)
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/operations/",
        "/api/v1/waves/",
        "/api/v1/waves/{id}/members/",
        "/api/v1/waves/{id}/manifest/",
        "/api/v1/waves/{id}/execute/",
    ):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/waves/{id}/members/"]) >= {"get", "post", "delete"}
