"""The import of a list: nothing written before commit, matching across scripts, all or nothing, idempotent."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from audit.verification import chain_verify
from casework.models import Case
from conftest import cyrillic, latin
from identification import imports, services
from identification.models import IdentificationList, ImportBatch, ImportStatus, ListEntry
from identification.tests.conftest import csv_upload
from people.models import Person, PersonName

AIGERIM = ["Seitkazieva", "Aigerim", "", "F", "12.03.1990", "al-Hol", "N1234567", "seen 2019"]
NEWCOMER = ["Omarova", "Zhanna", "", "F", "1988", "Roj", "", ""]


def _state() -> tuple[int, ...]:
    return (Person.objects.count(), PersonName.objects.count(), Case.objects.count(), ListEntry.objects.count())


def _through_matching(actor: User, id_list: IdentificationList, rows: list[list[str]], **kw: Any) -> ImportBatch:
    batch = imports.import_upload(actor=actor, id_list=id_list, upload=csv_upload(rows, **kw))
    batch = imports.import_map(actor=actor, batch=batch, mapping=batch.mapping)
    while batch.status != ImportStatus.MATCHED:
        batch = imports.import_match_next(actor=actor, batch=batch)
    return batch


@pytest.fixture
def aigerim(register: Callable[..., Case]) -> Case:
    return register(cyrillic("Айгерим", "Сейтказиева"), born=date(1990, 3, 12))


def test_a_latin_row_finds_the_person_registered_in_cyrillic(
    caseworker_a: User, id_list: IdentificationList, aigerim: Case, register: Callable[..., Case]
) -> None:
    register(latin("Aigerim", "Nurlanova"), born=date(1990, 3, 12))  # same given name, another family
    batch = _through_matching(caseworker_a, id_list, [AIGERIM, NEWCOMER])
    first, second = batch.rows.order_by("number")
    assert [pid for pid, _score in first.candidates] == [aigerim.person_id]
    assert first.decision == ""  # a candidate: the user must decide
    assert second.candidates == [] and second.decision == "new"  # no candidate: proposed as new


def test_a_birth_date_more_than_a_year_apart_is_not_a_candidate(
    caseworker_a: User, id_list: IdentificationList, register: Callable[..., Case]
) -> None:
    register(cyrillic("Айгерим", "Сейтказиева"), born=date(1985, 1, 1))
    batch = _through_matching(caseworker_a, id_list, [AIGERIM])
    assert batch.rows.get().candidates == []


def test_a_caseworker_of_another_agency_does_not_see_candidates_from_other_agencies(
    caseworker_b: User, aigerim: Case
) -> None:
    other_list = services.list_create(
        actor=caseworker_b, name="NGO list", source_kind="relatives_requests", received_on=date(2019, 2, 1)
    )
    batch = _through_matching(caseworker_b, other_list, [AIGERIM])
    assert batch.rows.get().candidates == []


def test_the_preview_lists_every_bad_row_with_its_reason(caseworker_a: User, id_list: IdentificationList) -> None:
    rows = [
        AIGERIM,
        ["", "", "", "F", "1990", "", "", ""],
        ["Nurlanova", "Aigerim", "", "F", "31.02.1990", "", "", ""],
        ["Nurlanova", "Amina", "", "boy?", "2015", "", "", ""],
        AIGERIM,
    ]
    batch = imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload(rows))
    batch = imports.import_map(actor=caseworker_a, batch=batch, mapping=batch.mapping)
    errors = {r.number: r.errors for r in batch.rows.all()}
    assert errors[2] == []
    assert errors[3] == ["The name is missing."]
    assert errors[4] == ["The date of birth “31.02.1990” does not exist."]
    assert errors[5] == ["The sex “boy?” is not a known value (use F or M)."]
    assert errors[6] == ["Duplicate of row 2 in this file."]
    assert batch.rows_total == 1


def test_a_mapping_without_any_name_column_is_refused(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload([AIGERIM]))
    with pytest.raises(ValidationError) as error:
        imports.import_map(actor=caseworker_a, batch=batch, mapping={"sex": 3})
    assert "family" in error.value.message_dict


def test_matching_advances_chunk_by_chunk_and_reports_progress(caseworker_a: User, id_list: IdentificationList) -> None:
    rows = [[f"Family{chr(97 + i // 26)}{chr(97 + i % 26)}", "Given", "", "F", "1990", "", "", ""] for i in range(7)]
    batch = imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload(rows))
    batch = imports.import_map(actor=caseworker_a, batch=batch, mapping=batch.mapping)
    progress = []
    while batch.status != ImportStatus.MATCHED:
        batch = imports.import_match_next(actor=caseworker_a, batch=batch, chunk=3)
        progress.append((batch.rows_done, batch.rows_total, batch.status))
    assert progress == [(3, 7, "matching"), (6, 7, "matching"), (7, 7, "matched")]


def test_nothing_is_written_before_commit_and_the_commit_writes_it_all(
    caseworker_a: User, id_list: IdentificationList, aigerim: Case
) -> None:
    before = _state()
    batch = _through_matching(caseworker_a, id_list, [AIGERIM, NEWCOMER])
    imports.import_decide(
        actor=caseworker_a, batch=batch, decisions=[{"row": 2, "decision": "same", "person": aigerim.person_id}]
    )
    assert _state() == before
    batch = imports.import_commit(actor=caseworker_a, batch=batch)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.summary == {"created": 1, "added": 1, "on_list": 0, "skipped": 0}
    entries = {e.person_id: e for e in ListEntry.objects.filter(id_list=id_list)}
    assert aigerim.person_id in entries and entries[aigerim.person_id].document_number == "N1234567"
    zhanna = PersonName.objects.get(family="Omarova").person
    assert zhanna.pk in entries and entries[zhanna.pk].confidence == "probable"
    assert Case.objects.filter(person=zhanna).exists()  # identified abroad: a case of its own
    assert zhanna.birth_date == date(1988, 7, 1) and zhanna.birth_date_precision == "year"
    assert AuditEntry.objects.filter(object_type="identification.listentry", action="create").count() == 2
    entry_audit = AuditEntry.objects.get(object_type="identification.listentry", person_id=aigerim.person_id)
    assert "N1234567" not in str(entry_audit.changes)


def test_a_row_must_be_decided_before_commit(caseworker_a: User, id_list: IdentificationList, aigerim: Case) -> None:
    batch = _through_matching(caseworker_a, id_list, [AIGERIM])
    with pytest.raises(ValidationError) as error:
        imports.import_commit(actor=caseworker_a, batch=batch)
    assert "Rows without a decision: 2" in str(error.value)


def test_only_a_proposed_candidate_may_be_chosen(
    caseworker_a: User, id_list: IdentificationList, aigerim: Case, register: Callable[..., Case]
) -> None:
    other = register(latin("Someone", "Else"))
    batch = _through_matching(caseworker_a, id_list, [AIGERIM])
    with pytest.raises(ValidationError):
        imports.import_decide(
            actor=caseworker_a, batch=batch, decisions=[{"row": 2, "decision": "same", "person": other.person_id}]
        )


def test_a_failure_midway_leaves_nothing_behind(
    caseworker_a: User, id_list: IdentificationList, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        NEWCOMER,
        ["Nurlanova", "Amina", "", "F", "2015", "", "", ""],
        ["Bekova", "Dana", "", "F", "1991", "", "", ""],
    ]
    batch = _through_matching(caseworker_a, id_list, rows)
    before = _state()
    original, calls = imports.entry_create, {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValidationError("The disk is full.")
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "entry_create", failing)
    with pytest.raises(ValidationError) as error:
        imports.import_commit(actor=caseworker_a, batch=batch)
    assert "Row 3" in str(error.value)
    assert _state() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MATCHED


def test_the_same_file_twice_adds_nothing(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = _through_matching(caseworker_a, id_list, [NEWCOMER])
    imports.import_commit(actor=caseworker_a, batch=batch)
    before = _state()
    with pytest.raises(ValidationError) as error:
        imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload([NEWCOMER]))
    assert "already imported on" in str(error.value) and id_list.name in str(error.value)
    assert _state() == before


def test_a_second_upload_of_a_file_not_yet_committed_is_refused_at_commit(
    caseworker_a: User, id_list: IdentificationList
) -> None:
    first = _through_matching(caseworker_a, id_list, [NEWCOMER])
    second = _through_matching(caseworker_a, id_list, [NEWCOMER])
    imports.import_commit(actor=caseworker_a, batch=first)
    before = _state()
    with pytest.raises(ValidationError):
        imports.import_commit(actor=caseworker_a, batch=second)
    assert _state() == before


def test_a_person_already_on_the_list_is_not_added_again(
    caseworker_a: User, id_list: IdentificationList, aigerim: Case
) -> None:
    services.list_entry_add(actor=caseworker_a, id_list=id_list, person=aigerim.person)
    batch = _through_matching(caseworker_a, id_list, [AIGERIM])
    imports.import_decide(
        actor=caseworker_a, batch=batch, decisions=[{"row": 2, "decision": "same", "person": aigerim.person_id}]
    )
    batch = imports.import_commit(actor=caseworker_a, batch=batch)
    assert batch.summary["on_list"] == 1
    assert ListEntry.objects.filter(id_list=id_list, person=aigerim.person).count() == 1


def test_skipped_rows_write_nothing(caseworker_a: User, id_list: IdentificationList) -> None:
    batch = _through_matching(caseworker_a, id_list, [NEWCOMER])
    imports.import_decide(actor=caseworker_a, batch=batch, decisions=[{"row": 2, "decision": "skip"}])
    before = _state()
    imports.import_commit(actor=caseworker_a, batch=batch)
    assert _state() == before


def test_a_discarded_import_loses_its_rows_and_cannot_be_committed(
    caseworker_a: User, id_list: IdentificationList
) -> None:
    batch = _through_matching(caseworker_a, id_list, [NEWCOMER])
    batch = imports.import_discard(actor=caseworker_a, batch=batch)
    assert batch.status == ImportStatus.DISCARDED and not batch.rows.exists()
    with pytest.raises(ValidationError):
        imports.import_commit(actor=caseworker_a, batch=batch)


def test_only_the_uploader_works_on_an_import(
    caseworker_a: User, id_list: IdentificationList, make_user: Callable[..., User]
) -> None:
    colleague = make_user(Role.CASEWORKER)
    batch = imports.import_upload(actor=caseworker_a, id_list=id_list, upload=csv_upload([NEWCOMER]))
    with pytest.raises(Exception) as refused:
        imports.import_map(actor=colleague, batch=batch, mapping=batch.mapping)
    assert refused.type.__name__ == "PermissionDenied"


def test_a_statistician_may_not_import(statistician: User, id_list: IdentificationList) -> None:
    with pytest.raises(Exception) as refused:
        imports.import_upload(actor=statistician, id_list=id_list, upload=csv_upload([NEWCOMER]))
    assert refused.type.__name__ == "PermissionDenied"
    assert not ImportBatch.objects.exists()


def test_nobody_outside_the_agency_holding_the_list_imports_into_it(
    caseworker_b: User, id_list: IdentificationList
) -> None:
    with pytest.raises(Exception) as refused:
        imports.import_upload(actor=caseworker_b, id_list=id_list, upload=csv_upload([NEWCOMER]))
    assert refused.type.__name__ == "PermissionDenied"
    assert not ImportBatch.objects.exists()


def test_the_commit_appends_its_audit_entries_in_one_step(
    caseworker_a: User, id_list: IdentificationList, aigerim: Case, chain_appends: list[int]
) -> None:
    batch = _through_matching(caseworker_a, id_list, [AIGERIM, NEWCOMER])
    imports.import_decide(
        actor=caseworker_a, batch=batch, decisions=[{"row": 2, "decision": "same", "person": aigerim.person_id}]
    )
    chain_appends.clear()
    before = AuditEntry.objects.count()
    imports.import_commit(actor=caseworker_a, batch=batch)
    assert len(chain_appends) == 1
    assert AuditEntry.objects.count() - before > 3  # the new person, her case, the list entries, the batch
    assert chain_verify().intact
