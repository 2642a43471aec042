"""Free buildings, families kept in one room, an arrival admitted all or nothing, suggested group profiles."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.models import User
from casework.models import Case
from casework.transitions import CaseState
from centres import placement, services
from centres.models import Building, Centre, GroupProfile, Stay
from centres.profiles import suggested_profiles
from centres.tests.conftest import ARRIVED, room
from conftest import latin
from people import services as people_services
from people.models import Person, VitalStatus

DAY = ARRIVED + timedelta(days=1)


def _mother_with(arrived: Callable[..., Case], caseworker: User, children: int, family: str) -> list[Person]:
    mother = arrived(latin("Mother", family)).person
    persons = [mother]
    for i in range(children):
        child = arrived(latin(f"Child{i}", family), born=date(2016, 1, 1)).person
        people_services.relationship_add(actor=caseworker, subject=mother, obj=child, kind="mother")
        persons.append(child)
    return persons


def test_the_free_building_is_one_nobody_stays_in(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    assert placement.free_building(centre, DAY).name == "A"  # type: ignore[union-attr]
    services.stay_admit(
        actor=caseworker_a, centre=centre, person=arrived().person, room=room(centre, "A2"), admitted_on=DAY
    )
    assert placement.free_building(centre, DAY).name == "B"  # type: ignore[union-attr]
    services.stay_admit(
        actor=caseworker_a,
        centre=centre,
        person=arrived(latin("Dana")).person,
        room=room(centre, "B1"),
        admitted_on=DAY,
    )
    assert placement.free_building(centre, DAY) is None


def test_a_building_is_free_again_once_everyone_left(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=arrived().person, room=room(centre, "A1"), admitted_on=DAY
    )
    services.stay_discharge(actor=caseworker_a, stay=stay, reason="Home", discharged_on=DAY + timedelta(days=2))
    assert placement.free_building(centre, DAY + timedelta(days=2)).name == "A"  # type: ignore[union-attr]
    assert placement.free_building(centre, DAY).name == "B"  # type: ignore[union-attr]


def test_an_arrival_goes_into_the_free_building_with_each_mother_and_her_children_in_one_room(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    first = _mother_with(arrived, caseworker_a, 1, "One")  # 2 persons
    second = _mother_with(arrived, caseworker_a, 2, "Two")  # 3 persons
    stays = services.group_admit(actor=caseworker_a, centre=centre, persons=first + second, admitted_on=DAY)
    assert len(stays) == 5
    rooms = {s.person_id: s.room.name for s in stays if s.room}
    assert {rooms[p.pk] for p in second} == {"A1"}
    assert {rooms[p.pk] for p in first} == {"A2"}
    assert Case.objects.filter(person__in=first + second, state=CaseState.IN_CENTRE).count() == 5


def test_an_arrival_larger_than_the_beds_is_refused_whole_saying_how_many_beds_lack(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    persons = _mother_with(arrived, caseworker_a, 2, "Big") + _mother_with(arrived, caseworker_a, 2, "Large")
    building_b = Building.objects.get(centre=centre, name="B")  # 2 beds for 6 persons
    with pytest.raises(ValidationError) as refused:
        services.group_admit(actor=caseworker_a, centre=centre, persons=persons, admitted_on=DAY, building=building_b)
    assert "lacks 4 beds" in refused.value.message_dict["persons"][0]
    assert not Stay.objects.exists()
    assert not Case.objects.filter(state=CaseState.IN_CENTRE).exists()


def test_one_person_who_cannot_be_admitted_stops_the_whole_arrival(
    centre: Centre, arrived: Callable[..., Case], register: Callable[..., Case], caseworker_a: User
) -> None:
    persons = _mother_with(arrived, caseworker_a, 1, "One")
    not_arrived = register(latin("Still", "Abroad")).person
    with pytest.raises(ValidationError):
        services.group_admit(actor=caseworker_a, centre=centre, persons=[*persons, not_arrived], admitted_on=DAY)
    assert not Stay.objects.exists()


def test_an_arrival_with_a_person_out_of_reach_is_refused(
    centre: Centre, arrived: Callable[..., Case], register: Callable[..., Case], caseworker_a: User, caseworker_b: User
) -> None:
    other = register(latin("Other", "Agency"), actor=caseworker_b).person
    with pytest.raises(PermissionDenied):
        services.group_admit(actor=caseworker_a, centre=centre, persons=[arrived().person, other], admitted_on=DAY)
    assert not Stay.objects.exists()


def test_distribution_keeps_units_whole_where_a_room_fits_and_splits_only_when_none_does() -> None:
    plan = placement.distribute([[1, 2, 3], [4, 5], [6]], {10: 3, 11: 2, 12: 1})
    assert plan.rooms == {1: 10, 2: 10, 3: 10, 4: 11, 5: 11, 6: 12} and plan.split_units == 0
    split = placement.distribute([[1, 2, 3, 4]], {10: 2, 11: 2})
    assert sorted(split.rooms) == [1, 2, 3, 4] and split.split_units == 1
    short = placement.distribute([[1, 2, 3]], {10: 2})
    assert short.rooms == {} and short.missing == 1


def test_family_units_join_mothers_children_and_siblings(arrived: Callable[..., Case], caseworker_a: User) -> None:
    family = _mother_with(arrived, caseworker_a, 2, "Fam")
    lone = arrived(latin("Alone")).person
    units = placement.family_units([p.pk for p in [*family, lone]])
    assert units == [sorted(p.pk for p in family), [lone.pk]]


def test_suggested_profiles_follow_the_methodology(
    arrived: Callable[..., Case], register: Callable[..., Case], caseworker_a: User
) -> None:
    mother, child = _mother_with(arrived, caseworker_a, 1, "Fam")
    woman = arrived(latin("Single")).person
    man = arrived(latin("Man"), sex="M", born=date(1985, 1, 1)).person
    orphan = arrived(latin("Orphan"), born=date(2015, 1, 1)).person
    dead = people_services.relative_register(
        actor=caseworker_a,
        of_person=orphan,
        kind="mother",
        names=[latin("Late")],
        sex="F",
        birth_date=date(1985, 1, 1),
        birth_date_precision="day",
        vital_status=VitalStatus.DEAD,
    )
    assert dead.pk
    profiles = suggested_profiles([mother, child, woman, man, orphan], ARRIVED)
    assert profiles == {
        mother.pk: GroupProfile.WOMEN_WITH_CHILDREN,
        child.pk: GroupProfile.CHILDREN_OF_SINGLE_PARENTS,
        woman.pk: GroupProfile.WOMEN,
        man.pk: GroupProfile.MEN,
        orphan.pk: GroupProfile.ORPHANS,
    }
