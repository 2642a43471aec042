"""Reads of cases for the dashboard: counts and lists limited to what the user may see."""

from typing import Any

from django.db.models import Count, QuerySet

from access import policy
from casework.models import Case
from casework.transitions import TRANSITIONS, CaseState


def cases_by_state(user: Any) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, over the cases this user may see (one query)."""
    counts = dict(policy.cases_visible_to(user).values_list("state").annotate(n=Count("id")).order_by())
    return [(state, str(label), counts.get(state, 0)) for state, label in CaseState.choices]


def my_cases(user: Any, limit: int = 10) -> QuerySet[Case]:
    return (
        policy.cases_visible_to(user)
        .filter(caseworker=user)
        .select_related("person")
        .prefetch_related("person__names")
        .order_by("-state_changed_at")[:limit]
    )


# States in which the case waits for someone to act; closed and refused cases do not.
_WAITING_STATES = sorted({t.source for t in TRANSITIONS} - {CaseState.CLOSED, CaseState.REFUSED})


def next_tasks(user: Any, limit: int = 10) -> QuerySet[Case]:
    """The user's open cases that have waited longest in their state."""
    return (
        policy.cases_visible_to(user)
        .filter(caseworker=user, state__in=_WAITING_STATES)
        .select_related("person")
        .prefetch_related("person__names")
        .order_by("state_changed_at")[:limit]
    )
