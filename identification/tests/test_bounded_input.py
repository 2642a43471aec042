"""The lists an identification request carries are bounded: more is refused and nothing is written."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from access.models import User
from audit.models import AuditEntry
from identification import imports
from identification.models import IdentificationList, Mission
from identification.services import MAX_MISSION_CHOICES
from identification.spreadsheet import MAX_ROWS
from people.models import Place, PlaceKind


@pytest.fixture
def client_a(caseworker_a: User) -> Client:
    client = Client()
    client.force_login(caseworker_a)
    return client


def test_a_mission_visiting_more_than_100_places_is_refused_on_the_page_and_nothing_is_written(
    client_a: Client, db: Any
) -> None:
    camps = Place.objects.bulk_create(
        Place(kind=PlaceKind.CAMP, name=f"Camp {i}") for i in range(MAX_MISSION_CHOICES + 1)
    )
    before = AuditEntry.objects.count()
    response = client_a.post(
        reverse("identification-mission-create"),
        {"name": "Mission", "starts_on": "2019-01-10", "ends_on": "2019-01-20", "places": [c.pk for c in camps]},
    )
    assert response.status_code == 200
    assert "at most 100" in response.content.decode()
    assert not Mission.objects.exists() and AuditEntry.objects.count() == before


def test_more_decisions_than_an_import_can_have_rows_are_refused(
    caseworker_a: User, id_list: IdentificationList
) -> None:
    decisions = [{"row": i, "decision": "new"} for i in range(1, MAX_ROWS + 2)]
    with pytest.raises(ValidationError) as refused:
        imports.import_decide(actor=caseworker_a, batch=None, decisions=decisions)  # type: ignore[arg-type]
    assert "decisions" in refused.value.message_dict
