"""A change set's entries are appended in one step: one lock of the chain head, one insert (decision 0037)."""

from typing import Any

import pytest
from django.db import transaction

from access.models import User
from audit.models import AuditAction, AuditEntry
from audit.services import AuditItem, audit_batch, audit_record, audit_record_many
from audit.verification import chain_verify

pytestmark = pytest.mark.django_db


def test_many_entries_are_appended_with_one_lock_of_the_head_and_the_chain_verifies(
    caseworker_a: User, chain_appends: list[int]
) -> None:
    items = [AuditItem(action=AuditAction.VIEW, person_id=n, changes={"n": [None, n]}) for n in range(1, 51)]
    entries = audit_record_many(actor=caseworker_a, items=items)
    assert len(chain_appends) == 1
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 50))
    assert AuditEntry.objects.filter(action=AuditAction.VIEW).count() == 50
    assert chain_verify().intact


def test_entries_written_inside_a_batch_are_appended_once_when_it_ends(
    caseworker_a: User, chain_appends: list[int]
) -> None:
    with transaction.atomic(), audit_batch():
        for n in range(1, 11):
            audit_record(actor=caseworker_a, action=AuditAction.VIEW, person_id=n)
        with audit_batch():  # nested: appended with the outer batch
            audit_record(actor=caseworker_a, action=AuditAction.VIEW, person_id=11)
        assert not AuditEntry.objects.exists() and chain_appends == []
    assert len(chain_appends) == 1
    assert list(AuditEntry.objects.order_by("seq").values_list("person_id", flat=True)) == list(range(1, 12))
    assert chain_verify().intact


def test_a_batch_that_fails_appends_nothing(caseworker_a: User, chain_appends: list[int]) -> None:
    def fail() -> Any:
        with transaction.atomic(), audit_batch():
            audit_record(actor=caseworker_a, action=AuditAction.VIEW, person_id=1)
            raise ValueError("refused")

    with pytest.raises(ValueError):
        fail()
    assert not AuditEntry.objects.exists() and chain_appends == []
    audit_record(actor=caseworker_a, action=AuditAction.VIEW, person_id=2)  # the chain goes on as before
    assert chain_verify().intact
