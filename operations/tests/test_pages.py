"""The operations pages: who may open them, what they show, and a constant number of queries."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import User
from casework.models import Case
from casework.transitions import CaseState
from operations import services
from operations.models import Operation, Wave, WaveMember, WaveStatus
from operations.tests.conftest import Family
from people.models import Place

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill(wave: Wave, families: list[Family], actor: User) -> None:
    for family in families:
        services.wave_members_add(actor=actor, wave=wave, person_ids=family.person_ids)


def test_the_planner_sees_the_operation_its_waves_and_the_manifest_by_family(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=2)
    fill(wave, [family], supervisor_a)
    client = client_for(supervisor_a)
    listing = client.get(reverse("operations-list"))
    assert listing.status_code == 200 and "Zhusan 2019" in listing.content.decode()
    detail = client.get(reverse("operations-detail", args=[wave.operation_id])).content.decode()
    assert "Zhusan-1" in detail and "Planned" in detail
    page = client.get(reverse("operations-wave-detail", args=[wave.pk])).content.decode()
    assert "Mother1 Family" in page and "Child1x0 Family" in page and "mother or guardian" in page
    assert page.index("Mother1 Family") < page.index("Child1x0 Family")


def test_another_agency_gets_404_and_a_statistician_403(wave: Wave, caseworker_b: User, statistician: User) -> None:
    for url in (
        reverse("operations-detail", args=[wave.operation_id]),
        reverse("operations-wave-detail", args=[wave.pk]),
        reverse("operations-wave-manifest", args=[wave.pk]),
    ):
        assert client_for(caseworker_b).get(url).status_code == 404
        assert client_for(statistician).get(url).status_code in (403, 404)
    assert client_for(statistician).get(reverse("operations-list")).status_code == 403
    assert "Zhusan 2019" not in client_for(caseworker_b).get(reverse("operations-list")).content.decode()


def test_a_caseworker_sees_the_wave_but_may_not_change_it(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User, caseworker_a: User
) -> None:
    fill(wave, [make_family(children=1)], supervisor_a)
    client = client_for(caseworker_a)
    page = client.get(reverse("operations-wave-detail", args=[wave.pk])).content.decode()
    assert "Mother1 Family" in page and reverse("operations-wave-execute", args=[wave.pk]) not in page
    assert client.get(reverse("operations-wave-execute", args=[wave.pk])).status_code == 403
    assert client.post(reverse("operations-wave-execute", args=[wave.pk]), {"version": 2}).status_code == 403


def test_creating_an_operation_and_a_wave_through_the_pages(supervisor_a: User, places: tuple[Place, Place]) -> None:
    client = client_for(supervisor_a)
    response = client.post(
        reverse("operations-create"), {"name": "Rusafa 2020", "code": "R-2020", "starts_on": "2020-01-01"}
    )
    operation = Operation.objects.get(code="R-2020")
    assert response.status_code == 302 and operation.lead_agency == supervisor_a.agency
    bad = client.post(
        reverse("operations-wave-create", args=[operation.pk]),
        {
            "name": "R-1",
            "departs_on": "2020-02-02",
            "arrives_on": "2020-02-01",
            "capacity": 10,
            "origin": places[0].pk,
            "destination": places[1].pk,
        },
    )
    assert bad.status_code == 200 and "cannot arrive before it departs" in bad.content.decode()
    good = client.post(
        reverse("operations-wave-create", args=[operation.pk]),
        {
            "name": "R-1",
            "departs_on": "2020-02-01",
            "arrives_on": "2020-02-01",
            "capacity": 10,
            "origin": places[0].pk,
            "destination": places[1].pk,
        },
    )
    wave = Wave.objects.get(operation=operation)
    assert good.status_code == 302 and wave.number == 1


def test_adding_a_family_removing_and_executing_through_the_pages(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=2)
    client = client_for(supervisor_a)
    search = client.get(reverse("operations-wave-add", args=[wave.pk]), {"q": "Mother1"}).content.decode()
    assert "Mother1 Family" in search and "Child1x0 Family" in search
    client.post(
        reverse("operations-wave-add", args=[wave.pk]),
        {"person": family.mother.person_id, "include_children": "on", "version": wave.version},
    )
    assert WaveMember.objects.filter(wave=wave).count() == 3
    mother_member = WaveMember.objects.get(person_id=family.mother.person_id)
    wave.refresh_from_db()
    refused = client.post(
        reverse("operations-wave-remove", args=[wave.pk, mother_member.pk]), {"version": wave.version}
    )
    assert "Remove the children too" in refused.content.decode()
    confirm = client.get(reverse("operations-wave-execute", args=[wave.pk])).content.decode()
    assert "3 persons will be marked evacuated" in confirm
    done = client.post(reverse("operations-wave-execute", args=[wave.pk]), {"version": wave.version})
    assert done.status_code == 302
    assert set(Case.objects.filter(person_id__in=family.person_ids).values_list("state", flat=True)) == {
        CaseState.EVACUATED
    }
    wave.refresh_from_db()
    assert wave.status == WaveStatus.EXECUTED


def test_a_stale_execute_form_changes_nothing_and_says_so(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=0)
    fill(wave, [family], supervisor_a)
    response = client_for(supervisor_a).post(reverse("operations-wave-execute", args=[wave.pk]), {"version": 1})
    assert response.status_code == 200 and "Someone changed this wave" in response.content.decode()
    assert Case.objects.get(pk=family.mother.pk).state == CaseState.CONSENTED


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_wave_and_operation_pages_make_the_same_number_of_queries_for_2_and_20_members(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    small, large = make_wave(), make_wave()
    fill(small, [make_family(children=1)], supervisor_a)
    fill(large, [make_family(children=4) for _ in range(4)], supervisor_a)
    assert large.members.count() == 20 and small.members.count() == 2
    client = client_for(supervisor_a)
    for name in ("operations-wave-detail", "operations-wave-execute"):
        assert _count_queries(client, reverse(name, args=[small.pk])) == _count_queries(
            client, reverse(name, args=[large.pk])
        )
    before = _count_queries(client, reverse("operations-detail", args=[small.operation_id]))
    make_wave()
    assert _count_queries(client, reverse("operations-detail", args=[small.operation_id])) == before
    listing = _count_queries(client, reverse("operations-list"))
    services.operation_create(actor=supervisor_a, name="Other", code="OTHER", starts_on=small.departs_on)
    assert _count_queries(client, reverse("operations-list")) == listing


def test_editing_a_wave_read_before_another_change_is_refused(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User, places: tuple[Place, Place]
) -> None:
    client = client_for(supervisor_a)
    form = client.get(reverse("operations-wave-edit", args=[wave.pk]))
    assert form.status_code == 200
    fill(wave, [make_family(children=0)], supervisor_a)  # someone adds a person meanwhile: version 2
    data = {
        "name": "Zhusan-1 bis",
        "departs_on": "2019-05-09",
        "arrives_on": "2019-05-09",
        "origin": places[0].pk,
        "destination": places[1].pk,
        "capacity": 40,
        "version": 1,
    }
    stale = client.post(reverse("operations-wave-edit", args=[wave.pk]), data)
    assert "Someone changed this wave" in stale.content.decode()
    wave.refresh_from_db()
    assert wave.name == "Zhusan-1" and wave.capacity == 50
    fresh = client.post(reverse("operations-wave-edit", args=[wave.pk]), {**data, "version": wave.version})
    assert fresh.status_code == 302
    wave.refresh_from_db()
    assert wave.name == "Zhusan-1 bis" and wave.capacity == 40
