"""Aggregate figures for statisticians and managers: counts only, never a person."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from access import policy
from access.rules import Capability
from casework.models import Case
from casework.transitions import CaseState
from core.errors import refuse
from people.categories import Group, categories_for


@dataclass
class ProgrammeOverview:
    cases_by_state: list[tuple[str, int]]
    evacuated: dict[str, int]


def programme_overview(user: Any) -> ProgrammeOverview:
    """Cases by state and the evacuated by category at their evacuation date, across the whole programme."""
    if not policy.has_capability(user, Capability.VIEW_STATISTICS):
        raise refuse()
    counts = dict(Case.objects.values_list("state").annotate(n=Count("id")).order_by())
    by_state = [(str(label), counts.get(state, 0)) for state, label in CaseState.choices]
    evacuated = list(Case.objects.filter(evacuated_on__isnull=False).select_related("person"))
    categories = categories_for(
        [c.person for c in evacuated], on_by_person={c.person_id: c.evacuated_on for c in evacuated}
    )
    tally: Counter[str] = Counter()
    for found in categories.values():
        tally[found.group or "unknown"] += 1
        tally["orphans"] += found.orphan
    return ProgrammeOverview(
        cases_by_state=by_state,
        evacuated={
            "total": len(evacuated),
            "men": tally[Group.MAN],
            "women": tally[Group.WOMAN],
            "children": tally[Group.CHILD],
            "orphans": tally["orphans"],
        },
    )
