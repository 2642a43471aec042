"""Writing lines of a case's timeline. Services call it; nobody edits a line afterwards."""

from typing import Any

from casework.models import Case, CaseEvent, CaseEventKind
from people.models import Person


def timeline_note(*, person: Person, actor: Any, summary: str, kind: str = CaseEventKind.RECORD_CHANGED) -> None:
    """Add a line to the person's case timeline, if the person has a case (relatives at home have none)."""
    case = Case.objects.filter(person=person).only("id").first()
    if case is not None:
        CaseEvent.objects.create(case=case, actor=_user(actor), kind=kind, summary=summary[:300])


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
