"""Fixtures of the centre's tests: a centre of agency A with two buildings, and returnees who have arrived."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from access.models import Agency, User
from casework.models import Case
from casework.services import case_transition
from centres.models import Building, Centre, Room
from conftest import latin
from people.models import Place, PlaceKind

ARRIVED = date(2024, 3, 1)


@pytest.fixture
def centre(agency_a: Agency) -> Centre:
    """Two buildings: A with rooms A1 (3 beds) and A2 (2 beds); B with room B1 (2 beds)."""
    place = Place.objects.create(kind=PlaceKind.FACILITY, name="Test rehabilitation centre")
    centre = Centre.objects.create(name="Test centre", agency=agency_a, place=place)
    a = Building.objects.create(centre=centre, name="A")
    b = Building.objects.create(centre=centre, name="B")
    Room.objects.create(building=a, name="A1", capacity=3)
    Room.objects.create(building=a, name="A2", capacity=2)
    Room.objects.create(building=b, name="B1", capacity=2)
    return centre


def room(centre: Centre, name: str) -> Room:
    return Room.objects.get(building__centre=centre, name=name)


@pytest.fixture
def arrived(register: Callable[..., Case], caseworker_a: User) -> Callable[..., Case]:
    """Register a returnee and bring the case to 'received', evacuated on ARRIVED."""

    def make(*names: dict[str, str], **fields: Any) -> Case:
        case = register(*(names or (latin("Aigerim", "Nurlanova"),)), **fields)
        for step in ("ask_consent", "consent"):
            case = case_transition(actor=caseworker_a, case=case, transition=step)
        case = case_transition(actor=caseworker_a, case=case, transition="evacuate", on=ARRIVED)
        return case_transition(actor=caseworker_a, case=case, transition="receive")

    return make
