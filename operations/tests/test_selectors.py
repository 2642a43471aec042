"""What other apps read from operations: the persons each executed wave carried (for the programme summary)."""

from collections.abc import Callable

import pytest

from access.models import User
from operations import services
from operations.models import Wave
from operations.selectors import wave_members_by_wave
from operations.tests.conftest import Family

pytestmark = pytest.mark.django_db


def test_only_executed_waves_and_their_persons_are_given(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    executed, planned = make_wave(), make_wave()
    carried, waiting = make_family(children=1), make_family(children=0)
    services.wave_members_add(actor=supervisor_a, wave=executed, person_ids=carried.person_ids)
    services.wave_members_add(actor=supervisor_a, wave=planned, person_ids=waiting.person_ids)
    executed.refresh_from_db()
    services.wave_execute(actor=supervisor_a, wave=executed, version=executed.version)
    result = wave_members_by_wave(executed.operation_id)
    assert result == {executed: sorted(carried.person_ids)}
    assert wave_members_by_wave(None) == result
    assert wave_members_by_wave(executed.operation_id + 1000) == {}
