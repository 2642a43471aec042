"""Aggregate figures for statisticians and managers: counts only, never a person.

Every figure is computed from the records at the moment it is asked for, never typed in: who was on an
executed wave, their category at the wave's arrival date (people.categories), their current legal
assessment (reception.legal) and the state of their case.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils import timezone

from access import policy
from access.rules import Capability
from casework.models import Case
from casework.transitions import CaseState
from core.errors import refuse
from operations.models import Operation
from operations.selectors import wave_members_by_wave
from people.categories import Categories, Group, categories_for
from people.models import Person
from reception import legal


def _require_statistics(user: Any) -> None:
    if not policy.has_capability(user, Capability.VIEW_STATISTICS):
        raise refuse()


@dataclass
class Figures:
    """The counts of one group of persons (a wave, an operation or the whole programme)."""

    evacuated: dict[str, int] = field(default_factory=dict)
    held_accountable: dict[str, int] = field(default_factory=dict)
    movement_restricted: dict[str, int] = field(default_factory=dict)


@dataclass
class WaveFigures:
    id: int
    number: int
    name: str
    operation: str
    arrives_on: date | None
    figures: Figures


@dataclass
class ProgrammeSummary:
    operation: Operation | None
    totals: Figures
    refused: dict[str, int]
    waves: list[WaveFigures]
    cases_by_state: list[tuple[str, int]]

    def as_json(self) -> dict[str, Any]:
        def figures(f: Figures) -> dict[str, Any]:
            return {
                "evacuated": f.evacuated,
                "held_accountable": f.held_accountable,
                "movement_restricted": f.movement_restricted,
            }

        return {
            "operation": {"id": self.operation.pk, "name": self.operation.name} if self.operation else None,
            **figures(self.totals),
            "refused": self.refused,
            "waves": [
                {
                    "id": w.id,
                    "number": w.number,
                    "name": w.name,
                    "operation": w.operation,
                    "arrives_on": w.arrives_on.isoformat() if w.arrives_on else None,
                    **figures(w.figures),
                }
                for w in self.waves
            ],
            "cases_by_state": dict(self.cases_by_state),
        }


def _by_sex(person_ids: Iterable[int], categories: Mapping[int, Categories]) -> dict[str, int]:
    tally = Counter(categories[pid].group for pid in person_ids if pid in categories)
    return {
        "total": sum(tally.values()),
        "men": tally[Group.MAN],
        "women": tally[Group.WOMAN],
        "children": tally[Group.CHILD],
    }


def _figures(person_ids: list[int], categories: Mapping[int, Categories], statuses: Mapping[int, str]) -> Figures:
    evacuated = _by_sex(person_ids, categories)
    evacuated["orphans"] = sum(1 for pid in person_ids if pid in categories and categories[pid].orphan)
    held = [pid for pid in person_ids if statuses.get(pid) in legal.HELD_ACCOUNTABLE]
    restricted = [pid for pid in person_ids if statuses.get(pid) == legal.MOVEMENT_RESTRICTED]
    return Figures(
        evacuated=evacuated,
        held_accountable=_by_sex(held, categories),
        movement_restricted=_by_sex(restricted, categories),
    )


def programme_summary(user: Any, operation_id: int | None = None) -> ProgrammeSummary:
    """The programme's figures, for the whole programme or one operation, and wave by wave.

    A person counts in the category they were in on the day their wave arrived (a child then may be an adult
    now). Refusals belong to the programme, not to a wave: they are the women and men whose case is refused now.
    """
    _require_statistics(user)
    operation = Operation.objects.filter(pk=operation_id).first() if operation_id is not None else None
    if operation_id is not None and operation is None:
        raise refuse()
    members = wave_members_by_wave(operation_id)
    arrival = {pid: wave.arrives_on for wave, ids in members.items() for pid in ids}
    persons = Person.objects.filter(pk__in=list(arrival)).only(
        "id",
        "sex",
        "birth_date",
        "birth_date_precision",
        "estimated_age_min",
        "estimated_age_max",
        "age_estimated_on",
        "vital_status",
    )
    categories = categories_for(persons, on_by_person=arrival)
    statuses = legal.current_statuses(list(arrival))
    waves = [
        WaveFigures(
            id=wave.pk,
            number=wave.number,
            name=wave.name,
            operation=wave.operation.name,
            arrives_on=wave.arrives_on,
            figures=_figures(ids, categories, statuses),
        )
        for wave, ids in sorted(members.items(), key=lambda item: (item[0].arrives_on or date.min, item[0].number))
    ]
    # Refusals count by the person's category on the day they refused (a child then may be an adult now).
    refused_cases = list(Case.objects.filter(state=CaseState.REFUSED).select_related("person"))
    refused_categories = categories_for(
        [c.person for c in refused_cases],
        on_by_person={c.person_id: timezone.localdate(c.state_changed_at) for c in refused_cases},
    )
    refused = _by_sex(refused_categories, refused_categories)
    counts = dict(Case.objects.values_list("state").annotate(n=Count("id")).order_by())
    return ProgrammeSummary(
        operation=operation,
        totals=_figures(list(arrival), categories, statuses),
        refused=refused,
        waves=waves,
        cases_by_state=[(str(label), counts.get(state, 0)) for state, label in CaseState.choices],
    )


def operations_for_statistics(user: Any) -> list[Operation]:
    """The operations a summary can be asked for (names and dates only)."""
    _require_statistics(user)
    return list(Operation.objects.order_by("starts_on", "name"))
