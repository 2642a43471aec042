"""Fixtures of the self-return tests: a consulate in a third country and a family registered there."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from access.models import User
from casework.models import Case
from conftest import cyrillic, latin
from consular import services
from consular.models import SelfReturnMember, SelfReturnRequest
from people.models import Place, PlaceKind


@dataclass
class Places:
    home: Place
    turkey: Place
    consulate: Place
    airport: Place


@pytest.fixture
def places(db: Any) -> Places:
    home = Place.objects.create(kind=PlaceKind.COUNTRY, name="Homeland", code="HL")
    turkey = Place.objects.create(kind=PlaceKind.COUNTRY, name="Turkey", code="TR")
    return Places(
        home=home,
        turkey=turkey,
        consulate=Place.objects.create(kind=PlaceKind.CONSULATE, name="Consulate General in Istanbul", parent=turkey),
        airport=Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Capital", parent=home),
    )


def child_fields(born: date) -> dict[str, Any]:
    return {"sex": "M", "birth_date": born, "birth_date_precision": "year"}


@dataclass
class Family:
    request: SelfReturnRequest
    children: list[SelfReturnMember]


@pytest.fixture
def new_family(caseworker_a: User, places: Places) -> Callable[..., Family]:
    """A woman registered at the consulate as a new person, with `children` children born in Turkey."""

    def make(children: int = 2, actor: User | None = None) -> Family:
        actor = actor or caseworker_a
        request = services.self_return_register(
            actor=actor,
            consulate=places.consulate,
            requested_on=date(2019, 2, 1),
            situation="Reached the consulate without documents.",
            names=[cyrillic("Айгуль", "Омарова"), latin("Aigul", "Omarova")],
            sex="F",
            birth_date=date(1990, 3, 3),
            birth_date_precision="day",
        )
        members = [
            services.self_return_member_add(
                actor=actor,
                request=request,
                relation="child",
                names=[cyrillic(f"Ребёнок{i}", "Омаров")],
                born_in=places.turkey,
                **child_fields(date(2015 + i, 1, 1)),
            )
            for i in range(children)
        ]
        request.refresh_from_db()
        return Family(request=request, children=members)

    return make


def restore_all(actor: User, family: Family, doc_type: str = "return_certificate") -> None:
    """Ask for and issue a travel document for every traveller."""
    persons = [family.request.applicant, *(m.person for m in family.children)]
    for person in persons:
        restoration = services.restoration_request(
            actor=actor, request=family.request, person=person, doc_type=doc_type, requested_on=date(2019, 2, 2)
        )
        services.restoration_issue(actor=actor, restoration=restoration, issued_on=date(2019, 3, 1))


def case_of(member: SelfReturnMember) -> Case:
    return Case.objects.get(pk=member.case_id)
