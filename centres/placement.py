"""Beds and rooms: who holds a bed, which building is free, how an arriving group is spread over the rooms.

Plain functions beside the models; `centres.services` calls them inside its transactions.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from centres.models import Building, Centre, Room, Stay, StayKind
from people.models import Relationship, RelationshipKind


def active_on(on: date, prefix: str = "") -> Q:
    """Stays under way on `on`: admitted that day or before, not yet discharged (the discharge day is free)."""
    return Q(**{f"{prefix}admitted_on__lte": on}) & (
        Q(**{f"{prefix}discharged_on__isnull": True}) | Q(**{f"{prefix}discharged_on__gt": on})
    )


def holding_from(on: date, prefix: str = "") -> Q:
    """Stays that hold their bed on `on` or on some later day: not discharged by then.

    An admission is open-ended until its discharge, so it conflicts with every stay that is still there on its
    first day or arrives later (a back-dated admission must not over-fill the room on a later day).
    """
    return Q(**{f"{prefix}discharged_on__isnull": True}) | Q(**{f"{prefix}discharged_on__gt": on})


def residential(qs: QuerySet[Stay]) -> QuerySet[Stay]:
    return qs.filter(kind=StayKind.RESIDENTIAL, room__isnull=False)


def beds_taken(room_ids: Iterable[int], on: date, *, onwards: bool = False) -> dict[int, int]:
    """Residential stays per room on the date (or on it and after, for admissions). One query."""
    ids = list(room_ids)
    when = holding_from(on) if onwards else active_on(on)
    rows = residential(Stay.objects.filter(room_id__in=ids)).filter(when).values("room_id").annotate(n=Count("id"))
    taken = dict.fromkeys(ids, 0)
    taken.update({row["room_id"]: row["n"] for row in rows})
    return taken


def free_beds(rooms: Iterable[Room], on: date) -> dict[int, int]:
    """Free beds per room from `on` onwards (never below zero)."""
    rooms = list(rooms)
    taken = beds_taken([r.pk for r in rooms], on, onwards=True)
    return {r.pk: max(r.capacity - taken[r.pk], 0) for r in rooms}


def free_building(centre: Centre, on: date) -> Building | None:
    """The first building of the centre (by name) with beds and nobody staying in it on `on` or later.

    "Each following group was located in the vacant building" (source document, 6.3). Two queries.
    """
    busy = set(
        residential(Stay.objects.filter(centre=centre))
        .filter(holding_from(on))
        .values_list("room__building_id", flat=True)
    )
    buildings = (
        Building.objects.filter(centre=centre)
        .annotate(beds=Count("rooms", filter=Q(rooms__capacity__gt=0)))
        .filter(beds__gt=0)
        .order_by("name", "id")
    )
    return next((b for b in buildings if b.pk not in busy), None)


# --- families -------------------------------------------------------------------------------------------------

# Links that keep people in one room: a mother or guardian with her children, siblings with each other. A father
# keeps his children with him only when their mother is not among those admitted.
_CARER_KINDS = (RelationshipKind.MOTHER, RelationshipKind.LEGAL_GUARDIAN)


def family_units(person_ids: Iterable[int]) -> list[list[int]]:
    """The persons in units that should share a room, largest first, each sorted; one query.

    A unit is a mother (or legal guardian) with her children and their siblings among the given persons.
    """
    ids = sorted(set(person_ids))
    parent: dict[int, int] = {pid: pid for pid in ids}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    links = Relationship.objects.filter(
        subject_id__in=ids,
        object_id__in=ids,
        kind__in=[*_CARER_KINDS, RelationshipKind.FATHER, RelationshipKind.SIBLING],
    ).values_list("subject_id", "object_id", "kind")
    fathers: list[tuple[int, int]] = []
    with_carer: set[int] = set()
    for subject, obj, kind in links:
        if kind == RelationshipKind.FATHER:
            fathers.append((subject, obj))
            continue
        join(subject, obj)
        if kind in _CARER_KINDS:
            with_carer.add(obj)
    for father, child in fathers:
        if child not in with_carer:
            join(father, child)
    units: dict[int, list[int]] = defaultdict(list)
    for pid in ids:
        units[find(pid)].append(pid)
    return sorted(units.values(), key=lambda unit: (-len(unit), unit[0]))


@dataclass
class Distribution:
    rooms: dict[int, int]  # person id -> room id
    missing: int  # beds lacking; when above zero, `rooms` is empty
    split_units: int = 0  # families that had to be spread over more than one room


def distribute(units: list[list[int]], free: dict[int, int]) -> Distribution:
    """Place units in rooms: each unit whole in the fullest room it fits (best fit), split only when none fits.

    All or nothing: with fewer free beds than persons, nobody is placed and `missing` says how many beds lack.
    Deterministic: rooms are taken in the order of `free` when they tie.
    """
    needed = sum(len(u) for u in units)
    available = sum(free.values())
    if needed > available:
        return Distribution(rooms={}, missing=needed - available)
    left = dict(free)
    order = list(free)
    placed: dict[int, int] = {}
    split = 0
    for unit in sorted(units, key=lambda u: -len(u)):
        fitting = [r for r in order if left[r] >= len(unit)]
        if fitting:
            room = min(fitting, key=lambda r: (left[r], order.index(r)))
            for pid in unit:
                placed[pid] = room
            left[room] -= len(unit)
            continue
        split += 1
        rest = list(unit)
        for room in sorted(order, key=lambda r: (-left[r], order.index(r))):
            while rest and left[room] > 0:
                placed[rest.pop(0)] = room
                left[room] -= 1
    return Distribution(rooms=placed, missing=0, split_units=split)
