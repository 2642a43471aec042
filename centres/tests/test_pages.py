"""The centre's pages: list, occupancy board, admission, discharge, groups, programme and attendance."""

from collections.abc import Callable
from datetime import date, time, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import Case
from casework.transitions import CaseState
from centres import services
from centres.models import Attendance, Centre, GroupMember, Room, Session, Stay
from centres.tests.conftest import ARRIVED, room
from conftest import latin

DAY = ARRIVED + timedelta(days=1)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_the_centres_the_user_works_at_only(
    centre: Centre, caseworker_a: User, caseworker_b: User, make_user: Callable[..., User]
) -> None:
    page = _client(caseworker_a).get("/centres/")
    assert page.status_code == 200 and "Test centre" in page.content.decode()
    assert "Test centre" not in _client(caseworker_b).get("/centres/").content.decode()
    assert _client(make_user(Role.STATISTICIAN)).get("/centres/").status_code == 403


def test_the_board_names_only_persons_the_user_may_see_and_counts_the_others(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User, make_user: Callable[..., User]
) -> None:
    case = arrived(latin("Aigerim", "Visible"))
    services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"), admitted_on=DAY)
    colleague = make_user(Role.CASEWORKER)  # same agency, reaches none of these cases
    centre.staff.add(colleague)
    own = _client(caseworker_a).get(f"/centres/{centre.pk}/?on={DAY}").content.decode()
    assert "Aigerim Visible" in own
    other = _client(colleague).get(f"/centres/{centre.pk}/?on={DAY}").content.decode()
    assert "Aigerim Visible" not in other and "1 person outside your reach" in other
    board = _client(colleague).get(f"/api/v1/centres/{centre.pk}/board/?on={DAY}").json()
    a1 = next(r for b in board["buildings"] for r in b["rooms"] if r["name"] == "A1")
    assert a1 == {"id": a1["id"], "name": "A1", "capacity": 3, "occupied": 1, "free": 2, "occupants": [], "others": 1}


def test_the_board_makes_the_same_number_of_queries_for_2_or_20_stays(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    big = Room.objects.create(building=room(centre, "A1").building, name="Hall", capacity=30)
    client = _client(caseworker_a)

    def fill(n: int) -> int:
        for _ in range(n):
            person = arrived(latin("Guest", f"N{Stay.objects.count()}")).person
            services.stay_admit(actor=caseworker_a, centre=centre, person=person, room=big, admitted_on=DAY)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/centres/{centre.pk}/?on={DAY}").status_code == 200
            assert client.get(f"/api/v1/centres/{centre.pk}/board/?on={DAY}").status_code == 200
            assert client.get("/centres/").status_code == 200
        return len(captured)

    small = fill(2)
    assert fill(18) == small


def test_admitting_through_the_page_and_discharging(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    case = arrived()
    client = _client(caseworker_a)
    response = client.post(
        f"/centres/{centre.pk}/admit/",
        {"person": case.person_id, "kind": "residential", "room": room(centre, "A1").pk, "admitted_on": DAY},
    )
    stay = Stay.objects.get(person=case.person)
    assert response.status_code == 302 and response["Location"] == f"/centres/stays/{stay.pk}/"
    assert "In rehabilitation centre" in client.get(f"/centres/stays/{stay.pk}/").content.decode()
    response = client.post(f"/centres/stays/{stay.pk}/discharge/", {"reason": "Relocated home"})
    stay.refresh_from_db()
    assert response.status_code == 302 and stay.discharged_on is not None


def test_a_full_room_shows_the_refusal_on_the_form(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    b1 = room(centre, "B1")
    b1.capacity = 0
    b1.save()
    case = arrived()
    page = _client(caseworker_a).post(
        f"/centres/{centre.pk}/admit/", {"person": case.person_id, "kind": "residential", "room": b1.pk}
    )
    assert page.status_code == 200 and "B1 is full" in page.content.decode()
    assert not Stay.objects.exists()


def test_an_arrival_is_previewed_then_admitted_through_the_page(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    woman = arrived(latin("Aigerim"))
    man = arrived(latin("Marat"), sex="M", born=date(1980, 1, 1))
    client = _client(caseworker_a)
    form = {"arrived_on": ARRIVED, "women_and_children": "on", "admitted_on": DAY}
    preview = client.post(f"/centres/{centre.pk}/admit-group/", {**form, "preview": "1"}).content.decode()
    assert "1 person to admit" in preview and not Stay.objects.exists()
    response = client.post(f"/centres/{centre.pk}/admit-group/", {**form, "admit": "1"})
    assert response.status_code == 302
    assert list(Stay.objects.values_list("person_id", flat=True)) == [woman.person_id]
    man.refresh_from_db()
    assert man.state == CaseState.RECEIVED


def test_groups_programme_and_attendance_with_htmx(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    client = _client(caseworker_a)
    case = arrived()
    services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"), admitted_on=DAY)
    client.post(f"/centres/{centre.pk}/groups/", {"name": "Women 1", "profile": "women", "starts_on": DAY})
    group = centre.groups.get()
    page = client.get(f"/centres/groups/{group.pk}/").content.decode()
    assert "Women" in page and "Aigerim" in page  # a candidate, with her suggested profile
    client.post(f"/centres/groups/{group.pk}/", {"person": case.person_id})
    assert GroupMember.objects.filter(group=group, person=case.person).exists()
    client.post(
        f"/centres/{centre.pk}/programme/?on={DAY}",
        {
            "group": group.pk,
            "on": DAY,
            "starts_at": "10:00",
            "ends_at": "11:00",
            "kind": "psychological",
            "specialist": caseworker_a.pk,
            "topic": "Trust",
        },
    )
    session = Session.objects.get()
    programme = client.get(f"/centres/{centre.pk}/programme/?on={DAY}").content.decode()
    assert "Trust" in programme and "0 of 1 marked" in programme
    response = client.post(
        f"/centres/sessions/{session.pk}/attendance/", {f"mark-{case.person_id}": "present"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert "Attendance saved" in response.content.decode()
    assert Attendance.objects.get().status == "present"


def test_attendance_is_recorded_only_for_members_by_those_who_may(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User, make_user: Callable[..., User]
) -> None:
    case = arrived()
    outsider_case = arrived(latin("Dana"))
    services.stay_admit(actor=caseworker_a, centre=centre, person=case.person, room=room(centre, "A1"), admitted_on=DAY)
    group = services.group_create(actor=caseworker_a, centre=centre, name="G", profile="women", starts_on=DAY)
    services.group_member_add(actor=caseworker_a, group=group, person=case.person)
    session = services.session_plan(
        actor=caseworker_a,
        centre=centre,
        group=group,
        on=DAY,
        starts_at=time(9),
        ends_at=time(10),
        kind="legal",
        specialist=caseworker_a,
        topic="Rights",
    )
    client = _client(caseworker_a)
    refused = client.post(f"/centres/sessions/{session.pk}/attendance/", {f"mark-{outsider_case.person_id}": "present"})
    assert refused.status_code == 400 and not Attendance.objects.exists()
    registrar = make_user(Role.FIELD_REGISTRAR)  # no RECORD_ATTENDANCE, works at no centre
    centre.staff.add(registrar)
    assert _client(registrar).post(f"/centres/sessions/{session.pk}/attendance/", {}).status_code in (403, 404)
    assert not AuditEntry.objects.filter(actor=registrar, action="create").exists()


def test_another_agency_gets_404_for_the_centre_and_its_stays(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User, caseworker_b: User
) -> None:
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=arrived().person, room=room(centre, "A1"), admitted_on=DAY
    )
    client = _client(caseworker_b)
    for url in (f"/centres/{centre.pk}/", f"/centres/stays/{stay.pk}/", f"/api/v1/stays/{stay.pk}/"):
        assert client.get(url).status_code == 404, url


def test_a_manager_opens_a_centre_and_adds_buildings_and_rooms(caseworker_a: User, centre: Centre) -> None:
    client = _client(caseworker_a)
    response = client.post("/centres/", {"name": "Second centre", "place": centre.place_id, "default_stay_days": 21})
    second = Centre.objects.get(name="Second centre")
    assert response.status_code == 302 and second.agency == caseworker_a.agency and second.default_stay_days == 21
    client.post(f"/centres/{second.pk}/rooms/", {"building-name": "North", "add_building": "1"})
    building = second.buildings.get()
    client.post(
        f"/centres/{second.pk}/rooms/",
        {"room-building": building.pk, "room-name": "N1", "room-capacity": 4, "add_room": "1"},
    )
    assert Room.objects.get(building=building).capacity == 4
    page = client.get(f"/centres/{second.pk}/rooms/").content.decode()
    assert "N1 (4)" in page
    negative = client.post(
        f"/centres/{second.pk}/rooms/",
        {"room-building": building.pk, "room-name": "N2", "room-capacity": -1, "add_room": "1"},
    )
    assert negative.status_code == 200 and not Room.objects.filter(name="N2").exists()


def test_the_stay_page_shows_the_refusal_of_a_discharge_without_reason(
    centre: Centre, arrived: Callable[..., Case], caseworker_a: User
) -> None:
    stay = services.stay_admit(
        actor=caseworker_a, centre=centre, person=arrived().person, room=room(centre, "A1"), admitted_on=DAY
    )
    response = _client(caseworker_a).post(f"/centres/stays/{stay.pk}/discharge/", {"reason": ""})
    assert response.status_code == 400
    stay.refresh_from_db()
    assert stay.discharged_on is None
