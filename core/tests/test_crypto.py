"""Notes and document numbers are encrypted at rest, bound to their row and field, under keys kept apart."""

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, transaction
from django.db.models import Model

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment, CaseNote
from casework.services import case_note_add
from core.crypto import (
    DecryptionError,
    binding,
    blind_index,
    decrypt,
    keyring,
    reset_keyring,
)
from people.models import DocumentStatus, DocumentType, IdentityDocument, Place
from people.services import document_add


@pytest.fixture
def doctor(make_user: Callable[..., User]) -> User:
    return make_user(Role.MEDICAL_OFFICER)


@pytest.fixture
def note_on(doctor: User) -> Callable[..., CaseNote]:
    def write(case: Case, text: str) -> CaseNote:
        if not CaseAssignment.objects.filter(case=case, user=doctor).exists():
            CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
        return case_note_add(actor=doctor, case=case, data_class="medical", text=text)

    return write


def stored(obj: Model, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {obj._meta.db_table} WHERE id = %s", [obj.pk])  # noqa: S608
        return cursor.fetchone()[0]


def store(obj: Model, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {obj._meta.db_table} SET {column} = %s WHERE id = %s", [value, obj.pk])  # noqa: S608


# --- round trip and what the database holds ----------------------------------------------------------------------


def test_a_note_reads_back_as_written_and_the_column_holds_only_ciphertext(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    note = note_on(register(), "Hepatitis B negative, Ёлка, التهاب")
    assert CaseNote.objects.get(pk=note.pk).text == "Hepatitis B negative, Ёлка, التهاب"
    raw = stored(note, "text")
    assert raw.startswith("zhenc:v1:k1:")
    assert "Hepatitis" not in raw


def test_a_document_number_reads_back_and_its_column_holds_only_ciphertext(
    use_keys: Any, register: Callable[..., Case], caseworker_a: User, kazakhstan: Place
) -> None:
    person = register().person
    document = document_add(
        actor=caseworker_a,
        person=person,
        doc_type=DocumentType.PASSPORT,
        number="N 1234-5678",
        issuing_state=kazakhstan,
        status=DocumentStatus.LOST,
    )
    again = IdentityDocument.objects.get(pk=document.pk)
    assert again.number == "N 1234-5678"
    assert str(again) == "Passport N 1234-5678"
    assert "1234" not in stored(document, "number")
    assert again.number_index == blind_index("n12345678")


def test_a_ciphertext_copied_to_another_row_fails_to_decrypt(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    case = register()
    secret = note_on(case, "HIV positive")
    harmless = note_on(case, "Fit to travel")
    store(harmless, "text", stored(secret, "text"))
    with pytest.raises(DecryptionError, match="copied from another row or field"):
        _ = CaseNote.objects.get(pk=harmless.pk).text


def test_a_ciphertext_read_as_another_field_of_the_same_row_fails_to_decrypt(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    note = note_on(register(), "HIV positive")
    ciphertext = stored(note, "text")
    assert decrypt(ciphertext, context=binding("casework.casenote", note.row_uid, "text")) == "HIV positive"
    with pytest.raises(DecryptionError):
        decrypt(ciphertext, context=binding("casework.casenote", note.row_uid, "summary"))


def test_a_note_number_copied_into_a_document_fails_to_decrypt(
    use_keys: Any,
    register: Callable[..., Case],
    note_on: Callable[..., CaseNote],
    caseworker_a: User,
) -> None:
    case = register()
    note = note_on(case, "N7654321")
    document = document_add(
        actor=caseworker_a, person=case.person, doc_type=DocumentType.PASSPORT, number="N1", status="lost"
    )
    store(document, "number", stored(note, "text"))
    with pytest.raises(DecryptionError):
        _ = IdentityDocument.objects.get(pk=document.pk).number


def test_a_tampered_ciphertext_fails_to_decrypt(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    note = note_on(register(), "Tuberculosis test negative")
    raw = stored(note, "text")
    position = len(raw) - 10
    flipped = "A" if raw[position] != "A" else "B"
    store(note, "text", raw[:position] + flipped + raw[position + 1 :])
    with pytest.raises(DecryptionError):
        _ = CaseNote.objects.get(pk=note.pk).text


def test_a_value_under_a_key_no_longer_in_the_keyring_fails_with_a_clear_message(
    use_keys: Callable[..., None], register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    note = note_on(register(), "Seen by the psychologist")
    use_keys("k2")
    with pytest.raises(DecryptionError, match="Unknown encryption key id 'k1'"):
        _ = CaseNote.objects.get(pk=note.pk).text


def test_plaintext_that_looks_like_a_ciphertext_is_still_encrypted(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    case = register()
    other = note_on(case, "HIV positive")
    forged = stored(other, "text")
    note = note_on(case, forged)
    assert CaseNote.objects.get(pk=note.pk).text == forged
    assert stored(note, "text") != forged


def test_plaintext_stored_in_clear_is_refused_on_read(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    note = note_on(register(), "Fit to travel")
    store(note, "text", "Written by hand in the database")
    with pytest.raises(DecryptionError, match="not encrypted"):
        _ = CaseNote.objects.get(pk=note.pk).text


# --- what the ORM refuses ----------------------------------------------------------------------------------------


def test_encrypted_fields_cannot_be_searched_or_updated_with_plaintext(
    use_keys: Any, register: Callable[..., Case], note_on: Callable[..., CaseNote]
) -> None:
    note = note_on(register(), "Fit to travel")
    with pytest.raises(FieldError), transaction.atomic():
        CaseNote.objects.filter(text__icontains="fit").exists()
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        CaseNote.objects.filter(text="Fit to travel").exists()
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        CaseNote.objects.filter(pk=note.pk).update(text="in clear")
    note.text = "Changed"
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        CaseNote.objects.bulk_update([note], ["text"])
    assert CaseNote.objects.get(pk=note.pk).text == "Fit to travel"


def test_bulk_create_encrypts_and_fills_the_blind_index(
    use_keys: Any, register: Callable[..., Case], kazakhstan: Place
) -> None:
    person = register().person
    IdentityDocument.objects.bulk_create(
        [
            IdentityDocument(
                person=person, doc_type="passport", number="N-42", issuing_state=kazakhstan, status="lost"
            ),
            IdentityDocument(person=person, doc_type="birth_certificate", number="", status="to_restore"),
        ]
    )
    numbered, blank = IdentityDocument.objects.order_by("id")
    assert (numbered.number, numbered.number_index) == ("N-42", blind_index("n42"))
    assert stored(numbered, "number").startswith("zhenc:v1:")
    assert (blank.number, blank.number_index, stored(blank, "number")) == ("", "", "")


def test_a_deferred_number_is_loaded_and_decrypted_on_first_read(
    use_keys: Any, register: Callable[..., Case], caseworker_a: User
) -> None:
    person = register().person
    document = document_add(actor=caseworker_a, person=person, doc_type="passport", number="N77", status="lost")
    assert IdentityDocument.objects.only("id").get(pk=document.pk).number == "N77"


# --- document numbers -----------------------------------------------------------------------------------------


def test_a_document_number_differing_only_by_case_spaces_and_dashes_is_refused(
    use_keys: Any, register: Callable[..., Case], caseworker_a: User, kazakhstan: Place
) -> None:
    person = register().person
    fields = {"doc_type": DocumentType.PASSPORT, "issuing_state": kazakhstan, "status": DocumentStatus.LOST}
    document_add(actor=caseworker_a, person=person, number="N 123-456", **fields)
    with pytest.raises(ValidationError) as refused:
        document_add(actor=caseworker_a, person=person, number="n123456", **fields)
    assert "number" in refused.value.message_dict
    assert IdentityDocument.objects.count() == 1


def test_the_same_number_from_another_state_or_of_another_type_is_accepted(
    use_keys: Any, register: Callable[..., Case], caseworker_a: User, kazakhstan: Place
) -> None:
    person = register().person
    kyrgyzstan = Place.objects.create(kind="country", name="Kyrgyzstan")
    document_add(
        actor=caseworker_a, person=person, doc_type="passport", number="A1", issuing_state=kazakhstan, status="lost"
    )
    document_add(
        actor=caseworker_a, person=person, doc_type="passport", number="A1", issuing_state=kyrgyzstan, status="lost"
    )
    document_add(
        actor=caseworker_a, person=person, doc_type="id_card", number="A1", issuing_state=kazakhstan, status="lost"
    )
    assert IdentityDocument.objects.count() == 3


def test_a_document_number_longer_than_fifty_characters_is_refused(
    use_keys: Any, register: Callable[..., Case], caseworker_a: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        document_add(actor=caseworker_a, person=register().person, doc_type="passport", number="N" * 51, status="lost")
    assert "number" in refused.value.message_dict


def test_the_audit_log_records_that_a_number_was_given_not_the_number(
    use_keys: Any, register: Callable[..., Case], caseworker_a: User
) -> None:
    from audit.models import AuditEntry

    document = document_add(
        actor=caseworker_a, person=register().person, doc_type="passport", number="N998877", status="lost"
    )
    entry = AuditEntry.objects.get(object_type="people.identitydocument", object_id=str(document.pk))
    assert entry.changes["number"] == [None, "***"]
    assert "998877" not in json.dumps(entry.changes)


# --- the keyring --------------------------------------------------------------------------------------------------


@pytest.fixture
def key_file(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("ZHUSAN_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("ZHUSAN_INDEX_KEY", raising=False)
    settings.ZHUSAN_KEY_FILE = tmp_path / "keys" / "encryption.json"
    reset_keyring()
    yield settings.ZHUSAN_KEY_FILE
    reset_keyring()


def test_development_makes_a_private_key_file_on_first_use(key_file: Path, settings: Any) -> None:
    ring = keyring()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    data = json.loads(key_file.read_text())
    assert data["primary"] == ring.primary_id and set(data) == {"primary", "keys", "index"}
    assert ring.index_key not in ring.keys.values()
    assert settings.SECRET_KEY.encode() not in key_file.read_bytes()
    reset_keyring()
    assert keyring().keys == ring.keys  # read back, not made again


@pytest.mark.django_db  # on PostgreSQL the deployment checks also ask the database which role connects
def test_production_refuses_to_run_without_keys(key_file: Path, settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="Encryption keys are missing"):
        keyring()
    assert not key_file.exists()
    with pytest.raises(SystemCheckError, match=r"zhusan\.E001"):
        call_command("check", deploy=True, tags=["security"])


def test_production_runs_with_keys_from_the_environment(
    key_file: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.tests.conftest import KEYS

    settings.PRODUCTION = True
    monkeypatch.setenv("ZHUSAN_ENCRYPTION_KEYS", f"k2:{KEYS['k2']},k1:{KEYS['k1']}")
    monkeypatch.setenv("ZHUSAN_INDEX_KEY", KEYS["k3"])
    ring = keyring()
    assert list(ring.keys) == ["k2", "k1"] and ring.primary_id == "k2"
    assert not key_file.exists()


@pytest.mark.parametrize(
    "value",
    ["k1", "k1:bm90IDMyIGJ5dGVz", "bad id!:" + "A" * 43 + "="],
)
def test_a_malformed_keyring_is_refused(key_file: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ZHUSAN_ENCRYPTION_KEYS", value)
    with pytest.raises(ImproperlyConfigured):
        keyring()
