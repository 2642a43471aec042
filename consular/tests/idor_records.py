"""Records of agency A for the IDOR walk (tests/test_idor.py): a self-return of the walk's mother and child."""

from collections.abc import Callable
from datetime import date

from access.models import User
from casework.models import Case
from consular import services
from people.models import Place, PlaceKind


def make(
    mother: Case, child: Case, caseworker: User, supervisor: User, make_user: Callable[..., User]
) -> dict[str, int]:
    turkey = Place.objects.create(kind=PlaceKind.COUNTRY, name="Turkey (IDOR walk)")
    consulate = Place.objects.create(kind=PlaceKind.CONSULATE, name="Consulate (IDOR walk)", parent=turkey)
    # The walk's mother has travelled already: the child, still identified, is the applicant here.
    request = services.self_return_register(
        actor=caseworker, consulate=consulate, requested_on=date(2019, 2, 1), applicant=child.person
    )
    services.restoration_request(
        actor=caseworker,
        request=request,
        person=child.person,
        doc_type="return_certificate",
        requested_on=date(2019, 2, 2),
    )
    return {"consular": request.pk, "self-returns": request.pk}
