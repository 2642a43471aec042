"""Working rows of an import do not linger: purged some days after commit, discard or abandonment."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from access.models import User
from audit.models import AuditEntry
from identification import imports
from identification.models import IdentificationList, ImportBatch, ImportRow, ImportStatus
from identification.tests.conftest import csv_upload
from identification.tests.test_imports import AIGERIM, NEWCOMER, _state, _through_matching

pytestmark = pytest.mark.django_db


def _in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _committed(actor: User, id_list: IdentificationList, rows: list[list[str]]) -> ImportBatch:
    batch = _through_matching(actor, id_list, rows)
    for row in batch.rows.filter(decision=""):
        imports.import_decide(actor=actor, batch=batch, decisions=[{"row": row.number, "decision": "new"}])
    return imports.import_commit(actor=actor, batch=batch)


def test_an_old_committed_batch_loses_its_rows_and_keeps_its_summary(
    caseworker_a: User, id_list: IdentificationList
) -> None:
    batch = _committed(caseworker_a, id_list, [AIGERIM, NEWCOMER])
    summary, sha256, committed_at = batch.summary, batch.sha256, batch.committed_at
    assert imports.import_rows_purge(today=_in_days(31)) == 1
    batch.refresh_from_db()
    assert not ImportRow.objects.filter(batch=batch).exists()
    assert batch.headers == [] and batch.purged_at is not None
    assert (batch.status, batch.summary, batch.sha256, batch.committed_at) == (
        ImportStatus.COMMITTED,
        summary,
        sha256,
        committed_at,
    )
    assert batch.uploaded_by == caseworker_a and batch.rows_total == 2
    assert imports.import_rows_purge(today=_in_days(32)) == 0


def test_a_recent_batch_is_kept(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = _committed(caseworker_a, id_list, [NEWCOMER])
    assert imports.import_rows_purge(today=_in_days(30)) == 0
    batch.refresh_from_db()
    assert batch.rows.count() == 1 and batch.headers and batch.purged_at is None


@override_settings(ZHUSAN_IMPORT_ROWS_KEEP_DAYS=7)
def test_the_setting_decides_how_long(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = _committed(caseworker_a, id_list, [NEWCOMER])
    assert imports.import_rows_purge(today=_in_days(7)) == 0
    assert imports.import_rows_purge(today=_in_days(8)) == 1
    assert not batch.rows.exists()


def test_the_same_file_is_still_refused_after_the_purge(caseworker_a: User, id_list: IdentificationList) -> None:
    _committed(caseworker_a, id_list, [NEWCOMER])
    imports.import_rows_purge(today=_in_days(31))
    before = _state()
    with pytest.raises(ValidationError) as error:
        imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload([NEWCOMER]))
    assert "already imported on" in str(error.value)
    assert _state() == before


def test_an_abandoned_batch_is_discarded_and_purged(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = _through_matching(caseworker_a, id_list, [NEWCOMER])
    assert imports.import_rows_purge(today=_in_days(31)) == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED and not batch.rows.exists()
    with pytest.raises(ValidationError):  # cannot be committed empty (which would block the file for good)
        imports.import_commit(actor=caseworker_a, batch=batch)
    imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload([NEWCOMER]))  # not blocked


def test_the_audit_entry_holds_counts_and_no_cell_values(caseworker_a: User, id_list: IdentificationList) -> None:
    _committed(caseworker_a, id_list, [AIGERIM, NEWCOMER])
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    imports.import_rows_purge(today=_in_days(31))
    entries = list(AuditEntry.objects.filter(seq__gt=last.seq))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.changes["import_batches"] == [None, 1] and entry.changes["import_rows"] == [2, 0]
    written = json.dumps(entry.changes, ensure_ascii=False) + entry.reason
    for value in [*AIGERIM, *NEWCOMER]:
        if len(value) > 3:
            assert value not in written


def test_the_command_prints_the_count(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = _committed(caseworker_a, id_list, [NEWCOMER])
    ImportBatch.objects.filter(pk=batch.pk).update(committed_at=timezone.now() - timedelta(days=40))
    out = StringIO()
    call_command("import_purge", stdout=out)
    assert out.getvalue().startswith("1 import batch(es) purged")
    assert not batch.rows.exists()
