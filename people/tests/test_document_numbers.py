"""One number per document type and issuing state, without telling anyone who holds a number they cannot see."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from access.models import Agency, AgencyKind, Notification, User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case
from conftest import latin
from core.crypto import blind_index
from people import services
from people.models import DocumentNumberReview, IdentityDocument, Person

SENT_FOR_REVIEW = "This number cannot be recorded here — it was sent to the civil registry officer for review."


@pytest.fixture
def passport_of_agency_a(register: Callable[..., Case], caseworker_a: User) -> Person:
    holder = register(latin("Aigerim", "Nurlanova")).person
    services.document_add(actor=caseworker_a, person=holder, doc_type="passport", number="N 123-4567", status="valid")
    return holder


@pytest.fixture
def civil_registry_officer(make_user: Callable[..., User]) -> User:
    registry = Agency.objects.create(name="Civil registry", short_name="CR", kind=AgencyKind.CIVIL_REGISTRY)
    return make_user(Role.REGISTRY_OFFICER, agency=registry)


def _refusal(call: Callable[[], object]) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict["number"]


def test_a_number_held_by_a_person_one_can_see_is_refused_naming_that_person(
    passport_of_agency_a: Person, register: Callable[..., Case], caseworker_a: User
) -> None:
    other = register(latin("Dinara", "Seitkali")).person
    messages = _refusal(
        lambda: services.document_add(
            actor=caseworker_a, person=other, doc_type="passport", number="n1234567", status="valid"
        )
    )
    assert messages == ["A document of this type and number from this state is already recorded for Aigerim Nurlanova."]
    assert not DocumentNumberReview.objects.exists()


def test_a_number_held_out_of_reach_is_refused_without_naming_the_holder_and_sent_for_review(
    passport_of_agency_a: Person,
    register: Callable[..., Case],
    caseworker_b: User,
    civil_registry_officer: User,
    make_user: Callable[..., User],
) -> None:
    ngo_officer = make_user(Role.REGISTRY_OFFICER, agency=caseworker_b.agency)
    person_b = register(latin("Dinara", "Seitkali"), actor=caseworker_b).person
    messages = _refusal(
        lambda: services.document_add(
            actor=caseworker_b, person=person_b, doc_type="passport", number="N1234567", status="valid"
        )
    )
    assert messages == [SENT_FOR_REVIEW]
    assert IdentityDocument.objects.filter(person=person_b).count() == 0
    review = DocumentNumberReview.objects.get()
    assert (review.held_by, review.requested_for, review.requested_by) == (passport_of_agency_a, person_b, caseworker_b)
    assert review.number_index == blind_index("N1234567") and review.resolved_at is None
    assert list(Notification.objects.values_list("recipient", flat=True)) == [civil_registry_officer.pk]
    assert not Notification.objects.filter(recipient=ngo_officer).exists()
    assert "1234567" not in Notification.objects.get().text
    entry = AuditEntry.objects.get(object_type="people.documentnumberreview")
    assert entry.action == AuditAction.CREATE and "1234567" not in str(entry.changes)


def test_the_review_task_outlives_the_refusal_of_an_api_call(
    passport_of_agency_a: Person, register: Callable[..., Case], caseworker_b: User, civil_registry_officer: User
) -> None:
    person_b = register(latin("Dinara", "Seitkali"), actor=caseworker_b).person
    api = APIClient()
    api.force_authenticate(caseworker_b)
    response = api.post(
        f"/api/v1/persons/{person_b.pk}/documents/",
        {"doc_type": "passport", "number": "N1234567", "status": "valid"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"number": [SENT_FOR_REVIEW]}
    assert "Aigerim" not in response.content.decode()
    assert DocumentNumberReview.objects.filter(requested_for=person_b).count() == 1


def test_a_new_number_is_recorded_without_a_review(
    passport_of_agency_a: Person, register: Callable[..., Case], caseworker_b: User
) -> None:
    person_b = register(latin("Dinara", "Seitkali"), actor=caseworker_b).person
    services.document_add(actor=caseworker_b, person=person_b, doc_type="passport", number="N7654321", status="valid")
    assert IdentityDocument.objects.filter(person=person_b).count() == 1
    assert not DocumentNumberReview.objects.exists()


def test_asking_again_while_the_review_is_open_adds_no_second_task(
    passport_of_agency_a: Person, register: Callable[..., Case], caseworker_b: User, civil_registry_officer: User
) -> None:
    person_b = register(latin("Dinara", "Seitkali"), actor=caseworker_b).person
    for number in ("N1234567", "n 123 4567"):
        with pytest.raises(ValidationError) as refused:
            services.document_add(
                actor=caseworker_b, person=person_b, doc_type="passport", number=number, status="valid"
            )
        assert refused.value.message_dict["number"] == [SENT_FOR_REVIEW]
    assert DocumentNumberReview.objects.count() == 1 and Notification.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="people.documentnumberreview").count() == 2


def test_only_a_registry_officer_settles_a_review_and_only_once(
    passport_of_agency_a: Person,
    register: Callable[..., Case],
    caseworker_b: User,
    civil_registry_officer: User,
) -> None:
    person_b = register(latin("Dinara", "Seitkali"), actor=caseworker_b).person
    with pytest.raises(ValidationError):
        services.document_add(
            actor=caseworker_b, person=person_b, doc_type="passport", number="N1234567", status="valid"
        )
    review = DocumentNumberReview.objects.get()
    with pytest.raises(PermissionDenied):
        services.document_number_review_resolve(actor=caseworker_b, review=review, outcome="wrong_number")
    settled = services.document_number_review_resolve(
        actor=civil_registry_officer, review=review, outcome="wrong_number"
    )
    assert settled.outcome == "wrong_number" and settled.resolved_at is not None
    with pytest.raises(ValidationError):
        services.document_number_review_resolve(actor=civil_registry_officer, review=review, outcome="same_person")
