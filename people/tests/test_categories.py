"""Derived categories follow the written definitions (docs/decisions/0007-derived-categories.md)."""

from collections.abc import Callable
from datetime import date

from access.models import User
from casework.models import Case
from conftest import latin
from people import services
from people.categories import Group, age_at, categories_for
from people.models import Person, Place, PlaceKind


def _categories(person: Person, on: date = date(2019, 5, 9)):
    return categories_for([Person.objects.get(pk=person.pk)], on=on)[person.pk]


def test_age_is_taken_at_the_reference_date(register: Callable[..., Case]) -> None:
    girl = register(latin("Amina"), born=date(2002, 1, 1)).person
    assert _categories(girl, on=date(2019, 5, 9)).group == Group.CHILD
    assert _categories(girl, on=date(2026, 1, 1)).group == Group.WOMAN


def test_adults_are_men_or_women_by_sex(register: Callable[..., Case]) -> None:
    assert _categories(register(sex="M").person).group == Group.MAN
    assert _categories(register(sex="F").person).group == Group.WOMAN
    assert _categories(register(sex="U").person).group is None


def test_an_estimated_age_grows_with_time_since_the_estimate(register: Callable[..., Case]) -> None:
    person = register(
        born=None,
        birth_date_precision="estimated",
        estimated_age_min=4,
        estimated_age_max=6,
        age_estimated_on=date(2019, 3, 1),
    ).person
    age = age_at(person, date(2021, 3, 1))
    assert age is not None
    assert (age.low, age.high) == (6, 8)


def test_a_child_with_no_living_parent_is_an_orphan(register: Callable[..., Case], caseworker_a: User) -> None:
    child = register(latin("Amina"), born=date(2015, 1, 1)).person
    assert _categories(child).orphan  # no parent recorded at all
    mother = services.relative_register(
        actor=caseworker_a,
        of_person=child,
        kind="mother",
        names=[latin("Dinara")],
        sex="F",
        birth_date=date(1990, 1, 1),
        birth_date_precision="day",
    )
    assert not _categories(child).orphan  # a living mother
    services.person_update(actor=caseworker_a, person=mother, vital_status="dead")
    assert _categories(child).orphan


def test_an_adult_is_never_an_orphan(register: Callable[..., Case]) -> None:
    assert not _categories(register(born=date(1980, 1, 1)).person).orphan


def test_a_child_alone_in_a_camp_is_unaccompanied_and_with_an_aunt_separated(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol")
    child = register(latin("Amina"), born=date(2012, 1, 1)).person
    services.presence_record(actor=caseworker_a, person=child, place=camp, since=date(2019, 1, 1), source="mission")
    assert _categories(child).unaccompanied
    aunt = services.relative_register(
        actor=caseworker_a,
        of_person=child,
        kind="other",
        names=[latin("Dinara")],
        sex="F",
        birth_date=date(1985, 1, 1),
        birth_date_precision="day",
    )
    services.presence_record(actor=caseworker_a, person=aunt, place=camp, since=date(2019, 1, 1), source="mission")
    categories = _categories(child)
    assert categories.separated and not categories.unaccompanied
