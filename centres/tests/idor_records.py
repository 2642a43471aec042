"""Records of agency A's centre for the IDOR walk (tests/test_idor.py): {URL segment before the id: id}."""

from collections.abc import Callable
from datetime import time
from typing import Any

from django.utils import timezone

from access.models import User
from casework.models import Case
from centres.models import Building, Centre, Group, GroupMember, Room, Session, Stay, StayKind
from people.models import Place, PlaceKind


def make(
    mother: Case, child: Case, caseworker: User, supervisor: User, make_user: Callable[..., Any]
) -> dict[str, int]:
    today = timezone.localdate()
    place = Place.objects.create(kind=PlaceKind.FACILITY, name="IDOR walk centre")
    assert caseworker.agency is not None
    centre = Centre.objects.create(name="IDOR walk centre", agency=caseworker.agency, place=place)
    room = Room.objects.create(building=Building.objects.create(centre=centre, name="1"), name="1", capacity=4)
    stay = Stay.objects.create(
        person=child.person,
        case=child,
        centre=centre,
        room=room,
        kind=StayKind.RESIDENTIAL,
        admitted_on=today,
        planned_until=today,
        admitted_by=caseworker,
    )
    group = Group.objects.create(centre=centre, name="Children", profile="single_parent_children", starts_on=today)
    GroupMember.objects.create(group=group, person=child.person, added_by=caseworker)
    session = Session.objects.create(
        centre=centre,
        group=group,
        on=today,
        starts_at=time(10),
        ends_at=time(11),
        kind="education",
        specialist=supervisor,
        topic="Reading",
    )
    return {
        "centres": centre.pk,
        "stays": stay.pk,
        "groups": group.pk,
        "sessions": session.pk,
        "centre-groups": group.pk,
        "centre-sessions": session.pk,
    }
