"""The self-return flow through the services: request, documents, travel, arrival — each rule with its test."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.models import User
from audit.models import AuditEntry
from casework.models import Case, CaseEvent
from casework.services import case_transition
from casework.transitions import CaseState
from conftest import latin
from consular import services
from consular.models import SelfReturnRequest, SelfReturnStatus
from consular.tests.conftest import Family, Places, case_of, child_fields, restore_all
from core.errors import Conflict
from people import services as people_services
from people.models import CitizenshipStatus, DocumentNumberReview, IdentityDocument, Relationship, RelationshipKind


def _states(family: Family) -> list[str]:
    ids = [family.request.case_id, *(m.case_id for m in family.children)]
    return [Case.objects.get(pk=pk).state for pk in ids]


def test_a_new_applicant_gets_a_case_that_consents_through_the_request(
    new_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = new_family(children=0)
    case = Case.objects.get(pk=family.request.case_id)
    assert case.state == CaseState.CONSENTED
    events = CaseEvent.objects.filter(case=case, kind="transition").order_by("at", "id")
    reasons = [(e.to_state, e.reason) for e in events]  # the reason is encrypted: read through the model
    assert [state for state, _ in reasons] == [CaseState.CONSENT_PENDING, CaseState.CONSENTED]
    assert all("Consulate General in Istanbul" in reason for _, reason in reasons)
    assert AuditEntry.objects.filter(object_type="consular.selfreturnrequest", action="create").count() == 1


def test_a_child_born_in_turkey_gets_a_claimed_citizenship_a_linked_case_and_a_mother(
    new_family: Callable[..., Family], places: Places
) -> None:
    family = new_family(children=1)
    child = family.children[0].person
    child.refresh_from_db()
    assert child.birth_place_actual == places.turkey
    assert child.citizenship_status == CitizenshipStatus.CLAIMED
    assert case_of(family.children[0]).parent_case_id == family.request.case_id
    assert case_of(family.children[0]).state == CaseState.CONSENTED
    assert Relationship.objects.filter(
        subject=family.request.applicant, object=child, kind=RelationshipKind.MOTHER
    ).exists()


def test_an_existing_person_can_apply_and_a_second_open_request_is_refused(
    register: Callable[..., Case], caseworker_a: User, places: Places
) -> None:
    case = register(latin("Dana", "Serikova"))
    request = services.self_return_register(
        actor=caseworker_a, consulate=places.consulate, requested_on=date(2019, 2, 1), applicant=case.person
    )
    assert request.case_id == case.pk
    with pytest.raises(ValidationError) as error:
        services.self_return_register(
            actor=caseworker_a, consulate=places.consulate, requested_on=date(2019, 2, 2), applicant=case.person
        )
    assert "applicant" in error.value.message_dict


def test_a_case_already_evacuated_cannot_start_a_self_return(
    register: Callable[..., Case], caseworker_a: User, places: Places
) -> None:
    case = register(latin("Dana", "Serikova"))
    for step in ("ask_consent", "consent", "evacuate"):
        case = case_transition(actor=caseworker_a, case=case, transition=step)
    with pytest.raises(ValidationError):
        services.self_return_register(
            actor=caseworker_a, consulate=places.consulate, requested_on=date(2019, 2, 1), applicant=case.person
        )
    assert not SelfReturnRequest.objects.exists()


def test_a_place_that_is_not_a_consulate_is_refused_and_nothing_is_written(caseworker_a: User, places: Places) -> None:
    before = (Case.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        services.self_return_register(
            actor=caseworker_a,
            consulate=places.turkey,
            requested_on=date(2019, 2, 1),
            names=[latin("Dana", "Serikova")],
            sex="F",
        )
    assert "consulate" in error.value.message_dict
    assert (Case.objects.count(), AuditEntry.objects.count()) == before


def test_issuing_a_restored_document_records_an_identity_document_with_the_number_masked_in_the_audit(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=0)
    restoration = services.restoration_request(
        actor=caseworker_a,
        request=family.request,
        person=family.request.applicant,
        doc_type="return_certificate",
        requested_on=date(2019, 2, 2),
    )
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.DOCUMENTS_IN_PROGRESS
    services.restoration_issue(
        actor=caseworker_a,
        restoration=restoration,
        issued_on=date(2019, 3, 1),
        number="RC 000123",
        issuing_state=places.home,
    )
    document = IdentityDocument.objects.get(person=family.request.applicant)
    assert document.doc_type == "return_certificate" and document.status == "valid"
    restoration.refresh_from_db()
    assert restoration.document == document
    assert not AuditEntry.objects.filter(changes__icontains="000123").exists()


def test_a_document_is_restored_only_for_a_traveller_on_the_request(
    new_family: Callable[..., Family], register: Callable[..., Case], caseworker_a: User
) -> None:
    family = new_family(children=0)
    stranger = register(latin("Other", "Person")).person
    with pytest.raises(ValidationError):
        services.restoration_request(
            actor=caseworker_a,
            request=family.request,
            person=stranger,
            doc_type="return_certificate",
            requested_on=date(2019, 2, 2),
        )


def test_travel_is_refused_while_a_child_lacks_a_travel_document(
    new_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = new_family(children=2)
    restore_all(caseworker_a, Family(request=family.request, children=family.children[:1]))
    # The second child has only a birth certificate asked for: not a travel document.
    services.restoration_request(
        actor=caseworker_a,
        request=family.request,
        person=family.children[1].person,
        doc_type="birth_certificate",
        requested_on=date(2019, 2, 2),
    )
    with pytest.raises(ValidationError) as error:
        services.travel_arrange(actor=caseworker_a, request=family.request, travel_on=date(2019, 4, 1))
    assert "1 traveller" in error.value.message_dict["travel_on"][0]
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.DOCUMENTS_IN_PROGRESS


def test_the_whole_flow_ends_with_every_case_evacuated_on_the_arrival_date_and_received(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=2)
    restore_all(caseworker_a, family)
    services.travel_arrange(
        actor=caseworker_a, request=family.request, travel_on=date(2019, 4, 10), travel_details="Istanbul–Capital"
    )
    request = services.arrival_record(
        actor=caseworker_a, request=family.request, arrived_on=date(2019, 4, 11), arrival_place=places.airport
    )
    assert request.status == SelfReturnStatus.ARRIVED and request.arrival_place == places.airport
    for pk in [family.request.case_id, *(m.case_id for m in family.children)]:
        case = Case.objects.get(pk=pk)
        assert case.state == CaseState.RECEIVED
        assert case.evacuated_on == date(2019, 4, 11)


def test_arrival_is_all_or_nothing_when_a_childs_case_moved_on(
    new_family: Callable[..., Family], caseworker_a: User, places: Places
) -> None:
    family = new_family(children=2)
    restore_all(caseworker_a, family)
    services.travel_arrange(actor=caseworker_a, request=family.request, travel_on=date(2019, 4, 10))
    case_transition(
        actor=caseworker_a, case=case_of(family.children[1]), transition="withdraw", reason="Father objects"
    )
    before = (_states(family), CaseEvent.objects.count())
    with pytest.raises(ValidationError):
        services.arrival_record(
            actor=caseworker_a, request=family.request, arrived_on=date(2019, 4, 11), arrival_place=places.airport
        )
    assert (_states(family), CaseEvent.objects.count()) == before
    assert SelfReturnRequest.objects.get(pk=family.request.pk).status == SelfReturnStatus.TRAVEL_ARRANGED
    assert Case.objects.get(pk=family.request.case_id).evacuated_on is None


def test_arrival_is_all_or_nothing_when_a_childs_case_went_to_another_agency(
    new_family: Callable[..., Family],
    caseworker_a: User,
    supervisor_a: User,
    caseworker_b: User,
    places: Places,
) -> None:
    family = new_family(children=2)
    restore_all(caseworker_a, family)
    services.travel_arrange(actor=caseworker_a, request=family.request, travel_on=date(2019, 4, 10))
    moved = case_of(family.children[0])
    Case.objects.filter(pk=moved.pk).update(responsible_agency=caseworker_b.agency, team=None, caseworker=caseworker_b)
    before = _states(family)
    with pytest.raises(PermissionDenied):
        services.arrival_record(
            actor=caseworker_a, request=family.request, arrived_on=date(2019, 4, 11), arrival_place=places.airport
        )
    assert _states(family) == before


def test_a_step_on_an_older_version_of_the_request_is_refused(
    new_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = new_family(children=0)
    stale = family.request.version
    services.restoration_request(
        actor=caseworker_a,
        request=family.request,
        person=family.request.applicant,
        doc_type="birth_certificate",
        requested_on=date(2019, 2, 2),
    )
    with pytest.raises(Conflict):
        services.restoration_request(
            actor=caseworker_a,
            request=family.request,
            person=family.request.applicant,
            doc_type="return_certificate",
            requested_on=date(2019, 2, 2),
            expected_version=stale,
        )


def test_withdrawing_puts_the_consented_cases_back_to_consent_pending(
    new_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = new_family(children=1)
    services.self_return_withdraw(actor=caseworker_a, request=family.request, reason="Left the consulate")
    assert _states(family) == [CaseState.CONSENT_PENDING, CaseState.CONSENT_PENDING]
    with pytest.raises(ValidationError):
        services.self_return_withdraw(actor=caseworker_a, request=family.request, reason="again")


def test_another_agencys_caseworker_and_a_statistician_may_not_work_on_the_request(
    new_family: Callable[..., Family], caseworker_b: User, statistician: User
) -> None:
    family = new_family(children=0)
    for outsider in (caseworker_b, statistician):
        with pytest.raises(PermissionDenied):
            services.restoration_request(
                actor=outsider,
                request=family.request,
                person=family.request.applicant,
                doc_type="return_certificate",
                requested_on=date(2019, 2, 2),
            )
    with pytest.raises(PermissionDenied):
        services.self_return_register(
            actor=statistician,
            consulate=family.request.consulate,
            requested_on=date(2019, 2, 1),
            names=[latin("X", "Y")],
        )


def test_a_new_member_other_than_a_child_must_be_registered_first(
    new_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = new_family(children=0)
    with pytest.raises(ValidationError):
        services.self_return_member_add(
            actor=caseworker_a,
            request=family.request,
            relation="spouse",
            names=[latin("Husband")],
            **child_fields(date(1985, 1, 1)),
        )


def test_a_restored_document_whose_number_is_held_out_of_reach_is_refused_and_its_review_kept(
    new_family: Callable[..., Family],
    register: Callable[..., Case],
    caseworker_a: User,
    caseworker_b: User,
    places: Places,
) -> None:
    holder = register(latin("Aigerim", "Nurlanova")).person
    people_services.document_add(
        actor=caseworker_a,
        person=holder,
        doc_type="return_certificate",
        number="RC 000123",
        issuing_state=places.home,
        status="valid",
    )
    family = new_family(children=0, actor=caseworker_b)
    restoration = services.restoration_request(
        actor=caseworker_b,
        request=family.request,
        person=family.request.applicant,
        doc_type="return_certificate",
        requested_on=date(2019, 2, 2),
    )
    with pytest.raises(ValidationError) as refused:
        services.restoration_issue(
            actor=caseworker_b,
            restoration=restoration,
            issued_on=date(2019, 3, 1),
            number="rc000123",
            issuing_state=places.home,
        )
    assert refused.value.message_dict["number"] == [
        "This number cannot be recorded here — it was sent to the civil registry officer for review."
    ]
    restoration.refresh_from_db()
    assert restoration.document is None
    review = DocumentNumberReview.objects.get()
    assert (review.held_by, review.requested_for) == (holder, family.request.applicant)
