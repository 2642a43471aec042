"""IDOR walk: every URL that takes an id, given the ids of another agency's records, as a signed-in user of a
different agency. Every one must answer as if the record did not exist, and nothing may change.

No existence oracle (decision 0038): a record out of reach is answered exactly as a record that does not exist
-- the same status and the same body, whatever the kind of record. The only differences allowed between the two
answers are the ones that come from the URL itself and the per-request CSRF token."""

import importlib
import importlib.util
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from access.models import ApiToken, User
from access.rules import Role
from access.tokens import api_token_create
from audit.models import AuditEntry
from casework.approvals import closing_request
from casework.models import ApprovalRequest, Case, CaseAssignment, CaseNote
from casework.services import case_note_add, case_transition
from conftest import latin
from people import services
from people.models import DocumentNumberReview, IdentityDocument, Person, PersonName, Relationship
from tests.test_url_access import ROUTES

# The administration's ids name staff accounts and their requests, not returnees' records: its role matrix
# (administration/tests/test_pages.py) refuses every page to everybody but system administrators.
NOT_RECORDS = ("/administration/", "/accounts/enrol/", "/api/v1/places/")
WITH_IDS = [r for r in ROUTES if re.search(r"/1/", r) and not r.startswith(NOT_RECORDS)]
ALLOWED = {403, 404, 405}


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def agency_a_records(
    register: Callable[..., Case], caseworker_a: User, supervisor_a: User, make_user: Callable[..., User]
) -> dict[str, int]:
    mother = register(latin("Aigerim", "Nurlanova"))
    child = register(latin("Amina", "Nurlanova"), born=date(2015, 1, 1))
    link = services.relationship_add(actor=caseworker_a, subject=mother.person, obj=child.person, kind="mother")
    doctor = make_user(Role.MEDICAL_OFFICER)
    assignment = CaseAssignment.objects.create(case=mother, user=doctor, purpose="screening")
    note = case_note_add(actor=doctor, case=mother, data_class="medical", text="Screening done")
    for step in (
        "ask_consent",
        "consent",
        "evacuate",
        "receive",
        "admit",
        "relocate",
        "enrol_locally",
        "start_follow_up",
    ):
        mother = case_transition(actor=caseworker_a, case=mother, transition=step)
    approval = closing_request(actor=supervisor_a, case=mother, transition="close", reason="Reintegration goals met")
    document = services.document_add(actor=caseworker_a, person=mother.person, doc_type="passport", status="lost")
    services.document_scan_attach(
        actor=caseworker_a, document=document, upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan %%EOF")
    )
    number_review = services.document_number_review_open(
        actor=caseworker_a,
        document=IdentityDocument(person=child.person, doc_type="passport", number="P0000001"),
        held_by=mother.person,
    )
    TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    token, _key = api_token_create(actor=caseworker_a, name="Script", days=1)
    ids = {
        "api_token": token.pk,
        "person": mother.person_id,
        "case": mother.pk,
        "name": PersonName.objects.filter(person=mother.person).values_list("pk", flat=True)[0],
        "relationship": link.pk,
        "note": note.pk,
        "assignment": assignment.pk,
        "approval": approval.pk,
        "document": document.pk,
        "document-reviews": number_review.pk,
    }
    child_case = Case.objects.get(person=child.person)
    for app in PROGRAMME_APPS:
        if importlib.util.find_spec(f"{app}.tests.idor_records"):
            module = importlib.import_module(f"{app}.tests.idor_records")
            ids |= module.make(mother, child_case, caseworker_a, supervisor_a, make_user)
    return ids


# The URL segment before an id says what kind of record the id names.
SEGMENT_KIND = {
    "people": "person",
    "persons": "person",
    "cases": "case",
    "names": "name",
    "relationships": "relationship",
    "approvals": "approval",
    "notes": "note",
    "assignments": "assignment",
    "documents": "document",
    "api-tokens": "api_token",
}
# Apps of the programme add their own records to the walk: `<app>/tests/idor_records.py` defines
# `make(mother: Case, child: Case, caseworker: User, supervisor: User, make_user) -> dict[segment, id]`.
PROGRAMME_APPS = ("identification", "consent", "operations", "reception", "centres", "consular")


def _url(route: str, ids: dict[str, int]) -> str:
    """Put the right kind of id in each slot of the route; a slot of an unknown kind fails the walk."""
    parts = route.split("/")
    for index, part in enumerate(parts):
        if part == "1" and index > 0:
            segment = parts[index - 1]
            key = SEGMENT_KIND.get(segment, segment)
            assert key in ids, f"{route}: add a record for '{segment}' to the IDOR walk"
            parts[index] = str(ids[key])
    return "/".join(parts)


def _state() -> tuple[object, ...]:
    return (
        Person.objects.count(),
        PersonName.objects.count(),
        Relationship.objects.count(),
        CaseNote.objects.count(),
        CaseAssignment.objects.filter(ended_at__isnull=True).count(),
        ApprovalRequest.objects.filter(decided_at__isnull=True).count(),
        tuple(Case.objects.order_by("pk").values_list("state", flat=True)),
        tuple(IdentityDocument.objects.order_by("pk").values_list("scan", flat=True)),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
        DocumentNumberReview.objects.filter(resolved_at__isnull=False).count(),
    )


def test_the_walk_has_routes_of_every_kind() -> None:
    assert len(WITH_IDS) > 25
    assert any(r.startswith("/api/v1/cases/1/") for r in WITH_IDS) and any(r.startswith("/people/1/") for r in WITH_IDS)


def test_another_agency_reaches_none_of_these_records(agency_a_records: dict[str, int], caseworker_b: User) -> None:
    page, api = Client(), APIClient()
    page.force_login(caseworker_b)
    api.force_authenticate(caseworker_b)
    before = _state()
    leaks = []
    for route in WITH_IDS:
        url = _url(route, agency_a_records)
        client = api if url.startswith("/api/") else page
        for method in ("get", "post", "patch", "delete"):
            response = (
                getattr(client, method)(url, {}, format="json") if client is api else getattr(client, method)(url)
            )
            if response.status_code not in ALLOWED:
                leaks.append((method.upper(), url, response.status_code))
    assert leaks == []
    assert _state() == before
    assert not AuditEntry.objects.filter(actor=caseworker_b, action__in=["create", "update", "delete"]).exists()


# --- no existence oracle ------------------------------------------------------------------------------------

MISSING_ID = 987_654_321  # no test builds this many records
METHODS = ("get", "post", "patch", "delete")
NOT_FOUND_BODY = {"detail": "Not found.", "errors": {}}


def _missing_ids(ids: dict[str, int]) -> dict[str, int]:
    return dict.fromkeys(ids, MISSING_ID)


def _call(client: Any, method: str, url: str) -> Any:
    if isinstance(client, APIClient):
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


def _body(response: Any, url: str) -> str:
    """The answer's body with what only reflects the request (its own path, the CSRF token) taken out."""
    text = response.content.decode(errors="replace")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"csrfToken": "[^"]*"|data-csrf="[^"]*"|X-CSRFToken[^,}]*', "", text)
    return text.replace(url, "<url>")


def test_a_record_out_of_reach_is_answered_exactly_like_a_missing_one(
    agency_a_records: dict[str, int], caseworker_b: User
) -> None:
    page, api = Client(), APIClient()
    page.force_login(caseworker_b)
    api.force_authenticate(caseworker_b)
    missing = _missing_ids(agency_a_records)
    oracles = []
    for route in WITH_IDS:
        out_of_reach_url, missing_url = _url(route, agency_a_records), _url(route, missing)
        client = api if route.startswith("/api/") else page
        for method in METHODS:
            out_of_reach = _call(client, method, out_of_reach_url)
            absent = _call(client, method, missing_url)
            seen = (out_of_reach.status_code, _body(out_of_reach, out_of_reach_url))
            expected = (absent.status_code, _body(absent, missing_url))
            if seen != expected:
                oracles.append((method.upper(), route, expected[0], seen[0], expected[1][:120], seen[1][:120]))
    assert not oracles, "\n".join(map(str, oracles))


def test_every_api_answer_for_a_missing_record_is_the_one_not_found_body(
    agency_a_records: dict[str, int], caseworker_b: User
) -> None:
    api = APIClient()
    api.force_authenticate(caseworker_b)
    missing = _missing_ids(agency_a_records)
    others = []
    for route in (r for r in WITH_IDS if r.startswith("/api/")):
        response = api.get(_url(route, missing))
        if response.status_code == 404 and response.json() != NOT_FOUND_BODY:
            others.append((route, response.json()))
    assert not others, "\n".join(map(str, others))
