"""Who may answer for whom, what a consent holds, and how the case moves: each rule of consent.rules."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.models import User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case, CaseEvent
from casework.services import case_transition
from conftest import latin
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement, Decision, GivenBy, PanelDecision
from consent.services import best_interests_decide, consent_record, consent_record_family, consent_revisit
from people import services as people_services
from people.models import Person, VitalStatus

from .conftest import TODAY_ISH, Family


def _state(case: Case) -> str:
    return Case.objects.get(pk=case.pk).state


def _nothing_written(*cases: Case, state: str = "identified") -> None:
    assert ConsentRecord.objects.count() == 0
    assert all(_state(c) == state for c in cases)


# --- adults ------------------------------------------------------------------


def test_an_adult_consents_for_herself_and_the_case_is_consented(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    record = consent_record(
        actor=caseworker_a, person=family.mother.person, decision="consent", given_by="self", **answer()
    )
    assert _state(family.mother) == "consented"
    steps = list(CaseEvent.objects.filter(case=family.mother, kind="transition").values_list("to_state", flat=True))
    assert sorted(steps) == ["consent_pending", "consented"]  # asked first, then consented, through case_transition
    entry = AuditEntry.objects.get(object_type="consent.consentrecord", object_id=str(record.pk))
    assert entry.action == AuditAction.CREATE and entry.changes["decision"] == [None, "consent"]


def test_an_adult_cannot_be_answered_for_by_someone_else(
    family: Family, register: Callable[..., Case], caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    sister = register(latin("Dana", "Nurlanova"))
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=family.mother.person,
            decision="consent",
            given_by="mother",
            representative=sister.person,
            **answer(),
        )
    assert "given_by" in error.value.message_dict
    _nothing_written(family.mother)


def test_a_person_of_unknown_age_cannot_answer_until_the_age_is_recorded(
    register: Callable[..., Case], caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    unknown = register(latin("Zhanna", "Unknown"), born=None)
    with pytest.raises(ValidationError) as error:
        consent_record(actor=caseworker_a, person=unknown.person, decision="consent", given_by="self", **answer())
    assert "person" in error.value.message_dict
    _nothing_written(unknown)


# --- children ------------------------------------------------------------------


def test_a_child_answers_through_the_mother(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    record = consent_record(
        actor=caseworker_a,
        person=family.child.person,
        decision="consent",
        given_by="mother",
        representative=family.mother.person,
        **answer(),
    )
    assert record.representative == family.mother.person
    assert _state(family.child) == "consented"


def test_a_child_cannot_answer_alone(family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(actor=caseworker_a, person=family.child.person, decision="consent", given_by="self", **answer())
    assert "given_by" in error.value.message_dict
    _nothing_written(family.child)


def test_only_the_recorded_mother_answers_for_the_child(
    family: Family, register: Callable[..., Case], caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    other_woman = register(latin("Gulnara", "Other"))
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=family.child.person,
            decision="consent",
            given_by="mother",
            representative=other_woman.person,
            **answer(),
        )
    assert "representative" in error.value.message_dict
    _nothing_written(family.child)


def test_a_legal_guardian_answers_for_a_child_with_a_living_mother_elsewhere(
    family: Family, register: Callable[..., Case], caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    grandmother = register(latin("Bibigul", "Nurlanova"), born=date(1960, 1, 1))
    people_services.relationship_add(
        actor=caseworker_a, subject=grandmother.person, obj=family.child.person, kind="guardian"
    )
    consent_record(
        actor=caseworker_a,
        person=family.child.person,
        decision="consent",
        given_by="guardian",
        representative=grandmother.person,
        **answer(),
    )
    assert _state(family.child) == "consented"


def test_a_dead_mother_cannot_answer_and_the_child_goes_to_the_panel(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    Person.objects.filter(pk=family.mother.person_id).update(vital_status=VitalStatus.DEAD)
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=family.child.person,
            decision="consent",
            given_by="mother",
            representative=family.mother.person,
            **answer(),
        )
    assert "given_by" in error.value.message_dict


# --- orphans and the panel ------------------------------------------------------------------


def _panel(child: Case, supervisor: User, members: list[User], decision: str = PanelDecision.RETURN) -> Any:
    return best_interests_decide(
        actor=supervisor,
        child=child.person,
        decided_on=TODAY_ISH,
        members=members,
        decision=decision,
        reasons="No relative can care for him in the camp; the grandmother at home asks for him.",
    )


def test_an_orphan_is_answered_for_only_through_the_panel(
    orphan: Case, caseworker_a: User, supervisor_a: User, manager_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(actor=caseworker_a, person=orphan.person, decision="consent", given_by="self", **answer())
    assert "given_by" in error.value.message_dict
    decision = _panel(orphan, supervisor_a, [supervisor_a, manager_a])
    record = consent_record(
        actor=caseworker_a,
        person=orphan.person,
        decision="consent",
        given_by=GivenBy.BEST_INTERESTS_PANEL,
        best_interests_decision=decision,
        **answer(),
    )
    assert record.best_interests_decision == decision and _state(orphan) == "consented"


def test_the_panel_needs_two_distinct_members(orphan: Case, supervisor_a: User, manager_a: User) -> None:
    with pytest.raises(ValidationError) as error:
        _panel(orphan, supervisor_a, [manager_a, manager_a])
    assert "members" in error.value.message_dict
    assert not BestInterestsDecision.objects.exists()


def test_the_recorder_alone_is_no_panel(orphan: Case, supervisor_a: User) -> None:
    with pytest.raises(ValidationError) as error:
        _panel(orphan, supervisor_a, [supervisor_a, supervisor_a])
    assert "members" in error.value.message_dict


def test_every_panel_member_holds_the_mandate(orphan: Case, supervisor_a: User, caseworker_a: User) -> None:
    with pytest.raises(ValidationError) as error:
        _panel(orphan, supervisor_a, [supervisor_a, caseworker_a])
    assert "members" in error.value.message_dict


def test_only_holders_of_the_capability_record_a_panel_decision(
    orphan: Case, caseworker_a: User, supervisor_a: User, manager_a: User
) -> None:
    with pytest.raises(PermissionDenied):
        _panel(orphan, caseworker_a, [supervisor_a, manager_a])


def test_the_panel_does_not_decide_for_a_child_with_a_mother(
    family: Family, supervisor_a: User, manager_a: User
) -> None:
    with pytest.raises(ValidationError) as error:
        _panel(family.child, supervisor_a, [supervisor_a, manager_a])
    assert "child" in error.value.message_dict


def test_a_panel_decision_not_to_return_cannot_ground_a_consent(
    orphan: Case, caseworker_a: User, supervisor_a: User, manager_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    decision = _panel(orphan, supervisor_a, [supervisor_a, manager_a], PanelDecision.DO_NOT_RETURN)
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=orphan.person,
            decision="consent",
            given_by="panel",
            best_interests_decision=decision,
            **answer(),
        )
    assert "best_interests_decision" in error.value.message_dict
    _nothing_written(orphan)


def test_the_panel_decision_is_audited_without_its_contents(orphan: Case, supervisor_a: User, manager_a: User) -> None:
    decision = _panel(orphan, supervisor_a, [supervisor_a, manager_a])
    entry = AuditEntry.objects.get(object_type="consent.bestinterestsdecision", object_id=str(decision.pk))
    assert entry.changes["reasons"] == ["***", "***"] and entry.changes["decision"] == ["***", "***"]
    assert "grandmother" not in str(entry.changes)


# --- what a consent holds ------------------------------------------------------------------


def test_consent_needs_the_person_told_they_may_be_held_responsible(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=family.mother.person,
            decision="consent",
            given_by="self",
            **answer(told_may_be_held_responsible=False),
        )
    assert "told_may_be_held_responsible" in error.value.message_dict
    _nothing_written(family.mother)


def test_consent_needs_a_witness(family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a, person=family.mother.person, decision="consent", given_by="self", **answer(witness=" ")
        )
    assert "witness" in error.value.message_dict
    _nothing_written(family.mother)


def test_a_statement_in_another_language_needs_an_interpreter(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=family.mother.person,
            decision="consent",
            given_by="self",
            **answer(language="uz"),
        )
    assert "interpreter" in error.value.message_dict
    record = consent_record(
        actor=caseworker_a,
        person=family.mother.person,
        decision="consent",
        given_by="self",
        **answer(language="uz", interpreter="Interpreter Dilnoza"),
    )
    assert record.language == "uz"


def test_a_retired_statement_cannot_be_used(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]], statement_en: ConsentStatement
) -> None:
    ConsentStatement.objects.filter(pk=statement_en.pk).update(active=False)
    statement_en.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        consent_record(actor=caseworker_a, person=family.mother.person, decision="consent", given_by="self", **answer())
    assert "statement" in error.value.message_dict


def test_a_date_in_the_future_is_refused(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a,
            person=family.mother.person,
            decision="consent",
            given_by="self",
            **answer(recorded_on=date(2999, 1, 1)),
        )
    assert "recorded_on" in error.value.message_dict


# --- refusals, revisits, withdrawals ------------------------------------------------------------------


def test_a_refusal_needs_a_reason_and_refuses_the_case(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(actor=caseworker_a, person=family.mother.person, decision="refusal", given_by="self", **answer())
    assert "reason" in error.value.message_dict
    _nothing_written(family.mother)
    consent_record(
        actor=caseworker_a,
        person=family.mother.person,
        decision="refusal",
        given_by="self",
        **answer(reason="Wishes to stay with her husband's family", told_may_be_held_responsible=False),
    )
    assert _state(family.mother) == "refused"


def test_a_refusal_is_revisited_with_a_reason_and_a_new_record_follows(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    person = family.mother.person
    consent_record(
        actor=caseworker_a, person=person, decision="refusal", given_by="self", **answer(reason="Afraid of prison")
    )
    with pytest.raises(ValidationError):  # no consent over a standing refusal
        consent_record(actor=caseworker_a, person=person, decision="consent", given_by="self", **answer())
    with pytest.raises(ValidationError) as error:
        consent_revisit(actor=caseworker_a, person=person, reason="  ")
    assert "reason" in error.value.message_dict
    consent_revisit(actor=caseworker_a, person=person, reason="Her mother at home asked the ministry again")
    assert _state(family.mother) == "consent_pending"
    consent_record(actor=caseworker_a, person=person, decision="consent", given_by="self", **answer())
    assert _state(family.mother) == "consented"
    assert list(ConsentRecord.objects.filter(person=person).order_by("id").values_list("decision", flat=True)) == [
        "refusal",
        "consent",
    ]


def test_consent_is_withdrawn_before_departure_with_a_reason(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    person = family.mother.person
    consent_record(actor=caseworker_a, person=person, decision="consent", given_by="self", **answer())
    with pytest.raises(ValidationError) as error:
        consent_record(actor=caseworker_a, person=person, decision="withdrawal", given_by="self", **answer())
    assert "reason" in error.value.message_dict
    consent_record(
        actor=caseworker_a,
        person=person,
        decision="withdrawal",
        given_by="self",
        **answer(reason="Changed her mind", statement=None),
    )
    assert _state(family.mother) == "consent_pending"


def test_consent_cannot_be_withdrawn_once_evacuated(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    person = family.mother.person
    consent_record(actor=caseworker_a, person=person, decision="consent", given_by="self", **answer())
    case_transition(actor=caseworker_a, case=family.mother, transition="evacuate", on=date(2024, 3, 10))
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=caseworker_a, person=person, decision="withdrawal", given_by="self", **answer(reason="Too late")
        )
    assert "decision" in error.value.message_dict
    assert _state(family.mother) == "evacuated" and ConsentRecord.objects.count() == 1


def test_nothing_to_withdraw_without_a_consent(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError):
        consent_record(
            actor=caseworker_a,
            person=family.mother.person,
            decision="withdrawal",
            given_by="self",
            **answer(reason="x"),
        )


# --- the family act ------------------------------------------------------------------


def test_the_mother_consents_for_herself_and_her_children_in_one_act(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    records = consent_record_family(
        actor=caseworker_a, mother=family.mother.person, children=[family.child.person], **answer()
    )
    assert [(r.person_id, r.given_by) for r in records] == [
        (family.mother.person_id, "self"),
        (family.child.person_id, "mother"),
    ]
    assert _state(family.mother) == _state(family.child) == "consented"


def test_the_family_act_is_all_or_nothing(
    family: Family, register: Callable[..., Case], caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    not_hers = register(latin("Timur", "Other"), sex="M", born=date(2016, 1, 1))
    with pytest.raises(ValidationError) as error:
        consent_record_family(
            actor=caseworker_a,
            mother=family.mother.person,
            children=[family.child.person, not_hers.person],
            **answer(),
        )
    assert "children" in error.value.message_dict
    _nothing_written(family.mother, family.child, not_hers)


# --- who may record ------------------------------------------------------------------


def test_another_agency_cannot_record(
    family: Family, caseworker_b: User, answer: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(PermissionDenied):
        consent_record(actor=caseworker_b, person=family.mother.person, decision="consent", given_by="self", **answer())
    _nothing_written(family.mother)


def test_a_role_that_cannot_move_cases_cannot_record(
    family: Family, make_user: Callable[..., User], answer: Callable[..., dict[str, Any]]
) -> None:
    registry = make_user(Role.REGISTRY_OFFICER)
    from casework.models import CaseAssignment

    CaseAssignment.objects.create(case=family.mother, user=registry, purpose="birth registration")
    with pytest.raises(PermissionDenied):
        consent_record(actor=registry, person=family.mother.person, decision="consent", given_by="self", **answer())
    _nothing_written(family.mother)


def test_decision_values_are_the_three_answers() -> None:
    assert set(Decision.values) == {"consent", "refusal", "withdrawal"}


def test_a_panel_of_more_than_20_members_is_refused_and_nothing_is_written(
    orphan: Case, supervisor_a: User, make_user: Callable[..., User]
) -> None:
    from consent.rules import MAX_PANEL_MEMBERS

    members = [make_user(Role.SUPERVISOR, username=f"panel{i}") for i in range(MAX_PANEL_MEMBERS + 1)]
    with pytest.raises(ValidationError) as error:
        _panel(orphan, supervisor_a, members)
    assert "members" in error.value.message_dict
    assert not BestInterestsDecision.objects.exists()


def test_the_family_act_appends_its_audit_entries_in_one_step(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]], chain_appends: list[int]
) -> None:
    consent_record_family(actor=caseworker_a, mother=family.mother.person, children=[family.child.person], **answer())
    assert len(chain_appends) == 1
    recorded = AuditEntry.objects.filter(object_type="consent.consentrecord")
    assert set(recorded.values_list("person_id", flat=True)) == {family.mother.person_id, family.child.person_id}
