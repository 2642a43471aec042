"""Names and identifiers refuse characters that change how a text looks without being seen (bidi overrides,
zero-width characters); the zero-width non-joiner of Persian names is kept between two letters."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from access.models import Agency, AgencyKind, User
from audit.models import AuditEntry
from casework.models import Case
from casework.services import returnee_register
from conftest import latin
from core.validators import hidden_characters, refuse_hidden_characters
from identification.rows import parse_row
from operations.models import Operation
from people.models import IdentityDocument, Person, PersonName, Place, PlaceKind

RLO = "\u202e"
PERSIAN_WITH_ZWNJ = "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"  # Mohammad-reza, the letters kept apart

REFUSED = [
    *(chr(c) for c in range(0x202A, 0x202F)),  # embeddings and overrides
    *(chr(c) for c in range(0x2066, 0x206A)),  # isolates
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (byte order mark)
    "\u00ad",  # soft hyphen
    "\x00",  # a control character
    "\u2028",  # line separator
]


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_a_name_holding_an_invisible_or_direction_character_is_refused(char: str) -> None:
    with pytest.raises(ValidationError) as refused:
        refuse_hidden_characters(f"Ai{char}gul")
    assert f"U+{ord(char):04X}" in str(refused.value.messages)


def test_a_persian_name_keeps_its_zero_width_non_joiner_between_two_letters() -> None:
    refuse_hidden_characters(PERSIAN_WITH_ZWNJ)
    assert hidden_characters("Aigul Omarova") == []


@pytest.mark.parametrize("value", ["\u200cAli", "Ali\u200c", "Ali \u200cReza", "Ali\u200c\u200cReza"])
def test_a_zero_width_non_joiner_anywhere_but_between_two_letters_is_refused(value: str) -> None:
    assert hidden_characters(value) == ["U+200C"]


def _counts() -> tuple[int, ...]:
    return (Person.objects.count(), PersonName.objects.count(), AuditEntry.objects.exclude(action="denied").count())


def test_the_api_refuses_a_name_with_a_direction_override_and_writes_nothing(caseworker_a: User) -> None:
    client = APIClient()
    client.force_authenticate(caseworker_a)
    before = _counts()
    response = client.post(
        "/api/v1/persons/",
        {"sex": "F", "birth_date_precision": "unknown", "names": [latin(f"Aigul{RLO}lugiA")]},
        format="json",
    )
    assert response.status_code == 400
    assert "U+202E" in str(response.json()["errors"]["names"])
    assert _counts() == before


def test_the_api_accepts_a_persian_name_with_its_zero_width_non_joiner(caseworker_a: User) -> None:
    client = APIClient()
    client.force_authenticate(caseworker_a)
    response = client.post(
        "/api/v1/persons/",
        {"sex": "M", "birth_date_precision": "unknown", "names": [{"script": "arab", "given": PERSIAN_WITH_ZWNJ}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert PersonName.objects.get().given == PERSIAN_WITH_ZWNJ


def test_the_registration_form_refuses_a_name_with_a_zero_width_space_and_writes_nothing(
    caseworker_a: User,
) -> None:
    client = Client()
    client.force_login(caseworker_a)
    before = _counts()
    response = client.post(
        "/people/new/",
        {
            "name-script": "latn",
            "name-given": "Ai\u200bgul",
            "name-family": "Omarova",
            "name-kind": "declared",
            "person-sex": "F",
            "person-birth_date_precision": "unknown",
            "person-citizenship_status": "unknown",
            "person-vital_status": "alive",
        },
    )
    assert response.status_code == 200
    assert "U+200B" in response.content.decode()
    assert _counts() == before


def test_the_registration_service_refuses_hidden_characters_from_any_caller(caseworker_a: User) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        returnee_register(
            actor=caseworker_a, names=[latin("Aigul", f"Omar{RLO}ova")], sex="F", birth_date_precision="unknown"
        )
    assert "U+202E" in str(refused.value)
    assert _counts() == before


def test_a_document_number_with_a_direction_override_is_refused_through_the_api(
    caseworker_a: User, register: Callable[..., Case]
) -> None:
    person = register().person
    client = APIClient()
    client.force_authenticate(caseworker_a)
    response = client.post(
        f"/api/v1/persons/{person.pk}/documents/",
        {"doc_type": "passport", "number": f"N12{RLO}34567", "status": "valid"},
        format="json",
    )
    assert response.status_code == 400
    assert "number" in response.json()["errors"]
    assert not IdentityDocument.objects.exists()


def test_an_operation_named_with_an_isolate_is_refused_through_the_api(supervisor_a: User) -> None:
    client = APIClient()
    client.force_authenticate(supervisor_a)
    response = client.post(
        "/api/v1/operations/",
        {"name": "Zhusan\u2066 2020", "code": "Z-2020", "starts_on": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert not Operation.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Agency(name=f"NGO{RLO}B", kind=AgencyKind.NGO),
        lambda: Place(kind=PlaceKind.CAMP, name="al-Hol\u200b"),
        lambda: User(username="admin\u200b", password="x"),
        lambda: User(username="clerk", first_name=f"Ai{RLO}gul", password="x"),
    ],
    ids=["agency", "place", "username", "first name"],
)
def test_agency_place_and_user_names_refuse_hidden_characters(db: None, make: Callable[[], object]) -> None:
    with pytest.raises(ValidationError):
        make().full_clean()  # type: ignore[attr-defined]


def test_an_imported_row_with_a_hidden_character_in_a_name_cannot_be_imported() -> None:
    _data, errors = parse_row(
        [f"Omar{RLO}ova", "Aigul", "F", "1990"], {"family": 0, "given": 1, "sex": 2, "birth_date": 3}
    )
    assert any("U+202E" in e for e in errors)
    assert parse_row(["Omarova", "Aigul", "F", "1990"], {"family": 0, "given": 1, "sex": 2, "birth_date": 3})[1] == []


def test_registering_through_the_service_with_a_clean_name_still_works(register: Callable[..., Case]) -> None:
    assert register(latin("Aigul", "Omarova"), born=date(1990, 1, 1)).person.names.get().given == "Aigul"


@pytest.mark.parametrize(
    "names",
    [
        ["al-Hol"],
        {f"l{chr(97 + i)}": "al-Hol" for i in range(21)},
        {"ru": "Аль-Холь" * 30},
        {"ru": {"nested": "x"}},
        {"<script>": "x"},
        {"ar": "\u0627\u0644\u0647\u0648\u0644\u202e"},
    ],
    ids=["a list", "21 languages", "too long", "not a text", "not a language", "a direction override"],
)
def test_the_names_of_a_place_in_other_languages_are_a_small_object_of_clean_names(db: None, names: object) -> None:
    place = Place(kind=PlaceKind.CAMP, name="al-Hol", names=names)
    with pytest.raises(ValidationError) as refused:
        place.full_clean()
    assert "names" in refused.value.message_dict


def test_a_place_named_in_russian_and_arabic_is_accepted(db: None) -> None:
    Place(
        kind=PlaceKind.CAMP, name="al-Hol", names={"ru": "Аль-Холь", "ar": "\u0627\u0644\u0647\u0648\u0644"}
    ).full_clean()
