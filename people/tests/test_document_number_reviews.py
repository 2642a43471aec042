"""The civil registry officer's worklist of document numbers sent for review (decision 0038): the page and the API."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from access.models import Agency, AgencyKind, Notification, User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case, CaseAssignment
from conftest import latin
from people import services
from people.models import DocumentNumberReview, IdentityDocument, Person

LIST = "/people/document-reviews/"
API_LIST = "/api/v1/document-reviews/"
OUT_OF_REACH = "a person out of your reach"
NOT_FOUND_BODY = {"detail": "Not found.", "errors": {}}


@pytest.fixture
def civil_registry_officer(make_user: Callable[..., User]) -> User:
    registry = Agency.objects.create(name="Civil registry", short_name="CR", kind=AgencyKind.CIVIL_REGISTRY)
    return make_user(Role.REGISTRY_OFFICER, agency=registry, username="registry_officer")


@pytest.fixture
def holder(register: Callable[..., Case], caseworker_a: User) -> Person:
    """Aigerim, of agency A, holds passport N 123-4567."""
    person = register(latin("Aigerim", "Nurlanova")).person
    services.document_add(actor=caseworker_a, person=person, doc_type="passport", number="N 123-4567", status="valid")
    return person


@pytest.fixture
def person_b(register: Callable[..., Case], caseworker_b: User) -> Person:
    return register(latin("Dinara", "Seitkali"), actor=caseworker_b).person


@pytest.fixture
def review(holder: Person, person_b: Person, caseworker_b: User, civil_registry_officer: User) -> DocumentNumberReview:
    """Caseworker B gives Aigerim's passport number for Dinara: refused, and sent for review."""
    with pytest.raises(ValidationError):
        services.document_add(
            actor=caseworker_b, person=person_b, doc_type="passport", number="N1234567", status="valid"
        )
    return DocumentNumberReview.objects.get()


def _send_for_review(actor: User, person: Person, held_by: Person, number: str) -> DocumentNumberReview:
    document = IdentityDocument(person=person, doc_type="passport", number=number)
    return services.document_number_review_open(actor=actor, document=document, held_by=held_by)


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the page ---------------------------------------------------------------------------------------------------


def test_a_registry_officer_sees_the_number_and_settles_the_review(
    review: DocumentNumberReview, civil_registry_officer: User, caseworker_b: User
) -> None:
    client = _page(civil_registry_officer)
    page = client.get(LIST).content.decode()
    assert "N1234567" in page and "caseworker_b" in page and "Passport" in page
    assert page.count(OUT_OF_REACH) == 2 and "Aigerim" not in page and "Dinara" not in page
    read = AuditEntry.objects.get(actor=civil_registry_officer, action=AuditAction.VIEW)
    assert (read.object_type, read.object_id) == ("people.documentnumberreview", str(review.pk))
    assert read.changes == {"number": ["viewed", "viewed"]}

    response = client.post(f"/people/document-reviews/{review.pk}/resolve/", {"outcome": "wrong_number"})
    assert response.status_code == 302 and response["Location"] == LIST
    review.refresh_from_db()
    assert review.outcome == "wrong_number" and review.resolved_at is not None
    settled = AuditEntry.objects.get(actor=civil_registry_officer, action=AuditAction.UPDATE)
    assert settled.changes == {"outcome": [None, "wrong_number"]} and settled.object_id == str(review.pk)


def test_settling_a_review_twice_is_refused_and_keeps_the_first_finding(
    review: DocumentNumberReview, civil_registry_officer: User
) -> None:
    client = _page(civil_registry_officer)
    url = f"/people/document-reviews/{review.pk}/resolve/"
    client.post(url, {"outcome": "wrong_number"})
    response = client.post(url, {"outcome": "same_person"}, follow=True)
    assert "This review has already been settled." in response.content.decode()
    review.refresh_from_db()
    assert review.outcome == "wrong_number"
    assert AuditEntry.objects.filter(actor=civil_registry_officer, action=AuditAction.UPDATE).count() == 1


def test_an_outcome_not_in_the_list_is_refused(review: DocumentNumberReview, civil_registry_officer: User) -> None:
    response = _page(civil_registry_officer).post(
        f"/people/document-reviews/{review.pk}/resolve/", {"outcome": "merged"}, follow=True
    )
    assert "Choose one of the outcomes." in response.content.decode()
    review.refresh_from_db()
    assert review.resolved_at is None


def test_open_reviews_come_first_oldest_first_and_the_filter_keeps_open_or_settled(
    review: DocumentNumberReview,
    holder: Person,
    person_b: Person,
    caseworker_b: User,
    civil_registry_officer: User,
) -> None:
    second = _send_for_review(caseworker_b, person_b, holder, "X1")
    third = _send_for_review(caseworker_b, person_b, holder, "X2")
    services.document_number_review_resolve(actor=civil_registry_officer, review=review, outcome="same_person")
    client = _page(civil_registry_officer)

    def order(query: str) -> list[int]:
        rows = client.get(LIST + query).context["rows"]
        return [row.review.pk for row in rows]

    assert order("") == [second.pk, third.pk, review.pk]
    assert order("?state=open") == [second.pk, third.pk]
    assert order("?state=settled") == [review.pk]


def test_a_person_is_named_and_linked_only_where_the_policy_lets_the_officer_see_them(
    review: DocumentNumberReview, person_b: Person, holder: Person, civil_registry_officer: User
) -> None:
    CaseAssignment.objects.create(case=person_b.case, user=civil_registry_officer, purpose="civil registration")
    page = _page(civil_registry_officer).get(LIST).content.decode()
    assert f'<a href="/people/{person_b.pk}/">Dinara Seitkali</a>' in page
    assert page.count(OUT_OF_REACH) == 1
    assert f"/people/{holder.pk}/" not in page and "Aigerim" not in page


def test_the_worklist_page_takes_a_fixed_number_of_queries(
    review: DocumentNumberReview, holder: Person, person_b: Person, caseworker_b: User, civil_registry_officer: User
) -> None:
    client = _page(civil_registry_officer)
    client.get(LIST)  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    one = count()
    for n in range(6):
        _send_for_review(caseworker_b, person_b, holder, f"Y{n}")
    assert one == count() == 20


def test_the_dashboard_counts_the_open_reviews_and_the_menu_links_the_worklist(
    review: DocumentNumberReview, civil_registry_officer: User, caseworker_a: User
) -> None:
    page = _page(civil_registry_officer).get("/").content.decode()
    assert "1 review waits for your finding" in page and f'href="{LIST}"' in page
    other = _page(caseworker_a).get("/").content.decode()
    assert "document-reviews" not in other


# --- who is refused -------------------------------------------------------------------------------------------------


@pytest.fixture(params=["caseworker_a", "supervisor_a", "caseworker_b", "statistician", "administrator", "ngo_officer"])
def outsider(request: pytest.FixtureRequest, make_user: Callable[..., User], agency_b: Agency) -> User:
    if request.param == "administrator":
        return make_user(Role.SYSTEM_ADMINISTRATOR)
    if request.param == "ngo_officer":  # a registry officer outside the civil registry, while it has officers
        return make_user(Role.REGISTRY_OFFICER, agency=agency_b)
    user: User = request.getfixturevalue(request.param)
    return user


def test_everybody_but_the_civil_registry_officers_is_refused_and_changes_nothing(
    review: DocumentNumberReview, outsider: User
) -> None:
    page, api = _page(outsider), _api(outsider)
    assert page.get(LIST).status_code == 403
    assert page.post(f"/people/document-reviews/{review.pk}/resolve/", {"outcome": "same_person"}).status_code == 404
    assert api.get(API_LIST).status_code == 403
    response = api.post(f"{API_LIST}{review.pk}/resolve/", {"outcome": "same_person"}, format="json")
    assert (response.status_code, response.json()) == (404, NOT_FOUND_BODY)
    review.refresh_from_db()
    assert review.resolved_at is None and review.outcome == ""
    assert not AuditEntry.objects.filter(actor=outsider, action__in=[AuditAction.VIEW, AuditAction.UPDATE]).exists()


def test_a_missing_review_is_answered_like_one_out_of_reach(
    review: DocumentNumberReview, civil_registry_officer: User, caseworker_b: User
) -> None:
    missing = _api(civil_registry_officer).post(f"{API_LIST}987654321/resolve/", {"outcome": "same_person"})
    out_of_reach = _api(caseworker_b).post(f"{API_LIST}{review.pk}/resolve/", {"outcome": "same_person"})
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND_BODY)
    assert (out_of_reach.status_code, out_of_reach.json()) == (404, NOT_FOUND_BODY)


def test_while_the_civil_registry_has_no_officer_every_registry_officer_reviews(
    holder: Person, person_b: Person, caseworker_b: User, make_user: Callable[..., User], agency_b: Agency
) -> None:
    ngo_officer = make_user(Role.REGISTRY_OFFICER, agency=agency_b)
    review = _send_for_review(caseworker_b, person_b, holder, "N1234567")
    assert list(Notification.objects.values_list("recipient", flat=True)) == [ngo_officer.pk]
    assert Notification.objects.get().link == LIST
    assert _page(ngo_officer).get(LIST).status_code == 200
    services.document_number_review_resolve(actor=ngo_officer, review=review, outcome="wrong_holder")


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_lists_one_page_of_reviews_and_audits_the_numbers_read(
    review: DocumentNumberReview, civil_registry_officer: User
) -> None:
    body = _api(civil_registry_officer).get(API_LIST, {"state": "open"}).json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    (row,) = body["results"]
    assert row["id"] == review.pk and row["number"] == "N1234567" and row["doc_type"] == "passport"
    assert row["requested_by"] == "caseworker_b" and row["outcome"] == "" and row["resolved_at"] is None
    nobody = {"id": None, "name": None, "within_reach": False}
    assert row["held_by"] == nobody and row["requested_for"] == nobody
    assert AuditEntry.objects.filter(actor=civil_registry_officer, action=AuditAction.VIEW).count() == 1


def test_the_api_refuses_an_unknown_state(civil_registry_officer: User) -> None:
    assert _api(civil_registry_officer).get(API_LIST, {"state": "lost"}).status_code == 400


def test_the_api_settles_a_review_once(review: DocumentNumberReview, civil_registry_officer: User) -> None:
    api = _api(civil_registry_officer)
    url = f"{API_LIST}{review.pk}/resolve/"
    response = api.post(url, {"outcome": "same_person"}, format="json")
    assert response.status_code == 200 and response.json()["outcome"] == "same_person"
    assert response.json()["resolved_at"] is not None
    again = api.post(url, {"outcome": "wrong_number"}, format="json")
    assert again.status_code == 400 and again.json()["errors"] == {"outcome": ["This review has already been settled."]}
    review.refresh_from_db()
    assert review.outcome == "same_person"
    assert AuditEntry.objects.filter(actor=civil_registry_officer, action=AuditAction.UPDATE).count() == 1
