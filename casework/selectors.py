"""Reads of cases for the dashboard: counts and lists limited to what the user may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from access import policy
from access.models import Team, User
from access.rules import Action, Capability, DataClass, Role
from casework.models import Case, CaseAssignment, CaseEvent, CaseNote
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


SPECIALIST_ROLES = (
    Role.MEDICAL_OFFICER,
    Role.PSYCHOLOGIST,
    Role.LEGAL_OFFICER,
    Role.LAB_ANALYST,
    Role.REGISTRY_OFFICER,
    Role.CASEWORKER,
    Role.FIELD_REGISTRAR,
)


@dataclass
class Staffing:
    """Who works on a case and whom the user may put on it (only for users who assign cases)."""

    assignments: list[CaseAssignment]
    agency_staff: list[User]
    teams: list[Team]
    specialists: list[User]


def case_staffing(user: Any, case: Case) -> Staffing | None:
    if not policy.has_capability(user, Capability.ASSIGN_CASE):
        return None
    staff = list(User.objects.filter(agency_id=case.responsible_agency_id, is_active=True).order_by("username"))
    # Roles live in a JSON list; the staff list is small, so it is filtered here rather than in SQL.
    specialists = [
        u
        for u in User.objects.filter(is_active=True).select_related("agency").order_by("username")
        if set(u.roles) & {str(r) for r in SPECIALIST_ROLES}
    ]
    return Staffing(
        assignments=list(case.assignments.filter(ended_at__isnull=True).select_related("user", "user__agency")),
        agency_staff=staff,
        teams=list(Team.objects.filter(agency_id=case.responsible_agency_id)),
        specialists=specialists,
    )


def readable_notes(user: Any, case: Case, classes: frozenset[DataClass]) -> QuerySet[CaseNote]:
    """Notes of the classes the user may see; an unreleased genetic result only for who may release it."""
    notes = case.notes.filter(data_class__in=classes)
    if not policy.can(user, Action.CHANGE, DataClass.GENETIC, case):
        notes = notes.exclude(data_class=DataClass.GENETIC, released_at__isnull=True)
    return notes


TIMELINE_LIMIT = 100


def case_timeline(case: Case, classes: frozenset[DataClass], limit: int = TIMELINE_LIMIT) -> QuerySet[CaseEvent]:
    """The latest lines of the case's timeline of the classes the viewer may see (`policy.visible_classes`).

    One query with the actors, whatever the classes: a line of a class the viewer may not see ("Whereabouts
    recorded: …" for a lab analyst) is left out, not blanked, so its count tells nothing either.
    """
    return case.events.filter(data_class__in=sorted(classes)).select_related("actor")[:limit]
