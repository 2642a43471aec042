"""Admission, capacity, one stay at a time, the case lifecycle, discharge."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import Case
from casework.transitions import CaseState
from centres import services
from centres.models import Centre, Stay, StayKind
from centres.tests.conftest import ARRIVED, room
from conftest import latin

DAY = ARRIVED + timedelta(days=1)


def test_admission_moves_a_received_case_into_the_centre_for_the_default_month(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"), admitted_on=DAY
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_CENTRE
    assert stay.planned_until == DAY + timedelta(days=30)
    entry = AuditEntry.objects.get(object_type="centres.stay", object_id=str(stay.pk))
    assert entry.person_id == case.person_id and entry.changes["room"] == [None, room(centre, "A1").pk]


def test_a_full_room_refuses_the_next_admission_with_a_clear_message(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    b1 = room(centre, "B1")
    for given in ("Aigerim", "Dana"):
        services.stay_admit(
            actor=caseworker_a, centre=centre, person=arrived(latin(given)).person, room=b1, admitted_on=DAY
        )
    third = arrived(latin("Saule"))
    with pytest.raises(ValidationError) as refused:
        services.stay_admit(actor=caseworker_a, centre=centre, person=third.person, room=b1, admitted_on=DAY)
    assert "B1 is full" in refused.value.message_dict["room"][0]
    third.refresh_from_db()
    assert third.state == CaseState.RECEIVED
    assert Stay.objects.filter(room=b1).count() == 2


def test_a_discharge_frees_the_bed_and_leaves_the_case_where_it_is(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    b1 = room(centre, "B1")
    b1.capacity = 1
    b1.save()
    first = arrived(latin("Aigerim"))
    stay = services.stay_admit(actor=caseworker_a, centre=centre, person=first.person, room=b1, admitted_on=DAY)
    services.stay_discharge(actor=caseworker_a, stay=stay, reason="Went home", discharged_on=DAY + timedelta(days=3))
    stay.refresh_from_db()
    first.refresh_from_db()
    assert stay.discharged_on == DAY + timedelta(days=3) and stay.discharged_by == caseworker_a
    assert first.state == CaseState.IN_CENTRE
    second = arrived(latin("Dana"))
    later = services.stay_admit(
        actor=caseworker_a, centre=centre, person=second.person, room=b1, admitted_on=DAY + timedelta(days=3)
    )
    assert later.room == b1


def test_a_person_has_one_stay_under_way_at_a_time(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"), admitted_on=DAY)
    with pytest.raises(ValidationError) as refused:
        services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, kind=StayKind.DAY, admitted_on=DAY)
    assert "already has a stay under way" in refused.value.message_dict["person"][0]
    assert Stay.objects.filter(person=case.person).count() == 1


def test_a_case_already_in_the_centre_stays_there_on_readmission(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"), admitted_on=DAY
    )
    services.stay_discharge(actor=caseworker_a, stay=stay, reason="Hospital", discharged_on=DAY + timedelta(days=1))
    again = services.stay_admit(
        actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A2"), admitted_on=DAY + timedelta(2)
    )
    case.refresh_from_db()
    assert again.pk and case.state == CaseState.IN_CENTRE


def test_a_case_that_has_not_arrived_is_not_admitted(
    centre: Centre, register: Callable[..., Case], caseworker_a: User
) -> None:
    case = register(latin("Aigerim"))
    with pytest.raises(ValidationError) as refused:
        services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"))
    assert "must be received first" in refused.value.message_dict["person"][0]
    assert not Stay.objects.exists()


def test_an_admission_before_the_arrival_is_refused(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    with pytest.raises(ValidationError) as refused:
        services.stay_admit(
            actor=caseworker_a,
            centre=centre,
            person=case.person,
            room=room(centre, "A1"),
            admitted_on=ARRIVED - timedelta(days=1),
        )
    assert "admitted_on" in refused.value.message_dict


def test_a_residential_stay_needs_a_room_of_this_centre(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User, agency_a: object
) -> None:
    case = arrived()
    other = Centre.objects.create(name="Other", agency=centre.agency, place=centre.place)
    with pytest.raises(ValidationError) as refused:
        services.stay_admit(actor=caseworker_a, centre=other, person=case.person, room=room(centre, "A1"))
    assert "room" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, room=None)


def test_only_centre_managers_admit(
    centre: Centre, arrived: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    case = arrived()
    doctor = make_user(Role.MEDICAL_OFFICER)
    with pytest.raises(PermissionDenied):
        services.stay_admit(actor=doctor, centre=centre, person=case.person, room=room(centre, "A1"))
    assert not Stay.objects.exists()


def test_a_person_out_of_reach_is_not_admitted(
    centre: Centre, arrived: Callable[..., Case], make_user: Callable[..., User], team_a: object
) -> None:
    case = arrived()
    stranger = make_user(Role.CASEWORKER)  # agency A, no team, not the case's caseworker
    centre.staff.add(stranger)
    with pytest.raises(PermissionDenied):
        services.stay_admit(actor=stranger, centre=centre, person=case.person, room=room(centre, "A1"))
    assert not Stay.objects.exists()


def test_staff_of_another_agency_manage_only_centres_they_are_listed_on(
    centre: Centre, arrived: Callable[..., Case], caseworker_b: User, caseworker_a: User
) -> None:
    case = arrived()
    with pytest.raises(PermissionDenied):
        services.building_add(actor=caseworker_b, centre=centre, name="C")
    centre.staff.add(caseworker_b)
    assert services.building_add(actor=caseworker_b, centre=centre, name="C").pk
    # Listed on the centre, but still reaching only their own persons.
    with pytest.raises(PermissionDenied):
        services.stay_admit(actor=caseworker_b, centre=centre, person=case.person, room=room(centre, "A1"))


def test_a_day_programme_takes_no_room_and_serves_persons_back_home(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    case.state = CaseState.IN_LOCAL_PROGRAMME  # back home, in a local programme
    case.save()
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=case.person, kind=StayKind.DAY, admitted_on=DAY
    )
    case.refresh_from_db()
    assert stay.room is None and case.state == CaseState.IN_LOCAL_PROGRAMME


def test_discharge_needs_a_reason_and_happens_once(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=arrived().person, room=room(centre, "A1"), admitted_on=DAY
    )
    with pytest.raises(ValidationError):
        services.stay_discharge(actor=caseworker_a, stay=stay, reason="  ")
    services.stay_discharge(actor=caseworker_a, stay=stay, reason="Relocated home")
    with pytest.raises(ValidationError):
        services.stay_discharge(actor=caseworker_a, stay=stay, reason="Again")


def test_the_planned_end_can_change_but_not_before_admission(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=arrived().person, room=room(centre, "A1"), admitted_on=DAY
    )
    services.stay_plan(actor=caseworker_a, stay=stay, planned_until=DAY + timedelta(days=60))
    stay.refresh_from_db()
    assert stay.planned_until == DAY + timedelta(days=60)
    with pytest.raises(ValidationError):
        services.stay_plan(actor=caseworker_a, stay=stay, planned_until=date(2000, 1, 1))
