"""Planning a wave: consent required, capacity, families kept together, only persons within reach."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.models import Agency, User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import Case
from casework.services import case_transition
from operations import services
from operations.models import Wave, WaveMember
from operations.tests.conftest import Family

pytestmark = pytest.mark.django_db


def members(wave: Wave) -> set[int]:
    return set(wave.members.filter(active=True).values_list("person_id", flat=True))


def test_a_mother_is_added_with_her_consented_children(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=2)
    added = services.wave_members_add(
        actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id], include_children=True
    )
    assert {m.person_id for m in added} == set(family.person_ids)
    assert AuditEntry.objects.filter(action="create", object_type="operations.wavemember").count() == 3
    wave.refresh_from_db()
    assert wave.version == 2  # every change of the members raises the version


def test_children_linked_only_by_the_case_or_only_by_a_relationship_count_as_hers(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    by_case = make_family(children=1, link="case")
    by_relationship = make_family(children=1, link="relationship")
    for family in (by_case, by_relationship):
        services.wave_members_add(
            actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id], include_children=True
        )
    assert members(wave) == set(by_case.person_ids) | set(by_relationship.person_ids)


def test_a_person_without_valid_consent_is_refused_with_their_name(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=0, consented=False)
    with pytest.raises(ValidationError) as refused:
        services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id])
    message = str(refused.value)
    assert "No valid consent" in message and "Mother1 Family" in message
    assert members(wave) == set()


def test_consent_withdrawn_means_no_planning(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User, caseworker_a: User
) -> None:
    family = make_family(children=0)
    case_transition(actor=caseworker_a, case=family.mother, transition="withdraw", reason="Changed her mind")
    with pytest.raises(ValidationError, match="No valid consent"):
        services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id])


def test_over_capacity_is_refused_with_the_figures(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    wave = make_wave(capacity=3)
    first = make_family(children=1)
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[first.mother.person_id], include_children=True)
    second = make_family(children=1)
    with pytest.raises(ValidationError) as refused:
        services.wave_members_add(
            actor=supervisor_a, wave=wave, person_ids=[second.mother.person_id], include_children=True
        )
    message = str(refused.value)
    assert "Over capacity" in message and "takes 3 persons, 2 are already planned" in message and "add 2" in message
    assert members(wave) == set(first.person_ids)


def test_capacity_cannot_be_lowered_below_the_persons_planned(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=2)
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=family.person_ids)
    with pytest.raises(ValidationError, match="capacity cannot be lower"):
        services.wave_update(actor=supervisor_a, wave=wave, capacity=2)


def test_a_child_without_the_mother_is_refused(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=1)
    with pytest.raises(ValidationError) as refused:
        services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[family.children[0].person_id])
    assert "travels with the mother or guardian" in str(refused.value)
    assert "Child1x0 Family" in str(refused.value)
    assert members(wave) == set()


def test_a_child_whose_mother_is_on_another_wave_is_refused_unless_a_reason_is_recorded(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    first, second = make_wave(), make_wave()
    family = make_family(children=1)
    services.wave_members_add(actor=supervisor_a, wave=first, person_ids=[family.mother.person_id])
    child = family.children[0].person_id
    with pytest.raises(ValidationError, match="travels with the mother"):
        services.wave_members_add(actor=supervisor_a, wave=second, person_ids=[child])
    services.wave_members_add(
        actor=supervisor_a, wave=second, person_ids=[child], separation_reason="Hospitalised, follows with an aunt"
    )
    member = WaveMember.objects.get(person_id=child)
    assert member.wave == second and member.separation_reason == "Hospitalised, follows with an aunt"


def test_a_mother_is_not_put_on_another_wave_than_her_planned_children(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    first, second = make_wave(), make_wave()
    family = make_family(children=1)
    services.wave_members_add(
        actor=supervisor_a, wave=first, person_ids=[family.children[0].person_id], separation_reason="Sick mother"
    )
    with pytest.raises(ValidationError, match="apart from"):
        services.wave_members_add(actor=supervisor_a, wave=second, person_ids=[family.mother.person_id])


def test_a_person_is_on_one_wave_only(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    first, second = make_wave(), make_wave()
    family = make_family(children=0)
    services.wave_members_add(actor=supervisor_a, wave=first, person_ids=[family.mother.person_id])
    with pytest.raises(ValidationError, match="Already planned"):
        services.wave_members_add(actor=supervisor_a, wave=second, person_ids=[family.mother.person_id])


def test_a_cancelled_wave_frees_its_persons(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    first, second = make_wave(), make_wave()
    family = make_family(children=0)
    services.wave_members_add(actor=supervisor_a, wave=first, person_ids=[family.mother.person_id])
    first.refresh_from_db()
    services.wave_cancel(actor=supervisor_a, wave=first, expected_version=first.version, reason="Airport closed")
    services.wave_members_add(actor=supervisor_a, wave=second, person_ids=[family.mother.person_id])
    assert members(second) == {family.mother.person_id}


def test_removing_a_mother_with_her_children_on_the_wave_is_refused_unless_they_go_too(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=2)
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=family.person_ids)
    with pytest.raises(ValidationError, match="Remove the children too"):
        services.wave_members_remove(actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id])
    assert members(wave) == set(family.person_ids)
    removed = services.wave_members_remove(
        actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id], include_children=True
    )
    assert removed == 3 and members(wave) == set()


def test_a_stale_version_is_refused(wave: Wave, make_family: Callable[..., Family], supervisor_a: User) -> None:
    from core.errors import Conflict

    family = make_family(children=0)
    with pytest.raises(Conflict):
        services.wave_members_add(
            actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id], expected_version=wave.version + 1
        )


def test_only_holders_of_the_operations_capability_plan(
    wave: Wave, make_family: Callable[..., Family], caseworker_a: User
) -> None:
    family = make_family(children=0)
    with pytest.raises(PermissionDenied):
        services.wave_members_add(actor=caseworker_a, wave=wave, person_ids=[family.mother.person_id])


def test_a_planner_of_another_agency_may_not_plan_this_operation(
    wave: Wave, make_family: Callable[..., Family], make_user: Callable[..., User], agency_b: Agency
) -> None:
    family = make_family(children=0)
    planner_b = make_user(Role.SUPERVISOR, agency=agency_b)
    with pytest.raises(PermissionDenied):
        services.wave_members_add(actor=planner_b, wave=wave, person_ids=[family.mother.person_id])


def test_a_partner_agencys_planner_adds_only_persons_within_reach(
    wave: Wave, make_family: Callable[..., Family], make_user: Callable[..., User], agency_b: Agency, supervisor_a: User
) -> None:
    services.operation_update(actor=supervisor_a, operation=wave.operation, partner_agencies=[agency_b])
    family = make_family(children=0)
    planner_b = make_user(Role.SUPERVISOR, agency=agency_b)
    with pytest.raises(ValidationError, match="within your reach"):
        services.wave_members_add(actor=planner_b, wave=wave, person_ids=[family.mother.person_id])


def test_an_operation_is_led_by_the_creators_own_agency(supervisor_a: User, agency_b: Agency) -> None:
    with pytest.raises(ValidationError, match="your own agency"):
        services.operation_create(
            actor=supervisor_a, name="X", code="X", starts_on=date(2020, 1, 1), lead_agency=agency_b
        )


def test_a_refusal_never_names_a_mother_outside_the_planners_reach(
    wave: Wave,
    register: Callable[..., Case],
    caseworker_a: User,
    caseworker_b: User,
    supervisor_a: User,
) -> None:
    from conftest import latin
    from operations.tests.conftest import consent
    from people.models import Relationship

    mother_b = register(latin("Secretmother", "Other"), actor=caseworker_b)
    child = consent(register(latin("Amina", "Other"), born=date(2015, 1, 1)), caseworker_a)
    Relationship.objects.create(subject=mother_b.person, object=child.person, kind="mother")
    with pytest.raises(ValidationError) as refused:
        services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[child.person_id])
    message = str(refused.value)
    assert "a person outside your reach" in message and "Secretmother" not in message
