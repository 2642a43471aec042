"""Every list an operations request carries is bounded, and a wave change writes its entries in one append."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from access.models import Agency, AgencyKind, User
from audit.models import AuditEntry
from audit.verification import chain_verify
from operations import services
from operations.models import Operation, Wave, WaveMember
from operations.services import MAX_ESCORT, MAX_PARTNER_AGENCIES, MAX_PERSONS_AT_ONCE
from operations.tests.conftest import Family
from people.models import Place

pytestmark = pytest.mark.django_db


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _agencies(count: int) -> list[Agency]:
    return Agency.objects.bulk_create(
        Agency(name=f"Partner {i}", short_name=f"P{i}", kind=AgencyKind.NGO) for i in range(count)
    )


def test_an_operation_with_21_partner_agencies_is_refused_through_the_api_and_nothing_is_written(
    supervisor_a: User,
) -> None:
    partners = _agencies(MAX_PARTNER_AGENCIES + 1)
    before = (Operation.objects.count(), AuditEntry.objects.count())
    response = _api(supervisor_a).post(
        "/api/v1/operations/",
        {
            "name": "Zhusan 2020",
            "code": "Z-2020",
            "starts_on": "2020-01-01",
            "partner_agencies": [a.pk for a in partners],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "partner_agencies" in response.json()["errors"]
    assert (Operation.objects.count(), AuditEntry.objects.count()) == before


def test_a_long_list_of_partner_agencies_is_refused_before_any_of_them_is_looked_up(supervisor_a: User) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = _api(supervisor_a).post(
            "/api/v1/operations/",
            {"name": "Zhusan 2020", "code": "Z-2020", "starts_on": "2020-01-01", "partner_agencies": [1] * 5000},
            format="json",
        )
    assert response.status_code == 400
    assert sum("access_agency" in q["sql"] for q in queries.captured_queries) < 5


def test_the_operation_service_refuses_21_partner_agencies_from_the_page_too(supervisor_a: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.operation_create(
            actor=supervisor_a,
            name="Zhusan 2020",
            code="Z-2020",
            starts_on=date(2020, 1, 1),
            partner_agencies=_agencies(MAX_PARTNER_AGENCIES + 1),
        )
    assert "partner_agencies" in refused.value.message_dict
    assert not Operation.objects.filter(code="Z-2020").exists()


def test_a_wave_with_an_escort_of_31_is_refused_and_nothing_is_written(
    operation: Operation, supervisor_a: User, places: tuple[Place, Place], make_user: Callable[..., User]
) -> None:
    from access.rules import Role

    escort = [make_user(Role.CASEWORKER, username=f"escort{i}") for i in range(MAX_ESCORT + 1)]
    before = (Wave.objects.count(), AuditEntry.objects.count())
    response = _api(supervisor_a).post(
        "/api/v1/waves/",
        {
            "operation": operation.pk,
            "name": "Zhusan-9",
            "departs_on": "2019-05-09",
            "arrives_on": "2019-05-09",
            "origin": places[0].pk,
            "destination": places[1].pk,
            "capacity": 10,
            "escort": [u.pk for u in escort],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "escort" in response.json()["errors"]
    assert (Wave.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("method", ["post", "delete"])
def test_adding_or_removing_more_than_500_persons_at_once_is_refused(
    wave: Wave, supervisor_a: User, method: str
) -> None:
    ids = list(range(1, MAX_PERSONS_AT_ONCE + 2))
    client = _api(supervisor_a)
    if method == "post":
        response = client.post(f"/api/v1/waves/{wave.pk}/members/", {"persons": ids}, format="json")
    else:
        query = "&".join(f"person={i}" for i in ids)
        response = client.delete(f"/api/v1/waves/{wave.pk}/members/?{query}")
    assert response.status_code == 400
    assert "person" in str(response.json()["errors"])
    with pytest.raises(ValidationError):
        getattr(services, "wave_members_add" if method == "post" else "wave_members_remove")(
            actor=supervisor_a, wave=wave, person_ids=ids
        )


def test_planning_a_family_on_a_wave_appends_one_entry_per_person_in_one_step(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User, monkeypatch: Any
) -> None:
    import audit.services

    family = make_family(children=3)
    appends = []
    original = audit.services.audit_record_many

    def counting(**kwargs: Any) -> Any:
        appends.append(len(kwargs["items"]))
        return original(**kwargs)

    monkeypatch.setattr(services, "audit_record_many", counting)
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=family.person_ids)
    assert appends == [4]
    entries = AuditEntry.objects.filter(object_type="operations.wavemember")
    assert set(entries.values_list("person_id", flat=True)) == set(family.person_ids)
    services.wave_members_remove(actor=supervisor_a, wave=wave, person_ids=family.person_ids)
    assert appends == [4, 4]
    assert not WaveMember.objects.filter(active=True).exists()
    assert chain_verify().intact
