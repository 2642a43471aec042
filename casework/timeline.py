"""Writing lines of a case's timeline. Services call it; nobody edits a line afterwards."""

from typing import Any

from access.rules import DataClass
from casework.models import Case, CaseEvent, CaseEventKind
from people.models import Person


def timeline_note(
    *,
    person: Person,
    actor: Any,
    summary: str,
    data_class: DataClass,
    kind: str = CaseEventKind.RECORD_CHANGED,
) -> None:
    """Add a line to the person's case timeline, if the person has a case (relatives at home have none).

    The line carries the class of what it tells (whereabouts: location), so only those who may see that class
    are shown it: every caller names it.
    """
    case = Case.objects.filter(person=person).only("id").first()
    if case is not None:
        CaseEvent.objects.create(case=case, actor=_user(actor), kind=kind, data_class=data_class, summary=summary[:300])


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
