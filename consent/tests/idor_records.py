"""Records of agency A for the IDOR walk (tests/test_idor.py): a consent record and a panel decision.

Written directly, without the services, so the cases' states stay as the walk and the other apps expect them.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from casework.models import Case
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement
from people.models import Place, PlaceKind


def make(mother: Case, child: Case, caseworker: Any, supervisor: Any, make_user: Callable[..., Any]) -> dict[str, int]:
    statement = ConsentStatement.objects.create(
        language="en", version="idor", title="Return", text="Do you wish to return?", responsibility_clause="Law."
    )
    place, _ = Place.objects.get_or_create(kind=PlaceKind.CAMP, name="IDOR camp", parent=None)
    record = ConsentRecord.objects.create(
        person=child.person,
        case=child,
        decision="consent",
        given_by="mother",
        representative=mother.person,
        statement=statement,
        told_may_be_held_responsible=True,
        language="en",
        witness="Witness",
        recorded_on=date(2024, 3, 1),
        place=place,
        recorded_by=caseworker,
    )
    decision = BestInterestsDecision.objects.create(
        child=child.person,
        case=child,
        decided_on=date(2024, 3, 1),
        decision="return",
        reasons="Reasons",
        recorded_by=supervisor,
    )
    return {"consents": record.pk, "best-interests-decisions": decision.pk}
