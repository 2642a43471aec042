"""Which group of the programme's methodology suits a person, from the derived categories (people.categories).

The programme groups returnees by social profile: orphans, children of single parents, women with children,
women, men (source document, 6.3). Only a suggestion: the centre's staff decide.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from centres.models import GroupProfile
from people.categories import Group, categories_for
from people.models import PARENT_KINDS, Person, Relationship, VitalStatus

LIVING = (VitalStatus.ALIVE, VitalStatus.UNKNOWN)


def suggested_profiles(persons: Iterable[Person], on: date | None = None) -> dict[int, GroupProfile | None]:
    """For each person: orphan, child of a single parent (one parent known alive), woman with children (a mother
    of a child), woman, man; None when age or sex is unknown. A child with both parents alive goes with the
    mother's group (women with children). Three queries, whatever the number of persons.
    """
    persons = list(persons)
    ids = [p.pk for p in persons]
    categories = categories_for(persons, on)
    living_parents: dict[int, int] = defaultdict(int)
    mothers: set[int] = set()
    links = Relationship.objects.filter(Q(object_id__in=ids) | Q(subject_id__in=ids), kind__in=PARENT_KINDS)
    for subject_id, object_id, vital in links.values_list("subject_id", "object_id", "subject__vital_status"):
        if object_id in categories and vital in LIVING:
            living_parents[object_id] += 1
        if subject_id in categories:
            mothers.add(subject_id)
    result: dict[int, GroupProfile | None] = {}
    for pid, found in categories.items():
        if found.group == Group.CHILD:
            if found.orphan:
                result[pid] = GroupProfile.ORPHANS
            elif living_parents[pid] == 1:
                result[pid] = GroupProfile.CHILDREN_OF_SINGLE_PARENTS
            else:
                result[pid] = GroupProfile.WOMEN_WITH_CHILDREN
        elif found.group == Group.WOMAN:
            result[pid] = GroupProfile.WOMEN_WITH_CHILDREN if pid in mothers else GroupProfile.WOMEN
        elif found.group == Group.MAN:
            result[pid] = GroupProfile.MEN
        else:
            result[pid] = None
    return result


def suggested_profile(person: Person, on: date | None = None) -> GroupProfile | None:
    return suggested_profiles([person], on)[person.pk]
