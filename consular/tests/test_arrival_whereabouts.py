"""Arrival moves every traveller's whereabouts to the arrival place, all or nothing with the rest of the arrival."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from access.models import User
from audit.models import AuditEntry
from casework.services import case_transition
from consular import services
from consular.models import SelfReturnRequest, SelfReturnStatus
from consular.tests.conftest import Family, Places, case_of, restore_all
from people.models import Person, Presence
from people.services import presence_record

ARRIVED_ON = date(2019, 4, 11)


def _travellers(family: Family) -> list[Person]:
    return [family.request.applicant, *(m.person for m in family.children)]


def _ready(family: Family, actor: User, places: Places) -> list[Person]:
    """Documents restored, travel arranged; each traveller known to be at the consulate since the request."""
    restore_all(actor, family)
    services.travel_arrange(actor=actor, request=family.request, travel_on=date(2019, 4, 10))
    persons = _travellers(family)
    for person in persons:
        presence_record(
            actor=actor, person=person, place=places.consulate, since=date(2019, 2, 1), source="Consular register"
        )
    return persons


def test_arrival_puts_every_traveller_at_the_arrival_place_from_the_arrival_date(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=2)
    persons = _ready(family, caseworker_a, places)
    services.arrival_record(
        actor=caseworker_a, request=family.request, arrived_on=ARRIVED_ON, arrival_place=places.airport
    )
    for person in persons:
        current = Presence.objects.get(person=person, until__isnull=True)
        assert (current.place, current.since, current.recorded_by) == (places.airport, ARRIVED_ON, caseworker_a)
        earlier = Presence.objects.get(person=person, place=places.consulate)
        assert earlier.until == ARRIVED_ON
    created = AuditEntry.objects.filter(object_type="people.presence", action="create")
    assert created.filter(object_id__in=[str(p.pk) for p in Presence.objects.filter(since=ARRIVED_ON)]).count() == 3


def test_arrival_opens_whereabouts_for_a_traveller_with_none_recorded(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=1)
    restore_all(caseworker_a, family)
    services.travel_arrange(actor=caseworker_a, request=family.request, travel_on=date(2019, 4, 10))
    services.arrival_record(
        actor=caseworker_a, request=family.request, arrived_on=ARRIVED_ON, arrival_place=places.airport
    )
    for person in _travellers(family):
        assert list(Presence.objects.filter(person=person).values_list("place", "since", "until")) == [
            (places.airport.pk, ARRIVED_ON, None)
        ]


def test_arrival_without_a_place_is_refused_and_nothing_is_written(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=1)
    _ready(family, caseworker_a, places)
    before = (list(Presence.objects.values_list("id", "until")), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        services.arrival_record(actor=caseworker_a, request=family.request, arrived_on=ARRIVED_ON, arrival_place=None)
    assert "arrival_place" in error.value.message_dict
    assert (list(Presence.objects.values_list("id", "until")), AuditEntry.objects.count()) == before
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.TRAVEL_ARRANGED


def test_a_refused_arrival_leaves_everyone_where_they_were(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=2)
    _ready(family, caseworker_a, places)
    case_transition(
        actor=caseworker_a, case=case_of(family.children[1]), transition="withdraw", reason="Father objects"
    )
    before = list(Presence.objects.order_by("id").values_list("id", "place", "since", "until"))
    with pytest.raises(ValidationError):
        services.arrival_record(
            actor=caseworker_a, request=family.request, arrived_on=ARRIVED_ON, arrival_place=places.airport
        )
    assert list(Presence.objects.order_by("id").values_list("id", "place", "since", "until")) == before
    assert not Presence.objects.filter(place=places.airport).exists()


def test_an_arrival_dated_before_a_travellers_current_stay_is_refused_on_the_arrival_date(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=1)
    persons = _ready(family, caseworker_a, places)
    presence_record(
        actor=caseworker_a, person=persons[1], place=places.turkey, since=date(2019, 4, 12), source="Late note"
    )
    before = list(Presence.objects.order_by("id").values_list("id", "until"))
    with pytest.raises(ValidationError) as error:
        services.arrival_record(
            actor=caseworker_a, request=family.request, arrived_on=ARRIVED_ON, arrival_place=places.airport
        )
    assert "arrived_on" in error.value.message_dict
    assert list(Presence.objects.order_by("id").values_list("id", "until")) == before
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.TRAVEL_ARRANGED
