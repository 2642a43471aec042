"""The demo's consent records: every evacuated person consented before their wave, six refusals, four new families."""

import time

import pytest
from django.db import transaction

from audit.models import AuditEntry
from casework.models import Case
from consent import demo
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement
from demo.builder import build_demo


@pytest.mark.django_db
def test_the_demo_seed_records_every_answer_of_the_operation() -> None:
    users = build_demo(programme=False)
    started = time.monotonic()
    demo.seed(users)
    assert time.monotonic() - started < 10
    assert set(ConsentStatement.objects.values_list("language", flat=True)) == {"en", "ru", "kk"}
    evacuated = Case.objects.filter(evacuated_on__isnull=False)
    assert evacuated.count() == 595
    consents = ConsentRecord.objects.filter(decision="consent", case__evacuated_on__isnull=False)
    assert consents.count() == 595
    assert all(r.case.evacuated_on and r.recorded_on < r.case.evacuated_on for r in consents.select_related("case"))
    assert set(consents.values_list("place__name", flat=True)) <= {"al-Hol", "Roj"}
    assert consents.filter(given_by="panel").count() == BestInterestsDecision.objects.count() == 31
    panel = BestInterestsDecision.objects.first()
    assert panel is not None and set(panel.members.values_list("username", flat=True)) == {"supervisor", "manager"}
    refusals = ConsentRecord.objects.filter(decision="refusal", given_by="self")
    assert refusals.count() == 6 and all(r.reason for r in refusals)
    new_women = Case.objects.filter(state="consented", parent_case__isnull=True, person__sex="F")
    assert new_women.count() == 4
    assert not Case.objects.filter(parent_case__in=new_women).exclude(state="consented").exists()
    assert ConsentRecord.objects.filter(case__in=new_women, decision="consent").count() == 4
    assert AuditEntry.objects.filter(reason="Demo consent records loaded").count() == 1


@pytest.mark.django_db
def test_the_demo_seed_is_deterministic() -> None:
    users = build_demo(programme=False)

    def rows() -> list[tuple[object, ...]]:
        return list(
            ConsentRecord.objects.order_by("case__number", "decision").values_list(
                "case__number", "decision", "given_by", "recorded_on", "language", "witness", "place__name"
            )
        )

    savepoint = transaction.savepoint()
    demo.seed(users)
    first = rows()
    transaction.savepoint_rollback(savepoint)
    assert not ConsentRecord.objects.exists()
    demo.seed(users)
    assert rows() == first
