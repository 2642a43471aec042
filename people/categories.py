"""Derived categories: man, woman, child, orphan, unaccompanied or separated child.

Never stored, always computed here from the record, so a corrected birth date or a parent found alive changes
the counts at once. Definitions (docs/decisions/0007-derived-categories.md):

- age: whole years at the reference date (the evacuation date, else today); an uncertain birth date gives a range,
  and the middle of the range decides;
- child: under ZHUSAN_CHILD_AGE_LIMIT (18); man / woman: an adult by sex;
- orphan: a child neither of whose parents is known to be alive: each parent is recorded as dead or missing,
  or is not recorded at all;
- unaccompanied: a child where they are now with no parent, legal guardian or other adult relative;
  separated: a child with an adult relative where they are now, but no parent or legal guardian.
  A child with no known current place is neither (it cannot be decided).
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from people.dates import years_between
from people.models import (
    PARENT_KINDS,
    BirthDatePrecision,
    Person,
    Presence,
    Relationship,
    RelationshipKind,
    Sex,
    VitalStatus,
)


@dataclass(frozen=True)
class AgeRange:
    low: int
    high: int

    @property
    def best(self) -> float:
        return (self.low + self.high) / 2


def age_at(person: Person, on: date) -> AgeRange | None:
    precision = person.birth_date_precision
    born = person.birth_date
    if precision == BirthDatePrecision.DAY and born:
        years = years_between(born, on)
        return AgeRange(years, years)
    if precision == BirthDatePrecision.MONTH and born:
        last_day = born.replace(day=calendar.monthrange(born.year, born.month)[1])
        return AgeRange(years_between(last_day, on), years_between(born.replace(day=1), on))
    if precision == BirthDatePrecision.YEAR and born:
        return AgeRange(years_between(date(born.year, 12, 31), on), years_between(date(born.year, 1, 1), on))
    if precision == BirthDatePrecision.ESTIMATED and person.estimated_age_min is not None:
        high = person.estimated_age_max if person.estimated_age_max is not None else person.estimated_age_min
        elapsed = years_between(person.age_estimated_on, on) if person.age_estimated_on else 0
        return AgeRange(max(person.estimated_age_min + elapsed, 0), max(high + elapsed, 0))
    return None


class Group:
    MAN = "man"
    WOMAN = "woman"
    CHILD = "child"


@dataclass
class Categories:
    age: AgeRange | None
    group: str | None  # Group.MAN / WOMAN / CHILD, or None when age or sex is unknown
    orphan: bool = False
    unaccompanied: bool = False
    separated: bool = False

    @property
    def is_child(self) -> bool:
        return self.group == Group.CHILD


@dataclass
class _Family:
    parents: list[Person] = field(default_factory=list)
    guardians: list[Person] = field(default_factory=list)
    relatives: list[Person] = field(default_factory=list)


def _is_child(age: AgeRange | None) -> bool | None:
    if age is None:
        return None
    return age.best < settings.ZHUSAN_CHILD_AGE_LIMIT


def categorise(
    person: Person,
    on: date,
    family: _Family,
    current_place: Mapping[int, int | None],
) -> Categories:
    age = age_at(person, on)
    child = _is_child(age)
    if child is None:
        return Categories(age=age, group=None)
    if not child:
        group = {Sex.MALE: Group.MAN, Sex.FEMALE: Group.WOMAN}.get(Sex(person.sex))
        return Categories(age=age, group=group)
    mother = next((p for p in family.parents if p._zhusan_kind == RelationshipKind.MOTHER), None)  # type: ignore[attr-defined]
    father = next((p for p in family.parents if p._zhusan_kind == RelationshipKind.FATHER), None)  # type: ignore[attr-defined]
    orphan = all(
        parent is None or parent.vital_status in (VitalStatus.DEAD, VitalStatus.MISSING) for parent in (mother, father)
    )
    here = current_place.get(person.pk)
    unaccompanied = separated = False
    if here is not None:
        carers_here = any(current_place.get(p.pk) == here for p in family.parents + family.guardians)
        adults_here = any(current_place.get(p.pk) == here and not _is_child(age_at(p, on)) for p in family.relatives)
        unaccompanied = not carers_here and not adults_here
        separated = not carers_here and adults_here
    return Categories(age=age, group=Group.CHILD, orphan=orphan, unaccompanied=unaccompanied, separated=separated)


def categories_for(
    persons: Iterable[Person], on: date | None = None, on_by_person: Mapping[int, date | None] | None = None
) -> dict[int, Categories]:
    """Categories of many persons in two queries, whatever their number.

    The reference date is `on_by_person[id]` where given (each person's evacuation date), else `on`, else today.
    """
    persons = list(persons)
    ids = {p.pk for p in persons}
    families: dict[int, _Family] = defaultdict(_Family)
    relationships = Relationship.objects.filter(Q(object_id__in=ids) | Q(subject_id__in=ids)).select_related(
        "subject", "object"
    )
    relative_ids: set[int] = set(ids)
    for rel in relationships:
        relative_ids |= {rel.subject_id, rel.object_id}
        if rel.object_id in ids:
            family = families[rel.object_id]
            subject = rel.subject
            if rel.kind in PARENT_KINDS:
                subject._zhusan_kind = rel.kind  # type: ignore[attr-defined]
                family.parents.append(subject)
            elif rel.kind == RelationshipKind.LEGAL_GUARDIAN:
                family.guardians.append(subject)
            else:
                family.relatives.append(subject)
        if rel.subject_id in ids:
            # Relatives count both ways (a grandmother's grandchild is her relative too).
            families[rel.subject_id].relatives.append(rel.object)
    current_place = dict(
        Presence.objects.filter(person_id__in=relative_ids, until__isnull=True)
        .order_by("person_id", "since")
        .values_list("person_id", "place_id")
    )
    default = on or timezone.localdate()
    by_person = on_by_person or {}
    return {p.pk: categorise(p, by_person.get(p.pk) or default, families[p.pk], current_place) for p in persons}
