"""Executing a wave: every member evacuated on the arrival date, in one transaction, or nobody."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from access.models import User
from audit.models import AuditEntry
from audit.verification import chain_verify
from casework.models import Case
from casework.services import case_transition
from casework.transitions import CaseState
from core.errors import Conflict
from operations import services
from operations.models import Wave, WaveStatus
from operations.tests.conftest import Family

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(wave: Wave, make_family: Callable[..., Family], supervisor_a: User) -> tuple[Wave, list[Family]]:
    families = [make_family(children=2), make_family(children=1)]
    for family in families:
        services.wave_members_add(
            actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id], include_children=True
        )
    wave.refresh_from_db()
    return wave, families


def states(families: list[Family]) -> set[str]:
    ids = [pid for f in families for pid in f.person_ids]
    return set(Case.objects.filter(person_id__in=ids).values_list("state", flat=True))


def test_executing_marks_every_member_evacuated_on_the_arrival_date(
    planned: tuple[Wave, list[Family]], supervisor_a: User
) -> None:
    wave, families = planned
    services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version)
    wave.refresh_from_db()
    assert wave.status == WaveStatus.EXECUTED and wave.executed_by == supervisor_a and wave.executed_at
    cases = Case.objects.filter(person_id__in=[p for f in families for p in f.person_ids])
    assert {(c.state, c.evacuated_on) for c in cases} == {(CaseState.EVACUATED, date(2019, 5, 9))}
    assert AuditEntry.objects.filter(action="transition", object_type="casework.case").count() >= 5
    assert AuditEntry.objects.filter(action="transition", object_type="operations.wave").exists()


def test_one_member_whose_consent_was_withdrawn_blocks_everybody_and_is_named(
    planned: tuple[Wave, list[Family]], supervisor_a: User, caseworker_a: User
) -> None:
    wave, families = planned
    case_transition(actor=caseworker_a, case=families[1].children[0], transition="withdraw", reason="Father refuses")
    with pytest.raises(ValidationError) as refused:
        services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version)
    assert "Nobody was marked evacuated" in str(refused.value)
    assert "Child2x0 Family" in str(refused.value)
    assert states(families) == {CaseState.CONSENTED, CaseState.CONSENT_PENDING}
    wave.refresh_from_db()
    assert wave.status == WaveStatus.PLANNED
    assert not Case.objects.filter(state=CaseState.EVACUATED).exists()


def test_a_failure_in_the_middle_rolls_back_the_members_already_moved(
    planned: tuple[Wave, list[Family]], supervisor_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing even when a transition fails after others succeeded (e.g. the case changed under us)."""
    wave, families = planned
    from operations import services as module

    real = module.case_transition
    calls = {"n": 0}

    def flaky(**kwargs: object) -> Case:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationError({"transition": "The case changed meanwhile."})
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "case_transition", flaky)
    with pytest.raises(ValidationError):
        services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version)
    assert states(families) == {CaseState.CONSENTED}
    wave.refresh_from_db()
    assert wave.status == WaveStatus.PLANNED


def test_a_stale_version_executes_nothing(planned: tuple[Wave, list[Family]], supervisor_a: User) -> None:
    wave, families = planned
    with pytest.raises(Conflict):
        services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version - 1)
    assert states(families) == {CaseState.CONSENTED}


def test_an_executed_wave_cannot_be_changed_or_executed_again(
    planned: tuple[Wave, list[Family]], supervisor_a: User, make_family: Callable[..., Family]
) -> None:
    wave, _ = planned
    wave = services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version)
    newcomer = make_family(children=0)
    attempts = [
        lambda: services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version),
        lambda: services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[newcomer.mother.person_id]),
        lambda: services.wave_members_remove(actor=supervisor_a, wave=wave, person_ids=[newcomer.mother.person_id]),
        lambda: services.wave_update(actor=supervisor_a, wave=wave, capacity=500),
        lambda: services.wave_cancel(actor=supervisor_a, wave=wave, reason="Too late"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="can no longer be changed"):
            attempt()
    wave.refresh_from_db()
    assert wave.capacity == 50 and wave.status == WaveStatus.EXECUTED


def test_a_wave_is_not_executed_before_it_arrives(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    wave = make_wave(on=date(2099, 1, 1))
    family = make_family(children=0)
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[family.mother.person_id])
    wave.refresh_from_db()
    with pytest.raises(ValidationError, match="can be executed from that day"):
        services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version)


def test_executing_a_wave_appends_its_audit_entries_in_one_step(
    planned: tuple[Wave, list[Family]], supervisor_a: User, chain_appends: list[int]
) -> None:
    wave, families = planned
    services.wave_execute(actor=supervisor_a, wave=wave, version=wave.version)
    assert len(chain_appends) == 1
    persons = {p for f in families for p in f.person_ids}
    moved = AuditEntry.objects.filter(action="transition", object_type="casework.case")
    assert set(moved.values_list("person_id", flat=True)) == persons  # still one entry per person
    assert chain_verify().intact
