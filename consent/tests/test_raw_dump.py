"""The panel's decision, reasons and external members, written through the service, are absent from a raw copy
of the database (the SQLite image, a pg_dump)."""

from datetime import date

import pytest

from access.models import User
from casework.models import Case
from consent.models import PanelDecision
from consent.services import best_interests_decide
from core.tests.test_raw_dump import assert_absent, assert_sealed, raw_dump

EXTERNAL = "Canary-Commissioner-ZR8T, children's rights office"
REASONS = "Canary-Reasons-MK5D: no relative can care for him"


@pytest.mark.django_db(transaction=True)
def test_the_panels_decision_and_members_are_absent_from_a_raw_dump(
    orphan: Case, supervisor_a: User, manager_a: User
) -> None:
    panel = best_interests_decide(
        actor=supervisor_a,
        child=orphan.person,
        decided_on=date(2024, 3, 4),
        members=[supervisor_a, manager_a],
        decision=PanelDecision.DO_NOT_RETURN,
        reasons=REASONS,
        external_members=EXTERNAL,
    )

    dump = raw_dump()

    assert b"Alone" in dump  # the child's name is not encrypted: the dump was read
    for canary in (EXTERNAL, REASONS, PanelDecision.DO_NOT_RETURN.value):
        assert_absent(dump, canary)
    assert_sealed(panel)
