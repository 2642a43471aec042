"""Rules that keep the family graph possible. `people.services.relationship_add` calls `check_relationship`."""

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from people.dates import years_before, years_between
from people.models import (
    ANCESTOR_KINDS,
    PARENT_KINDS,
    SYMMETRIC_KINDS,
    BirthDatePrecision,
    Person,
    Relationship,
    RelationshipKind,
    Sex,
)

MIN_PARENT_AGE_YEARS = 12


def birth_interval(person: Person) -> tuple[date, date] | None:
    """The earliest and latest day the person can have been born, from whatever precision we have."""
    born = person.birth_date
    precision = person.birth_date_precision
    if precision == BirthDatePrecision.DAY and born:
        return born, born
    if precision == BirthDatePrecision.MONTH and born:
        return born.replace(day=1), born.replace(day=calendar.monthrange(born.year, born.month)[1])
    if precision == BirthDatePrecision.YEAR and born:
        return date(born.year, 1, 1), date(born.year, 12, 31)
    if precision == BirthDatePrecision.ESTIMATED and person.estimated_age_min is not None and person.age_estimated_on:
        oldest = person.estimated_age_max if person.estimated_age_max is not None else person.estimated_age_min
        on = person.age_estimated_on
        earliest = years_before(on, oldest + 1) + timedelta(days=1)
        latest = years_before(on, person.estimated_age_min)
        return earliest, latest
    return None


def ancestors_of(person_id: int) -> set[int]:
    """Every person recorded as a parent or grandparent of this one, at any depth (one query per generation)."""
    found: set[int] = set()
    frontier = {person_id}
    while frontier:
        parents = set(
            Relationship.objects.filter(object_id__in=frontier, kind__in=ANCESTOR_KINDS).values_list(
                "subject_id", flat=True
            )
        )
        frontier = parents - found - {person_id}
        found |= parents
    return found


def check_relationship(subject: Person, obj: Person, kind: str) -> None:
    """Refuse a relationship that cannot be true, with a message saying why."""
    if subject.pk == obj.pk:
        raise ValidationError({"object": _("A person cannot be related to themselves.")})
    duplicate = Relationship.objects.filter(subject=subject, object=obj, kind=kind)
    if kind in SYMMETRIC_KINDS:
        duplicate = Relationship.objects.filter(
            Q(subject=subject, object=obj) | Q(subject=obj, object=subject), kind=kind
        )
    if duplicate.exists():
        raise ValidationError({"kind": _("This relationship is already recorded.")})
    if kind in ANCESTOR_KINDS and (obj.pk in ancestors_of(subject.pk) or subject.pk == obj.pk):
        raise ValidationError(
            {
                "object": _(
                    "This would make a person their own ancestor: the child is already an ancestor of the parent."
                )
            }
        )
    if kind == RelationshipKind.MOTHER and subject.sex == Sex.MALE:
        raise ValidationError({"kind": _("A mother cannot be recorded as male.")})
    if kind == RelationshipKind.FATHER and subject.sex == Sex.FEMALE:
        raise ValidationError({"kind": _("A father cannot be recorded as female.")})
    if kind in PARENT_KINDS:
        other = Relationship.objects.filter(object=obj, kind=kind).exclude(subject=subject)
        if other.exists():
            message = (
                _("This child already has a biological mother recorded.")
                if kind == RelationshipKind.MOTHER
                else _("This child already has a biological father recorded.")
            )
            raise ValidationError({"kind": message})
        _check_parent_age(subject, obj)


def _check_parent_age(parent: Person, child: Person) -> None:
    parent_born = birth_interval(parent)
    child_born = birth_interval(child)
    if parent_born is None or child_born is None:
        return
    # The oldest the parent can have been when the child was born: latest child birth minus earliest parent birth.
    oldest_possible = years_between(parent_born[0], child_born[1])
    if oldest_possible < MIN_PARENT_AGE_YEARS:
        raise ValidationError(
            {
                "object": _(
                    "The parent would have been younger than %(years)d at the child's birth: check both dates of birth."
                )
                % {"years": MIN_PARENT_AGE_YEARS}
            }
        )


def best_birth_date(person: Person) -> date | None:
    """The middle of the possible birth interval: what age filters in the database compare against."""
    interval = birth_interval(person)
    if interval is None:
        return None
    earliest, latest = interval
    return earliest + (latest - earliest) / 2
