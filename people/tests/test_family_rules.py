"""Impossible families are refused with a clear message and nothing is written."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from access.models import User
from audit.models import AuditEntry
from casework.models import Case
from conftest import latin
from people import services
from people.models import Relationship


def _refused(action: Callable[[], object], match: str) -> None:
    relationships, audit = Relationship.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=match):
        action()
    assert Relationship.objects.count() == relationships
    assert AuditEntry.objects.count() == audit


def test_a_mother_is_linked_to_her_child(register: Callable[..., Case], caseworker_a: User) -> None:
    mother = register(latin("Aigerim"), born=date(1990, 1, 1)).person
    child = register(latin("Amina"), born=date(2015, 1, 1)).person
    services.relationship_add(actor=caseworker_a, subject=child, obj=mother, kind="child")
    link = Relationship.objects.get()
    assert (link.subject, link.object, link.kind) == (mother, child, "mother")


def test_a_person_cannot_be_their_own_relative(register: Callable[..., Case], caseworker_a: User) -> None:
    person = register().person
    _refused(
        lambda: services.relationship_add(actor=caseworker_a, subject=person, obj=person, kind="sibling"),
        "themselves",
    )


def test_a_person_cannot_become_their_own_ancestor(register: Callable[..., Case], caseworker_a: User) -> None:
    grandmother = register(latin("Gulnara"), born=date(1950, 1, 1)).person
    mother = register(latin("Aigerim"), born=date(1975, 1, 1)).person
    child = register(latin("Amina"), born=date(2000, 1, 1)).person
    services.relationship_add(actor=caseworker_a, subject=grandmother, obj=mother, kind="mother")
    services.relationship_add(actor=caseworker_a, subject=mother, obj=child, kind="mother")
    _refused(
        lambda: services.relationship_add(actor=caseworker_a, subject=child, obj=grandmother, kind="mother"),
        "own ancestor",
    )


def test_a_mother_younger_than_twelve_at_the_birth_is_refused(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    mother = register(latin("Aigerim"), born=date(2005, 6, 1)).person
    child = register(latin("Amina"), born=date(2015, 1, 1)).person
    _refused(
        lambda: services.relationship_add(actor=caseworker_a, subject=mother, obj=child, kind="mother"),
        "younger than 12",
    )


def test_uncertain_dates_refuse_only_what_cannot_be_true(register: Callable[..., Case], caseworker_a: User) -> None:
    # Born some time in 2003, child born some time in 2015: she may have been 12, so it is allowed.
    mother = register(latin("Aigerim"), born=date(2003, 1, 1), birth_date_precision="year").person
    child = register(latin("Amina"), born=date(2015, 1, 1), birth_date_precision="year").person
    services.relationship_add(actor=caseworker_a, subject=mother, obj=child, kind="mother")
    assert Relationship.objects.count() == 1


def test_a_child_cannot_have_two_biological_mothers(register: Callable[..., Case], caseworker_a: User) -> None:
    first = register(latin("Aigerim")).person
    second = register(latin("Dinara")).person
    child = register(latin("Amina"), born=date(2015, 1, 1)).person
    services.relationship_add(actor=caseworker_a, subject=first, obj=child, kind="mother")
    _refused(
        lambda: services.relationship_add(actor=caseworker_a, subject=second, obj=child, kind="mother"),
        "already has a biological mother",
    )


def test_a_man_cannot_be_recorded_as_a_mother(register: Callable[..., Case], caseworker_a: User) -> None:
    man = register(latin("Nurlan"), sex="M").person
    child = register(latin("Amina"), born=date(2015, 1, 1)).person
    _refused(lambda: services.relationship_add(actor=caseworker_a, subject=man, obj=child, kind="mother"), "male")


def test_the_same_link_cannot_be_recorded_twice(register: Callable[..., Case], caseworker_a: User) -> None:
    one, other = register(latin("Aigerim")).person, register(latin("Dinara")).person
    services.relationship_add(actor=caseworker_a, subject=one, obj=other, kind="sibling")
    _refused(
        lambda: services.relationship_add(actor=caseworker_a, subject=other, obj=one, kind="sibling"),
        "already recorded",
    )


def test_the_family_page_draws_the_children(register: Callable[..., Case], caseworker_a: User, client) -> None:
    mother = register(latin("Aigerim"), born=date(1990, 1, 1)).person
    for name in ("Amina", "Yusuf", "Maryam"):
        child = register(latin(name), born=date(2015, 1, 1)).person
        services.relationship_add(actor=caseworker_a, subject=mother, obj=child, kind="mother")
    client.force_login(caseworker_a)
    page = client.get(f"/people/{mother.pk}/").content.decode()
    assert "<svg" in page
    for name in ("Amina", "Yusuf", "Maryam"):
        assert name in page
