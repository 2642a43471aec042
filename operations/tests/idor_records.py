"""Records of agency A for the IDOR walk (tests/test_idor.py): an operation, a wave and a member of it."""

from collections.abc import Callable
from datetime import date

from access.models import User
from casework.models import Case
from casework.services import case_transition
from operations import services
from people.models import Place, PlaceKind


def make(
    mother: Case, child: Case, caseworker: User, supervisor: User, make_user: Callable[..., User]
) -> dict[str, int]:
    operation = services.operation_create(
        actor=supervisor, name="Walk operation", code="WALK-1", starts_on=date(2019, 1, 1)
    )
    origin = Place.objects.create(kind=PlaceKind.FACILITY, name="Walk airport")
    destination = Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Walk town")
    wave = services.wave_create(
        actor=supervisor,
        operation=operation,
        name="Walk wave",
        departs_on=date(2019, 5, 9),
        arrives_on=date(2019, 5, 9),
        origin=origin,
        destination=destination,
        capacity=10,
    )
    for step in ("ask_consent", "consent"):
        child = case_transition(actor=caseworker, case=child, transition=step)
    (member,) = services.wave_members_add(
        actor=supervisor, wave=wave, person_ids=[child.person_id], separation_reason="Mother already returned"
    )
    return {"operations": operation.pk, "waves": wave.pk, "members": member.pk}
