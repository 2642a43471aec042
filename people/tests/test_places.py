"""Places form a tree (country → region → district → settlement) without duplicates, kept by administrators."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from people.models import Place, PlaceKind
from people.places import place_add


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="admin")


def test_an_administrator_builds_the_tree_and_each_place_is_audited(admin: User) -> None:
    kz = place_add(actor=admin, kind=PlaceKind.COUNTRY, name="Kazakhstan", parent=None, code="KZ")
    region = place_add(actor=admin, kind=PlaceKind.REGION, name="Mangystau", parent=kz)
    district = place_add(actor=admin, kind=PlaceKind.DISTRICT, name="Munaily", parent=region)
    village = place_add(actor=admin, kind=PlaceKind.SETTLEMENT, name="Mangystau", parent=district)
    assert village.parent == district
    assert AuditEntry.objects.filter(object_type="people.place").count() == 4


def test_a_settlement_directly_in_a_country_is_refused(admin: User) -> None:
    kz = place_add(actor=admin, kind=PlaceKind.COUNTRY, name="Kazakhstan", parent=None)
    with pytest.raises(ValidationError) as refused:
        place_add(actor=admin, kind=PlaceKind.SETTLEMENT, name="Aktau", parent=kz)
    assert "parent" in refused.value.error_dict
    with pytest.raises(ValidationError):
        place_add(actor=admin, kind=PlaceKind.REGION, name="Floating region", parent=None)
    with pytest.raises(ValidationError):
        place_add(actor=admin, kind=PlaceKind.COUNTRY, name="Inner country", parent=kz)
    assert Place.objects.count() == 1


def test_the_same_name_twice_in_one_parent_is_refused(admin: User) -> None:
    place_add(actor=admin, kind=PlaceKind.COUNTRY, name="Syria", parent=None)
    with pytest.raises(ValidationError):
        place_add(actor=admin, kind=PlaceKind.COUNTRY, name="syria ", parent=None)
    assert Place.objects.count() == 1


def test_the_database_refuses_a_second_country_of_the_same_name_whatever_its_case(db: None) -> None:
    Place.objects.create(kind=PlaceKind.COUNTRY, name="Syria")
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(kind=PlaceKind.COUNTRY, name="SYRIA")
    assert Place.objects.count() == 1


def test_a_caseworker_cannot_add_places(caseworker_a: User) -> None:
    with pytest.raises(PermissionDenied):
        place_add(actor=caseworker_a, kind=PlaceKind.COUNTRY, name="Syria", parent=None)
    assert not Place.objects.exists()
