"""Files encrypted at rest (scans of documents): sealed bytes bound to row and field, and moved by rotate_keys."""

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from access.models import User
from casework.models import Case
from core.crypto import DecryptionError, binding, decrypt_bytes, encrypt_bytes, key_id_of_bytes
from core.management.commands import rotate_keys
from people.models import IdentityDocument
from people.services import document_add, document_scan_attach

CONTEXT = binding("people.identitydocument", "0b7e6c1e-5d3e-4b8a-9d55-0d6f4c1f2a10", "scan")
SCAN = b"%PDF-1.4\n(CANARY-Seitkali-scan) Tj\n%%EOF\n"


# --- sealing bytes ----------------------------------------------------------------------------------------------


def test_bytes_round_trip_and_carry_the_key_id(use_keys: Callable[..., None]) -> None:
    sealed = encrypt_bytes(SCAN, context=CONTEXT)
    assert sealed.startswith(b"zhenc:v1:k1:") and b"CANARY" not in sealed
    assert key_id_of_bytes(sealed) == "k1"
    assert decrypt_bytes(sealed, context=CONTEXT) == SCAN
    assert encrypt_bytes(SCAN, context=CONTEXT) != sealed  # a fresh nonce every time


def test_sealed_bytes_do_not_open_for_another_row_or_field(use_keys: Callable[..., None]) -> None:
    sealed = encrypt_bytes(SCAN, context=CONTEXT)
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt_bytes(sealed, context=binding("people.identitydocument", "another-row", "scan"))
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt_bytes(sealed, context=CONTEXT.replace(":scan", ":receipt"))


def test_altered_truncated_or_clear_bytes_are_refused(use_keys: Callable[..., None]) -> None:
    sealed = encrypt_bytes(SCAN, context=CONTEXT)
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt_bytes(flipped, context=CONTEXT)
    with pytest.raises(DecryptionError, match="too short"):
        decrypt_bytes(sealed[:20], context=CONTEXT)
    with pytest.raises(DecryptionError, match="not encrypted"):
        decrypt_bytes(SCAN, context=CONTEXT)
    with pytest.raises(DecryptionError, match="no key id"):
        decrypt_bytes(b"zhenc:v1:" + b"x" * 60, context=CONTEXT)


def test_bytes_of_a_removed_key_name_the_key(use_keys: Callable[..., None]) -> None:
    sealed = encrypt_bytes(SCAN, context=CONTEXT)
    use_keys("k2")
    with pytest.raises(DecryptionError, match="Unknown encryption key id 'k1'"):
        decrypt_bytes(sealed, context=CONTEXT)


# --- rotation of files ------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    location = tmp_path / "private"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


@pytest.fixture
def scanned(
    use_keys: Callable[..., None], media: Path, register: Callable[..., Case], caseworker_a: User
) -> list[IdentityDocument]:
    """Three documents with scans written under k1, and one without."""
    use_keys("k1")
    documents = []
    for index in range(3):
        person = register().person
        document = document_add(
            actor=caseworker_a, person=person, doc_type="passport", number=f"S{index}", status="lost"
        )
        content = SCAN.replace(b"CANARY", b"CANARY%d" % index)
        document_scan_attach(actor=caseworker_a, document=document, upload=SimpleUploadedFile("s.pdf", content))
        documents.append(document)
    document_add(actor=caseworker_a, person=register().person, doc_type="birth_certificate", status="to_restore")
    return documents


def rotate(capture: Any) -> str:
    out = StringIO()
    with capture(execute=True):  # the old files are deleted once the rows are committed
        call_command("rotate_keys", stdout=out)
    return out.getvalue()


def on_disk(media: Path) -> dict[str, bytes]:
    return {str(p.relative_to(media)): p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file()}


def contents() -> list[bytes]:
    return [d.scan.read_plain() for d in IdentityDocument.objects.exclude(scan="").order_by("pk")]


def test_rotation_rewrites_every_scan_under_the_new_key_and_deletes_the_old_files(
    use_keys: Callable[..., None],
    scanned: list[IdentityDocument],
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before, old_files = contents(), on_disk(media)
    use_keys("k2", "k1")
    assert contents() == before  # readable before rotation: no downtime
    output = rotate(django_capture_on_commit_callbacks)
    assert "3 files re-encrypted" in output and "3 values re-encrypted" in output  # three numbers too
    files = on_disk(media)
    assert len(files) == 3 and not set(files) & set(old_files)
    assert {key_id_of_bytes(data) for data in files.values()} == {"k2"}
    names = set(IdentityDocument.objects.exclude(scan="").values_list("scan", flat=True))
    assert names == set(files)
    assert contents() == before
    use_keys("k2")  # the old key can go
    assert contents() == before


def test_running_rotation_again_changes_no_file(
    use_keys: Callable[..., None],
    scanned: list[IdentityDocument],
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    use_keys("k2", "k1")
    rotate(django_capture_on_commit_callbacks)
    files, names = on_disk(media), list(IdentityDocument.objects.order_by("pk").values_list("scan", flat=True))
    assert "0 files re-encrypted" in rotate(django_capture_on_commit_callbacks)
    assert on_disk(media) == files
    assert list(IdentityDocument.objects.order_by("pk").values_list("scan", flat=True)) == names


def test_a_scan_attached_between_reading_and_writing_is_not_overwritten(
    use_keys: Callable[..., None],
    scanned: list[IdentityDocument],
    media: Path,
    caseworker_a: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the row no longer points at the file that was read, the upload wins and the rotated copy is dropped."""
    use_keys("k2", "k1")
    document = scanned[0]
    calls: list[str] = []

    def encrypt_while_an_upload_lands(data: bytes, *, context: str) -> bytes:
        if not calls:  # the first file: someone attaches a new scan to its row meanwhile
            IdentityDocument.objects.filter(pk=document.pk).update(scan="scans/uploaded-meanwhile.pdf")
        calls.append(context)
        return encrypt_bytes(data, context=context)

    monkeypatch.setattr(rotate_keys, "encrypt_bytes", encrypt_while_an_upload_lands)
    assert "2 files re-encrypted" in rotate(django_capture_on_commit_callbacks)
    assert IdentityDocument.objects.get(pk=document.pk).scan.name == "scans/uploaded-meanwhile.pdf"
    assert len(on_disk(media)) == 3  # the first document's old file is left to whoever replaced it


def test_a_file_that_cannot_be_decrypted_is_reported_and_left_alone(
    use_keys: Callable[..., None],
    scanned: list[IdentityDocument],
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    use_keys("k2", "k1")
    broken = scanned[1]
    (media / broken.scan.name).write_bytes(b"zhenc:v1:k1:" + b"\x00" * 40)
    err = StringIO()
    with (
        pytest.raises(CommandError, match="1 values or files could not be decrypted"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("rotate_keys", stdout=StringIO(), stderr=err)
    assert f"people.identitydocument {broken.pk} scan" in err.getvalue()
    assert IdentityDocument.objects.get(pk=broken.pk).scan.name == broken.scan.name


def test_files_written_through_the_field_are_always_sealed(
    use_keys: Callable[..., None], scanned: list[IdentityDocument], media: Path
) -> None:
    document = scanned[0]
    document.scan.save("scan.pdf", ContentFile(b"%PDF-1.4 plain %%EOF"), save=True)
    raw = (media / document.scan.name).read_bytes()
    assert raw.startswith(b"zhenc:v1:k1:") and b"plain" not in raw
    assert IdentityDocument.objects.get(pk=document.pk).scan.read_plain() == b"%PDF-1.4 plain %%EOF"
