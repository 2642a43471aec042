"""`manage.py rotate_keys` moves every value to the primary key, keeps them readable, and is a no-op when rerun."""

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment, CaseNote
from casework.services import case_note_add
from core.crypto import DecryptionError
from people.models import IdentityDocument
from people.services import document_add


def rotate() -> str:
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    return out.getvalue()


def stored_key_ids() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM casework_casenote UNION ALL SELECT number FROM people_identitydocument")
        return [value.split(":")[2] for (value,) in cursor.fetchall() if value]


def contents() -> tuple[list[str], list[str]]:
    return (
        sorted(n.text for n in CaseNote.objects.all()),
        sorted(d.number for d in IdentityDocument.objects.all()),
    )


@pytest.fixture
def written(
    use_keys: Callable[..., None],
    register: Callable[..., Case],
    caseworker_a: User,
    make_user: Callable[..., User],
) -> tuple[list[str], list[str]]:
    """Notes and documents written under a keyring holding only k1."""
    use_keys("k1")
    doctor = make_user(Role.MEDICAL_OFFICER)
    for index in range(3):
        case = register()
        CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
        case_note_add(actor=doctor, case=case, data_class="medical", text=f"Blood test {index}: normal")
        document_add(actor=caseworker_a, person=case.person, doc_type="passport", number=f"N{index}00", status="lost")
        document_add(actor=caseworker_a, person=case.person, doc_type="birth_certificate", status="to_restore")
    assert set(stored_key_ids()) == {"k1"}
    return contents()


def test_rotation_moves_every_value_to_the_new_primary_key_and_keeps_them_readable(
    use_keys: Callable[..., None], written: tuple[list[str], list[str]]
) -> None:
    use_keys("k2", "k1")
    assert contents() == written  # readable before rotation: no downtime
    report = rotate()
    assert "casework.casenote: 3 values re-encrypted" in report
    assert "people.identitydocument: 3 values re-encrypted" in report
    assert set(stored_key_ids()) == {"k2"}
    assert contents() == written
    with connection.cursor() as cursor:  # the timeline lines of these cases are encrypted too, and rotated
        cursor.execute("SELECT summary FROM casework_caseevent")
        assert {value.split(":")[2] for (value,) in cursor.fetchall() if value} == {"k2"}


def test_running_rotation_again_changes_nothing(
    use_keys: Callable[..., None], written: tuple[list[str], list[str]]
) -> None:
    use_keys("k2", "k1")
    rotate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, text FROM casework_casenote ORDER BY id")
        before = cursor.fetchall()
    assert "0 values re-encrypted" in rotate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, text FROM casework_casenote ORDER BY id")
        assert cursor.fetchall() == before


def test_after_rotation_the_old_key_can_be_removed(
    use_keys: Callable[..., None], written: tuple[list[str], list[str]]
) -> None:
    use_keys("k2", "k1")
    rotate()
    use_keys("k2")
    assert contents() == written


def test_without_rotation_removing_the_old_key_makes_values_unreadable(
    use_keys: Callable[..., None], written: tuple[list[str], list[str]]
) -> None:
    use_keys("k2")
    with pytest.raises(DecryptionError, match="Unknown encryption key id 'k1'"):
        contents()


def test_writes_during_rotation_use_the_new_key_and_mixed_tables_rotate(
    use_keys: Callable[..., None], written: tuple[list[str], list[str]]
) -> None:
    use_keys("k2", "k1")
    note = CaseNote.objects.first()
    assert note is not None
    note.text = "Blood test 0: corrected"
    note.save()
    assert sorted(stored_key_ids()) == ["k1"] * 5 + ["k2"]
    report = rotate()
    assert "casework.casenote: 2 values re-encrypted" in report
    assert "people.identitydocument: 3 values re-encrypted" in report
    assert set(stored_key_ids()) == {"k2"}
