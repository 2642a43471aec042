"""A person has at most 20 names, and registering one writes one audit entry (docs/decisions/0037)."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from access.models import User
from audit.models import AuditEntry
from audit.verification import chain_verify
from casework.models import Case
from casework.services import returnee_register
from conftest import cyrillic, latin
from people.models import MAX_NAMES_PER_PERSON, NameToken, Person, PersonName
from people.services import name_add


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _names(count: int) -> list[dict[str, str]]:
    return [latin(f"Given{chr(97 + i % 26)}{chr(97 + i // 26)}", "Family") for i in range(count)]


def _counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        PersonName.objects.count(),
        NameToken.objects.count(),
        Case.objects.count(),
        AuditEntry.objects.count(),
    )


def test_registering_a_person_with_21_names_through_the_api_is_refused_and_writes_nothing(
    caseworker_a: User,
) -> None:
    before = _counts()
    response = _api(caseworker_a).post(
        "/api/v1/persons/",
        {"sex": "F", "birth_date_precision": "unknown", "names": _names(MAX_NAMES_PER_PERSON + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "names" in response.json()["errors"]
    assert _counts() == before


def test_registering_a_person_with_20_names_through_the_api_is_accepted(caseworker_a: User) -> None:
    response = _api(caseworker_a).post(
        "/api/v1/persons/",
        {"sex": "F", "birth_date_precision": "unknown", "names": _names(MAX_NAMES_PER_PERSON)},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert PersonName.objects.count() == MAX_NAMES_PER_PERSON


def test_the_registration_service_refuses_21_names_from_any_caller(caseworker_a: User) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        returnee_register(
            actor=caseworker_a, names=_names(MAX_NAMES_PER_PERSON + 1), sex="F", birth_date_precision="unknown"
        )
    assert "names" in refused.value.message_dict
    assert _counts() == before


def test_registering_a_person_with_several_names_writes_one_audit_entry_holding_every_name(
    caseworker_a: User,
) -> None:
    returnee_register(actor=caseworker_a, names=[latin("Aigul", "Omarova")], sex="F", birth_date_precision="unknown")
    before = AuditEntry.objects.count()
    person_before = Person.objects.count()
    response = _api(caseworker_a).post(
        "/api/v1/persons/",
        {"sex": "F", "birth_date_precision": "unknown", "names": _names(5)},
        format="json",
    )
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    assert Person.objects.count() == person_before + 1
    person_entries = AuditEntry.objects.filter(object_type="people.person", object_id=str(person_id))
    assert person_entries.count() == 1
    assert not AuditEntry.objects.filter(object_type="people.personname").exists()
    names = person_entries.get().changes["names"]
    assert [n["given"][1] for n in names] == [n["given"] for n in _names(5)]
    assert sorted(n["id"][1] for n in names) == sorted(
        PersonName.objects.filter(person_id=person_id).values_list("pk", flat=True)
    )
    # The person and the case: one entry each, not one per name.
    assert AuditEntry.objects.count() - before == 2
    assert chain_verify().intact


def test_a_21st_name_added_to_a_person_is_refused(caseworker_a: User, register: Callable[..., Case]) -> None:
    case = register(*_names(MAX_NAMES_PER_PERSON))
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        name_add(actor=caseworker_a, person=case.person, **cyrillic("Айгуль"))
    assert "names" in refused.value.message_dict
    assert _counts() == before
