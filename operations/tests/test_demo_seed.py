"""The demo's operation: four executed waves carrying exactly the 595 evacuated, and an empty fifth wave."""

import pytest

from casework.models import Case
from demo.builder import WAVES, build_demo
from operations import demo, selectors
from operations.models import Operation, WaveStatus


@pytest.mark.django_db
def test_the_demo_operation_has_four_executed_waves_with_the_evacuated_and_a_fifth_to_plan() -> None:
    users = build_demo()
    if not Operation.objects.filter(code="ZHUSAN-2019").exists():  # build_demo runs the programme seeds once wired
        demo.seed(users)
    operation = Operation.objects.get(name="Zhusan 2019")
    assert operation.lead_agency.short_name == "MFA"
    waves = list(operation.waves.order_by("number"))
    assert [w.name for w in waves] == ["Zhusan-1", "Zhusan-2", "Zhusan-3", "Zhusan-4", "Zhusan-5"]
    carried = selectors.wave_members_by_wave(operation.pk)
    assert [w.name for w in carried] == ["Zhusan-1", "Zhusan-2", "Zhusan-3", "Zhusan-4"]
    for wave, (on, _) in zip(waves[:4], WAVES, strict=True):
        expected = set(Case.objects.filter(evacuated_on=on).values_list("person_id", flat=True))
        assert set(carried[wave]) == expected and wave.arrives_on == on == wave.departs_on
        assert wave.status == WaveStatus.EXECUTED and wave.capacity >= len(expected)
    assert sum(len(ids) for ids in carried.values()) == 595
    assert waves[4].status == WaveStatus.PLANNED and not waves[4].members.exists()
    assert waves[0].origin.name == "Qamishli airport" and waves[0].destination.name == "Aktau"
