"""Fixtures of the operations tests: an operation of agency A, a wave, consented families."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from access.models import Agency, User
from casework.models import Case
from casework.services import case_transition
from conftest import latin
from operations import services
from operations.models import Operation, Wave
from people.models import Place, PlaceKind
from people.services import relationship_add


def consent(case: Case, actor: User) -> Case:
    """Move a new case to CONSENTED, as the consent app does."""
    for step in ("ask_consent", "consent"):
        case = case_transition(actor=actor, case=case, transition=step)
    return case


@dataclass
class Family:
    mother: Case
    children: list[Case]

    @property
    def person_ids(self) -> list[int]:
        return [self.mother.person_id, *[c.person_id for c in self.children]]


@pytest.fixture
def places(db: None) -> tuple[Place, Place]:
    syria = Place.objects.create(kind=PlaceKind.COUNTRY, name="Syria", code="SY")
    origin = Place.objects.create(kind=PlaceKind.FACILITY, name="Qamishli airport", parent=syria)
    aktau = Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Aktau")
    return origin, aktau


@pytest.fixture
def operation(supervisor_a: User, agency_a: Agency) -> Operation:
    return services.operation_create(
        actor=supervisor_a, name="Zhusan 2019", code="ZHUSAN-2019", starts_on=date(2019, 1, 1)
    )


@pytest.fixture
def make_wave(operation: Operation, supervisor_a: User, places: tuple[Place, Place]) -> Callable[..., Wave]:
    def make(capacity: int = 50, on: date = date(2019, 5, 9), name: str = "") -> Wave:
        return services.wave_create(
            actor=supervisor_a,
            operation=operation,
            name=name or f"Zhusan-{operation.waves.count() + 1}",
            departs_on=on,
            arrives_on=on,
            origin=places[0],
            destination=places[1],
            transport="Air Astana charter",
            capacity=capacity,
        )

    return make


@pytest.fixture
def wave(make_wave: Callable[..., Wave]) -> Wave:
    return make_wave()


@pytest.fixture
def make_family(register: Callable[..., Case], caseworker_a: User) -> Callable[..., Family]:
    counter = {"n": 0}

    def make(children: int = 2, consented: bool = True, link: str = "both") -> Family:
        counter["n"] += 1
        n = counter["n"]
        mother = register(latin(f"Mother{n}", "Family"))
        kids = []
        for i in range(children):
            parent_case = mother if link in ("both", "case") else None
            child = register(latin(f"Child{n}x{i}", "Family"), born=date(2014, 1, 1 + i))
            if parent_case is not None:
                Case.objects.filter(pk=child.pk).update(parent_case=parent_case)
                child.refresh_from_db()
            if link in ("both", "relationship"):
                relationship_add(actor=caseworker_a, subject=mother.person, obj=child.person, kind="mother")
            kids.append(child)
        if consented:
            mother = consent(mother, caseworker_a)
            kids = [consent(k, caseworker_a) for k in kids]
        return Family(mother=mother, children=kids)

    return make
