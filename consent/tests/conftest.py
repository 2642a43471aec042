"""Fixtures of the consent tests: statements, a camp, a mother with a child, an orphan, a panel."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from access.models import User
from access.rules import Role
from casework.models import Case
from conftest import latin
from consent.models import ConsentStatement
from people import services as people_services
from people.models import Place, PlaceKind

TODAY_ISH = date(2024, 3, 1)


@pytest.fixture
def statement_en(db: Any) -> ConsentStatement:
    return ConsentStatement.objects.create(
        language="en",
        version="2019-1",
        title="Voluntary return",
        text="You are asked whether you wish to return to your home country.",
        responsibility_clause="You may be held responsible under national law for acts in the conflict zone.",
    )


@pytest.fixture
def statement_ru(db: Any) -> ConsentStatement:
    return ConsentStatement.objects.create(
        language="ru",
        version="2019-1",
        title="Добровольное возвращение",
        text="Вас спрашивают, желаете ли вы вернуться на родину.",
        responsibility_clause="Вы можете быть привлечены к ответственности по национальному законодательству.",
    )


@pytest.fixture
def camp(db: Any) -> Place:
    return Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol", names={"ru": "Аль-Холь"})


@dataclass
class Family:
    mother: Case
    child: Case


@pytest.fixture
def family(register: Callable[..., Case], caseworker_a: User) -> Family:
    mother = register(latin("Aigerim", "Nurlanova"))
    child = register(latin("Amina", "Nurlanova"), born=date(2015, 1, 1))
    people_services.relationship_add(actor=caseworker_a, subject=mother.person, obj=child.person, kind="mother")
    return Family(mother=mother, child=child)


@pytest.fixture
def orphan(register: Callable[..., Case]) -> Case:
    return register(latin("Yusuf", "Alone"), sex="M", born=date(2014, 6, 1))


@pytest.fixture
def manager_a(make_user: Callable[..., User]) -> User:
    return make_user(Role.AGENCY_MANAGER, username="manager_a")


@pytest.fixture
def answer(statement_en: ConsentStatement, camp: Place) -> Callable[..., dict[str, Any]]:
    """The fields of a complete consent, overridable."""

    def make(**overrides: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "statement": statement_en,
            "told_may_be_held_responsible": True,
            "language": "en",
            "interpreter": "",
            "witness": "Officer Dana Field",
            "recorded_on": TODAY_ISH,
            "place": camp,
            "reason": "",
        }
        fields.update(overrides)
        return fields

    return make
