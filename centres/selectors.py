"""Every read of the centre's personal data. Given the user, returns only the persons and fields they may see:
a person out of reach, or whose location the user may not see, is counted but never named."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from access import policy
from access.rules import Action, DataClass
from casework.transitions import CaseState
from centres import placement, reach
from centres.models import Attendance, Building, Centre, Group, GroupMember, Room, Session, Stay, StayKind
from centres.profiles import suggested_profiles
from people.categories import Group as Category
from people.categories import categories_for
from people.models import Person, PersonName


def names_of(person_ids: set[int], script: str) -> dict[int, str]:
    """Display names of these persons in the preferred script (one query)."""
    persons = Person.objects.filter(pk__in=person_ids).prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("id"))
    )
    result = {}
    for person in persons:
        name = person.name_for(script)
        result[person.pk] = name.full if name else f"№ {person.pk}"
    return result


def nameable(user: Any, person_ids: set[int]) -> set[int]:
    """Persons whose names and whereabouts the user may see: only they are named on the centre's pages."""
    classes = policy.classes_by_person(user, person_ids, Action.VIEW)
    return {pid for pid, allowed in classes.items() if {DataClass.IDENTITY, DataClass.LOCATION} <= allowed}


# --- the list of centres --------------------------------------------------------------------------------------------


@dataclass
class CentreRow:
    centre: Centre
    buildings: int
    beds: int
    occupied: int

    @property
    def free(self) -> int:
        return max(self.beds - self.occupied, 0)


def centre_list(user: Any, on: date) -> list[CentreRow]:
    """The centres the user works at, with beds and occupancy on the date. Three queries."""
    centres = list(
        reach.centres_visible_to(user).select_related("agency", "place").annotate(n_buildings=Count("buildings"))
    )
    ids = [c.pk for c in centres]
    beds = dict(
        Room.objects.filter(building__centre_id__in=ids)
        .values("building__centre_id")
        .annotate(n=Sum("capacity"))
        .values_list("building__centre_id", "n")
    )
    occupied = dict(
        placement.residential(Stay.objects.filter(centre_id__in=ids))
        .filter(placement.active_on(on))
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    return [CentreRow(c, c.n_buildings, beds.get(c.pk) or 0, occupied.get(c.pk, 0)) for c in centres]


# --- the occupancy board ------------------------------------------------------------------------------------------


@dataclass
class Occupant:
    stay_id: int
    person_id: int
    name: str
    planned_until: date


@dataclass
class RoomRow:
    room: Room
    occupants: list[Occupant] = field(default_factory=list)
    hidden: int = 0  # persons here the user may not see: counted, not named

    @property
    def occupied(self) -> int:
        return len(self.occupants) + self.hidden

    @property
    def free(self) -> int:
        return max(self.room.capacity - self.occupied, 0)

    @property
    def over(self) -> int:
        return max(self.occupied - self.room.capacity, 0)


@dataclass
class BuildingRow:
    building: Building
    rooms: list[RoomRow]

    @property
    def capacity(self) -> int:
        return sum(r.room.capacity for r in self.rooms)

    @property
    def occupied(self) -> int:
        return sum(r.occupied for r in self.rooms)

    @property
    def free(self) -> int:
        return sum(r.free for r in self.rooms)


@dataclass
class Board:
    centre: Centre
    on: date
    buildings: list[BuildingRow]
    day_programme: list[Occupant]
    day_hidden: int
    free_building: Building | None = None  # the first building nobody stays in from the date on

    @property
    def capacity(self) -> int:
        return sum(b.capacity for b in self.buildings)

    @property
    def occupied(self) -> int:
        return sum(b.occupied for b in self.buildings)

    @property
    def free(self) -> int:
        return sum(b.free for b in self.buildings)


def occupancy_board(user: Any, centre: Centre, on: date, script: str = "latn") -> Board:
    """Per building and room: beds, occupied, free on the date; occupants named only when the user may see them.

    A fixed number of queries whatever the number of rooms and stays (rooms, stays, the policy, names).
    """
    buildings = list(
        Building.objects.filter(centre=centre).prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name", "id"))
        )
    )
    stays = list(
        Stay.objects.filter(centre=centre)
        .filter(placement.active_on(on))
        .only("id", "person_id", "room_id", "kind", "planned_until")
        .order_by("room_id", "id")
    )
    named = nameable(user, {s.person_id for s in stays})
    names = names_of(named, script)
    rows = {room.pk: RoomRow(room) for b in buildings for room in b.rooms.all()}
    day: list[Occupant] = []
    day_hidden = 0
    for stay in stays:
        occupant = (
            Occupant(stay.pk, stay.person_id, names.get(stay.person_id, ""), stay.planned_until)
            if stay.person_id in named
            else None
        )
        if stay.kind == StayKind.DAY or stay.room_id not in rows:
            if occupant:
                day.append(occupant)
            else:
                day_hidden += 1
            continue
        row = rows[stay.room_id]
        if occupant:
            row.occupants.append(occupant)
        else:
            row.hidden += 1
    return Board(
        centre=centre,
        on=on,
        buildings=[BuildingRow(b, [rows[r.pk] for r in b.rooms.all()]) for b in buildings],
        day_programme=day,
        day_hidden=day_hidden,
        free_building=placement.free_building(centre, on),
    )


# --- stays ----------------------------------------------------------------------------------------------------------


def stays_visible_to(user: Any) -> QuerySet[Stay]:
    """Stays of persons the user reaches (the location class is checked per person by `stay_for_user`)."""
    return Stay.objects.filter(person__in=policy.persons_visible_to(user))


def stay_for_user(user: Any, stay_id: Any) -> Stay:
    """One stay, or NotVisible when it is missing, the person out of reach, or their location hidden."""
    try:
        stay = (
            stays_visible_to(user)
            .select_related("centre", "room__building", "case", "admitted_by", "discharged_by")
            .get(pk=reach.row_id(stay_id))
        )
    except Stay.DoesNotExist:
        raise policy.NotVisible("No such stay") from None
    if not policy.can(user, Action.VIEW, DataClass.LOCATION, stay.person):
        raise policy.NotVisible("No such stay")
    return stay


def person_name(person_id: int, script: str) -> str:
    return names_of({person_id}, script).get(person_id, f"№ {person_id}")


def admissible_persons(user: Any, centre: Centre, arrived_on: date, *, women_and_children: bool) -> list[Person]:
    """Persons of one arrival (evacuated on the date) the user reaches, received and not staying anywhere yet.

    With `women_and_children`, men are left out (the first centre housed women and children only).
    """
    persons = list(
        policy.persons_visible_to(user)
        .filter(case__evacuated_on=arrived_on, case__state=CaseState.RECEIVED)
        .exclude(id__in=Stay.objects.filter(discharged_on__isnull=True).values("person_id"))
        .order_by("id")
    )
    if women_and_children:
        categories = categories_for(persons, arrived_on)
        persons = [p for p in persons if categories[p.pk].group in (Category.WOMAN, Category.CHILD)]
    return persons


# --- groups ---------------------------------------------------------------------------------------------------------


@dataclass
class GroupRow:
    group: Group
    members: list[tuple[int, str]]  # person id, name of the members the user may see
    hidden: int


def groups_of(user: Any, centre: Centre, script: str = "latn") -> list[GroupRow]:
    """The centre's groups, newest first, with the members the user may see. Four queries and the policy."""
    groups = list(
        Group.objects.filter(centre=centre).prefetch_related(
            Prefetch("members", queryset=GroupMember.objects.order_by("id"))
        )
    )
    person_ids = {m.person_id for g in groups for m in g.members.all()}
    named = nameable(user, person_ids)
    names = names_of(named, script)
    rows = []
    for group in groups:
        members = [m.person_id for m in group.members.all()]
        rows.append(
            GroupRow(
                group,
                [(pid, names[pid]) for pid in members if pid in named],
                sum(1 for pid in members if pid not in named),
            )
        )
    return rows


def group_for_user(user: Any, group_id: Any) -> Group:
    try:
        return Group.objects.select_related("centre").get(
            pk=reach.row_id(group_id), centre__in=reach.centres_visible_to(user)
        )
    except Group.DoesNotExist:
        raise policy.NotVisible("No such group") from None


@dataclass
class Candidate:
    person_id: int
    name: str
    suggested: str  # a GroupProfile value, or ""


def group_candidates(user: Any, group: Group, script: str = "latn") -> list[Candidate]:
    """Persons staying at the centre while the group runs, not yet in it, whose location the user may change,
    with the profile the methodology suggests for each."""
    stays = (
        Stay.objects.filter(centre_id=group.centre_id)
        .filter(placement.holding_from(group.starts_on))
        .exclude(person__centre_groups__group=group)
        .values_list("person_id", flat=True)
    )
    ids = set(stays)
    changeable = policy.classes_by_person(user, ids, Action.CHANGE)
    ids = {pid for pid in ids if DataClass.LOCATION in changeable[pid]} & nameable(user, ids)
    persons = list(Person.objects.filter(pk__in=ids).order_by("id"))
    profiles = suggested_profiles(persons, group.starts_on)
    names = names_of(ids, script)
    return [Candidate(p.pk, names[p.pk], profiles[p.pk] or "") for p in persons]


# --- the daily programme ------------------------------------------------------------------------------------------


def programme_day(centre: Centre, on: date) -> list[Session]:
    """The sessions of one day, by time, with group, specialist and counts of attendance. One query."""
    return list(
        Session.objects.filter(centre=centre, on=on)
        .select_related("group", "specialist")
        .annotate(members=Count("group__members", distinct=True), marked=Count("attendance", distinct=True))
        .order_by("starts_at", "id")
    )


def session_for_user(user: Any, session_id: Any) -> Session:
    try:
        return Session.objects.select_related("centre", "group", "specialist").get(
            pk=reach.row_id(session_id), centre__in=reach.centres_visible_to(user)
        )
    except Session.DoesNotExist:
        raise policy.NotVisible("No such session") from None


@dataclass
class SheetLine:
    person_id: int
    name: str
    status: str  # "" when not yet marked


@dataclass
class Sheet:
    session: Session
    lines: list[SheetLine]
    hidden: int


def attendance_sheet(user: Any, session: Session, script: str = "latn") -> Sheet:
    """The group's members the user may see, with their mark for the session; others counted only."""
    members = list(session.group.members.order_by("id").values_list("person_id", flat=True))
    visible = policy.classes_by_person(user, members, Action.VIEW)
    # Whoever records attendance sees the marks of those they reach; others need the location class.
    recorder = reach.may_record_attendance(user)
    shown = {
        pid
        for pid in members
        if DataClass.IDENTITY in visible[pid] and (recorder or DataClass.LOCATION in visible[pid])
    }
    marks = dict(Attendance.objects.filter(session=session, person_id__in=shown).values_list("person_id", "status"))
    names = names_of(shown, script)
    lines = [SheetLine(pid, names[pid], marks.get(pid, "")) for pid in members if pid in shown]
    return Sheet(session, lines, len(members) - len(lines))
