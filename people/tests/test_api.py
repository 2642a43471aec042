"""The registry API: same policy as the pages, JSON errors per field, nothing written on bad input."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from access.models import User
from access.tokens import api_token_create
from audit.models import AuditEntry
from casework.models import Case
from conftest import cyrillic, latin
from people.models import IdentityDocument, NameToken, Person, PersonName, Place, PlaceKind, Relationship


@pytest.fixture
def api(caseworker_a: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(caseworker_a)
    return client


def _counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        PersonName.objects.count(),
        NameToken.objects.count(),
        Case.objects.count(),
        IdentityDocument.objects.count(),
        Relationship.objects.count(),
        AuditEntry.objects.count(),
    )


NEW_PERSON = {
    "sex": "F",
    "birth_date": "1990-04-17",
    "birth_date_precision": "day",
    "names": [{"script": "cyrl", "given": "Айгерим", "family": "Сейтказиева", "kind": "registered"}],
}


def test_registering_through_the_api_opens_a_case(api: APIClient) -> None:
    response = api.post("/api/v1/persons/", NEW_PERSON, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"]["state"] == "identified"
    assert body["names"][0]["given"] == "Айгерим"


@pytest.mark.parametrize("query", ["Aigerim", "aygerim", "Айгерим", "AIGER", "Сейтказ", "seitkaz"])
def test_search_finds_a_cyrillic_name_from_any_spelling(api: APIClient, query: str) -> None:
    api.post("/api/v1/persons/", NEW_PERSON, format="json")
    body = api.get("/api/v1/persons/", {"q": query}).json()
    assert body["count"] == 1
    assert body["results"][0]["names"][0]["given"] == "Айгерим"


def test_search_finds_a_person_by_any_of_their_names(api: APIClient, register: Callable[..., Case]) -> None:
    register(
        cyrillic("Айгерим", "Сейтказиева"),
        {"script": "arab", "given": "أم محمد", "family": "", "kind": "alias"},
    )
    register(latin("Dinara"))
    assert api.get("/api/v1/persons/", {"q": "أم محمد"}).json()["count"] == 1
    assert api.get("/api/v1/persons/", {"q": "dinara"}).json()["count"] == 1
    assert api.get("/api/v1/persons/", {"q": "zzz"}).json()["count"] == 0


BAD_PERSONS: list[tuple[str, dict[str, Any], str]] = [
    (
        "future birth date",
        {**NEW_PERSON, "birth_date": (date.today() + timedelta(days=3)).isoformat()},
        "birth_date",
    ),
    ("impossible date", {**NEW_PERSON, "birth_date": "2019-02-30"}, "birth_date"),
    ("no names", {**NEW_PERSON, "names": []}, "names"),
    ("unknown script", {**NEW_PERSON, "names": [{"script": "runic", "given": "X"}]}, "names"),
    ("oversized name", {**NEW_PERSON, "names": [{"script": "latn", "given": "A" * 101}]}, "names"),
    ("name without letters", {**NEW_PERSON, "names": [{"script": "latn", "given": "!!!"}]}, "given"),
    ("unknown sex", {**NEW_PERSON, "sex": "X"}, "sex"),
    ("mass assignment", {**NEW_PERSON, "created_by": 1}, "created_by"),
    (
        "estimate without date",
        {**NEW_PERSON, "birth_date_precision": "estimated", "birth_date": None, "estimated_age_min": 4},
        "age_estimated_on",
    ),
    (
        "reversed age range",
        {
            **NEW_PERSON,
            "birth_date_precision": "estimated",
            "birth_date": None,
            "estimated_age_min": 9,
            "estimated_age_max": 4,
            "age_estimated_on": "2019-01-01",
        },
        "estimated_age_max",
    ),
    (
        "age over 120",
        {
            **NEW_PERSON,
            "birth_date_precision": "estimated",
            "estimated_age_min": 300,
            "age_estimated_on": "2019-01-01",
        },
        "estimated_age_min",
    ),
]


@pytest.mark.parametrize(("label", "payload", "field"), BAD_PERSONS, ids=[b[0] for b in BAD_PERSONS])
def test_bad_input_gets_a_message_per_field_and_writes_nothing(
    api: APIClient, label: str, payload: dict[str, Any], field: str
) -> None:
    before = _counts()
    response = api.post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 400, (label, response.content)
    assert field in response.json()["errors"], response.json()
    assert _counts() == before


def test_a_duplicate_document_is_refused(api: APIClient, register: Callable[..., Case]) -> None:
    kz = Place.objects.create(kind=PlaceKind.COUNTRY, name="Kazakhstan", code="KZ")
    one, other = register().person, register(latin("Dinara")).person
    document = {"doc_type": "passport", "number": "N1234567", "issuing_state": kz.pk, "status": "lost"}
    assert api.post(f"/api/v1/persons/{one.pk}/documents/", document, format="json").status_code == 201
    before = _counts()
    response = api.post(f"/api/v1/persons/{other.pk}/documents/", document, format="json")
    assert response.status_code == 400
    assert "number" in response.json()["errors"]
    assert _counts() == before


def test_an_impossible_family_is_refused_through_the_api(api: APIClient, register: Callable[..., Case]) -> None:
    person = register().person
    before = _counts()
    response = api.post(
        f"/api/v1/persons/{person.pk}/relationships/", {"kind": "mother", "other": person.pk}, format="json"
    )
    assert response.status_code == 400
    assert _counts() == before


def test_a_transition_from_the_wrong_state_gives_a_clear_error(api: APIClient, register: Callable[..., Case]) -> None:
    case = register()
    response = api.post(f"/api/v1/cases/{case.pk}/transitions/", {"transition": "close", "reason": "x"}, format="json")
    assert response.status_code == 403
    response = api.post(f"/api/v1/cases/{case.pk}/transitions/", {"transition": "evacuate"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]
    options = api.get(f"/api/v1/cases/{case.pk}/transitions/").json()
    assert [o["name"] for o in options] == ["ask_consent"]


def test_patch_changes_allowed_fields_and_refuses_others(api: APIClient, register: Callable[..., Case]) -> None:
    person = register().person
    response = api.patch(f"/api/v1/persons/{person.pk}/", {"phone": "+7 700 000 0000", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    person.refresh_from_db()
    assert person.phone == "+7 700 000 0000"
    response = api.patch(
        f"/api/v1/persons/{person.pk}/", {"birth_date_best": "2000-01-01", "version": 2}, format="json"
    )
    assert response.status_code == 400


def test_a_stale_edit_is_refused_with_a_conflict_and_the_first_change_kept(
    api: APIClient, register: Callable[..., Case]
) -> None:
    person = register().person
    url = f"/api/v1/persons/{person.pk}/"
    assert api.patch(url, {"phone": "+7 700 111 1111", "version": 1}, format="json").status_code == 200
    stale = api.patch(url, {"phone": "+7 700 222 2222", "version": 1}, format="json")
    assert stale.status_code == 409
    person.refresh_from_db()
    assert person.phone == "+7 700 111 1111"
    assert api.patch(url, {"phone": "+7 700 333 3333"}, format="json").status_code == 400  # no version given


def test_a_stale_edit_page_shows_the_conflict(register: Callable[..., Case], caseworker_a: User) -> None:
    from django.test import Client

    person = register().person
    client = Client()
    client.force_login(caseworker_a)
    first = {
        "sex": "F",
        "birth_date_precision": "day",
        "birth_date": "1990-05-01",
        "citizenship_status": "citizen",
        "vital_status": "alive",
        "phone": "+7 700 111 1111",
        "address": "",
        "version": "1",
    }
    assert client.post(f"/people/{person.pk}/edit/", first).status_code == 302
    second = {**first, "phone": "+7 700 222 2222"}
    response = client.post(f"/people/{person.pk}/edit/", second)
    assert response.status_code == 200 and "Someone else changed this record" in response.content.decode()
    person.refresh_from_db()
    assert person.phone == "+7 700 111 1111"


def test_unreachable_records_answer_404_like_missing_ones(register: Callable[..., Case], caseworker_b: User) -> None:
    case = register()
    client = APIClient()
    client.force_authenticate(caseworker_b)
    for url in (
        f"/api/v1/persons/{case.person_id}/",
        f"/api/v1/persons/{case.person_id}/names/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/timeline/",
        "/api/v1/persons/999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/persons/", {"q": "Aigerim"}).json()["count"] == 0


def test_token_authentication_works_and_a_wrong_token_does_not(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    register()
    TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    _, key = api_token_create(actor=caseworker_a, name="Script", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/persons/").json()["count"] == 1
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/persons/").status_code == 401


def test_the_api_is_closed_until_the_nda_is_accepted(make_user: Callable[..., User]) -> None:
    from access.rules import Role

    client = APIClient()
    client.force_authenticate(make_user(Role.CASEWORKER, accepted=False))
    response = client.get("/api/v1/persons/")
    assert response.status_code == 403
    assert "non-disclosure" in response.json()["detail"]


def test_the_openapi_schema_describes_every_endpoint(api: APIClient) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/persons/",
        "/api/v1/persons/{id}/",
        "/api/v1/persons/{id}/relationships/",
        "/api/v1/persons/{id}/documents/",
        "/api/v1/cases/{id}/transitions/",
        "/api/v1/audit/",
        "/api/v1/places/",
    ):
        assert path in schema["paths"], path


def test_a_child_registered_with_a_parent_case_is_linked(
    api: APIClient, register: Callable[..., Case], caseworker_b: User
) -> None:
    mother = register()
    payload = {**NEW_PERSON, "birth_date": "2016-01-01", "parent_case": mother.pk}
    response = api.post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 201
    assert Case.objects.get(person_id=response.json()["id"]).parent_case == mother
    outsider = APIClient()
    outsider.force_authenticate(caseworker_b)
    before = _counts()
    assert outsider.post("/api/v1/persons/", payload, format="json").status_code == 400
    assert _counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/persons/99999999999999999999999/",
        "/api/v1/persons/abc/",
        "/api/v1/cases/-1/",
        "/api/v1/names/99999999999999999999/",
        "/api/v1/persons/?place=99999999999999999999999",
        "/api/v1/persons/?page=0",
        "/api/v1/audit/?person_id=99999999999999999999999",
        "/people/99999999999999999999/",
        "/people/?place=99999999999999999999&category=nonsense&page=zzz",
    ],
)
def test_junk_ids_and_parameters_never_cause_a_server_error(api: APIClient, url: str) -> None:
    response = api.get(url) if url.startswith("/api/") else _page_client(api).get(url)
    assert response.status_code in (200, 400, 403, 404, 405), (url, response.status_code)


def _page_client(api: APIClient) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(api.handler._force_user)  # type: ignore[attr-defined]
    return client


def test_export_gives_the_search_as_csv_and_is_audited(register: Callable[..., Case], caseworker_a: User) -> None:
    from django.test import Client

    register(cyrillic("Айгерим", "Сейтказиева"))
    register(latin("=HYPERLINK(1)", "Evil"))
    client = Client()
    client.force_login(caseworker_a)
    response = client.get("/people/export.csv", {"q": ""})
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Сейтказиева Айгерим" in body
    assert "'=HYPERLINK(1)" in body  # never a live formula
    entry = AuditEntry.objects.get(action="export")
    assert entry.changes["rows"] == 2


def test_roles_without_export_rights_cannot_export(
    register: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    from django.test import Client

    from access.rules import Role

    register()
    client = Client()
    client.force_login(make_user(Role.FIELD_REGISTRAR))
    assert client.get("/people/export.csv").status_code == 403


@pytest.mark.parametrize("estimated_on", ["0032-07-28", "1899-12-31"])
def test_an_age_estimated_before_1900_is_refused_and_nothing_changes(
    api: APIClient, register: Callable[..., Case], estimated_on: str
) -> None:
    """Found by tests/test_api_fuzz.py: an estimate dated in year 32 crashed the birth-date arithmetic (500)."""
    estimate = {"birth_date_precision": "estimated", "estimated_age_min": 47, "age_estimated_on": estimated_on}
    person = register().person
    before = _counts()
    created = api.post("/api/v1/persons/", {**NEW_PERSON, "birth_date": None, **estimate}, format="json")
    version = Person.objects.get(pk=person.pk).version
    changed = api.patch(f"/api/v1/persons/{person.pk}/", {**estimate, "version": version}, format="json")
    for response in (created, changed):
        assert response.status_code == 400, response.content
        assert response.json()["errors"]["age_estimated_on"] == ["The date of the estimate cannot be before 1900."]
    assert _counts() == before
    assert Person.objects.get(pk=person.pk).birth_date_precision == "day"


def test_a_search_counts_up_to_a_cap_and_says_when_there_are_more(
    api: APIClient, register: Callable[..., Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    from people import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(4):
        register(latin("Aigerim"))
    body = api.get("/api/v1/persons/", {"q": "aigerim"}).json()
    assert body["count_capped"] is True and body["count"] == 3
    assert len(body["results"]) == 3  # browsing stops at the cap: narrow the search to see the rest
