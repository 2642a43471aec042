"""Demo records of the centre, on top of demo.builder's data set: the Aktau rehabilitation and adaptation centre.

Four buildings of 240 beds each. The women and children of each 2019 wave stayed in a free building for one
month from their evacuation date (wave 1 in building 1, and so on) and have all been discharged since; men
were not accommodated there (source document, 6.1-6.3). Groups by social profile per wave, and a week of the
first wave's daily programme with attendance. Deterministic and written in bulk; no case changes state
(the demo's cases are already past the centre).
"""

import random
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from access.models import Agency
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case
from centres.models import (
    Attendance,
    AttendanceStatus,
    Building,
    Centre,
    Group,
    GroupMember,
    GroupProfile,
    Room,
    Session,
    SessionKind,
    Stay,
    StayKind,
)
from centres.placement import distribute, family_units
from centres.profiles import suggested_profiles
from people.categories import Group as Category
from people.categories import categories_for
from people.models import Person, Place

if TYPE_CHECKING:
    from access.models import User

SEED = 2019
WAVES = [date(2019, 1, 6), date(2019, 5, 9), date(2019, 5, 29), date(2019, 6, 10)]
STAY_DAYS = 30
# Per building: 12 family rooms of 8 beds and 24 rooms of 6 beds, 240 beds.
ROOMS = [(8, 12), (6, 24)]
STAFF = ("caseworker", "caseworker_ngo", "supervisor", "doctor", "lawyer")
PROFILE_ORDER = list(GroupProfile)
# The first wave's day: (start, end, kind, specialist username, topic).
DAY_PLAN = [
    (time(9, 30), time(10, 30), SessionKind.PSYCHOLOGICAL, "psychologist", "Adaptation and trust"),
    (time(11, 0), time(12, 0), SessionKind.MEDICAL, "doctor", "Health check and hygiene"),
    (time(14, 0), time(15, 0), SessionKind.SOCIAL, "caseworker", "Documents, benefits and return home"),
    (time(15, 30), time(16, 30), SessionKind.LEGAL, "lawyer", "Rights and duties under national law"),
]
CHILD_DAY_PLAN = [
    (time(9, 30), time(10, 30), SessionKind.EDUCATION, "caseworker_ngo", "Reading and counting"),
    (time(11, 0), time(12, 0), SessionKind.PSYCHOLOGICAL, "psychologist", "Play therapy"),
]
DISCHARGE_REASON = "End of the planned stay: relocated to the home region"


@transaction.atomic
def seed(users: dict[str, "User"]) -> None:
    rng = random.Random(SEED)  # noqa: S311  # nosec B311 - a reproducible demo, not a secret
    supervisor = users["supervisor"]
    centre = Centre.objects.create(
        name="Aktau rehabilitation and adaptation centre",
        agency=Agency.objects.get(short_name="Aktau Centre"),
        place=Place.objects.get(name="Aktau rehabilitation and adaptation centre"),
        default_stay_days=STAY_DAYS,
    )
    centre.staff.set([users[u] for u in STAFF])
    buildings = Building.objects.bulk_create(Building(centre=centre, name=f"Building {n}") for n in range(1, 5))
    rooms: dict[int, list[Room]] = {}
    for building in buildings:
        numbered = [capacity for capacity, count in ROOMS for _ in range(count)]
        rooms[building.pk] = Room.objects.bulk_create(
            Room(building=building, name=f"{building.name[-1]}.{i:02d}", capacity=capacity)
            for i, capacity in enumerate(numbered, start=1)
        )
    stays: list[Stay] = []
    members: list[GroupMember] = []
    groups_by_wave: dict[date, list[tuple[Group, list[int]]]] = {}
    for wave, building in zip(WAVES, buildings, strict=True):
        persons = _women_and_children(wave)
        plan = distribute(family_units([p.pk for p in persons]), {r.pk: r.capacity for r in rooms[building.pk]})
        if plan.missing:  # the demo's waves fit their building; a change of the demo must keep it so
            raise RuntimeError(f"Building {building.name} lacks {plan.missing} beds for the wave of {wave}")
        cases = dict(Case.objects.filter(person__in=persons).values_list("person_id", "pk"))
        end = wave + timedelta(days=STAY_DAYS)
        stays += [
            Stay(
                person=p,
                case_id=cases[p.pk],
                centre=centre,
                room_id=plan.rooms[p.pk],
                kind=StayKind.RESIDENTIAL,
                admitted_on=wave,
                planned_until=end,
                discharged_on=end,
                discharge_reason=DISCHARGE_REASON,
                admitted_by=supervisor,
                discharged_by=supervisor,
            )
            for p in persons
        ]
        groups_by_wave[wave] = _groups(centre, wave, persons, WAVES.index(wave) + 1)
        members += [
            GroupMember(group=group, person_id=pid, added_by=supervisor)
            for group, ids in groups_by_wave[wave]
            for pid in ids
        ]
    Stay.objects.bulk_create(stays)
    GroupMember.objects.bulk_create(members)
    sessions, marks = _first_week(centre, groups_by_wave[WAVES[0]], users, rng)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo data set: rehabilitation centre",
        changes={
            "centres": [None, 1],
            "rooms": [None, sum(len(r) for r in rooms.values())],
            "stays": [None, len(stays)],
            "groups": [None, sum(len(g) for g in groups_by_wave.values())],
            "sessions": [None, sessions],
            "attendance": [None, marks],
        },
    )


def _women_and_children(wave: date) -> list[Person]:
    persons = list(Person.objects.filter(case__evacuated_on=wave).order_by("id"))
    categories = categories_for(persons, wave)
    return [p for p in persons if categories[p.pk].group in (Category.WOMAN, Category.CHILD)]


def _groups(centre: Centre, wave: date, persons: list[Person], number: int) -> list[tuple[Group, list[int]]]:
    """One group per social profile present in the wave, its members as the methodology suggests."""
    profiles = suggested_profiles(persons, wave)
    result = []
    for profile in PROFILE_ORDER:
        ids = [p.pk for p in persons if profiles[p.pk] == profile]
        if ids:
            group = Group.objects.create(
                centre=centre, name=f"Wave {number}: {profile.label}", profile=profile, starts_on=wave
            )
            result.append((group, ids))
    return result


def _first_week(
    centre: Centre, groups: list[tuple[Group, list[int]]], users: dict[str, "User"], rng: random.Random
) -> tuple[int, int]:
    """A week of sessions for the first wave's groups, with attendance (mostly present)."""
    sessions: list[Session] = []
    members_of: list[list[int]] = []
    for day in range(1, 8):
        on = WAVES[0] + timedelta(days=day)
        for group, ids in groups:
            children = group.profile in (GroupProfile.ORPHANS, GroupProfile.CHILDREN_OF_SINGLE_PARENTS)
            for starts, ends, kind, specialist, topic in CHILD_DAY_PLAN if children else DAY_PLAN:
                sessions.append(
                    Session(
                        centre=centre,
                        group=group,
                        on=on,
                        starts_at=starts,
                        ends_at=ends,
                        kind=kind,
                        specialist=users[specialist],
                        topic=topic,
                    )
                )
                members_of.append(ids)
    Session.objects.bulk_create(sessions)
    statuses = [AttendanceStatus.PRESENT] * 17 + [
        AttendanceStatus.ABSENT,
        AttendanceStatus.EXCUSED,
        AttendanceStatus.EXCUSED,
    ]
    attendance = [
        Attendance(session=session, person_id=pid, status=rng.choice(statuses), recorded_by=session.specialist)
        for session, ids in zip(sessions, members_of, strict=True)
        for pid in ids
    ]
    Attendance.objects.bulk_create(attendance)
    return len(sessions), len(attendance)
