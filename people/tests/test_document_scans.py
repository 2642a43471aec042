"""Scans of identity documents: checked by content, cleaned, encrypted at rest, served only to those who may see."""

import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from access.models import User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case, CaseAssignment, CaseEvent
from core import files
from core.files import checked_scan
from people.models import IdentityDocument
from people.services import document_add, document_scan_attach

CANARY = "CANARY-Nurlanova-N1234567"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """The private storage, in a directory of its own so a test can see every file written."""
    location = tmp_path / "private"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are compared in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def case(register: Callable[..., Case]) -> Case:
    return register()


@pytest.fixture
def document(case: Case, caseworker_a: User) -> IdentityDocument:
    return document_add(actor=caseworker_a, person=case.person, doc_type="passport", number="N1234567", status="lost")


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


# --- files to upload ------------------------------------------------------------------------------------------


def pdf(text: str = CANARY) -> bytes:
    """A small, valid PDF showing `text` (uncompressed, so the text is in the bytes)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (60, 40), "white")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (43.0, 39.0, 0.0), 3: "E", 4: (41.0, 20.0, 0.0)}  # GPSInfo: where it was taken
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "Phone of the field officer"
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"taken at the camp gate")
    return buffer.getvalue()


def image(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, 0).save(buffer, format=fmt)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{CANARY}</w:document>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# Each is refused, whatever its name and declared type say.
BAD_UPLOADS = [
    ("empty.pdf", b"", "empty"),
    ("one-byte.pdf", b"%", "type"),
    ("page.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>", "type"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "type"),
    ("passport.docx", docx(), "type"),
    ("archive.zip.pdf", b"PK\x03\x04" + b"\x00" * 60, "type"),
    ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "type"),
    ("passport.pdf", b"MZ\x90\x00" + pdf()[4:], "type"),  # a program dressed as a PDF
    ("cut.pdf", pdf()[:-200], "incomplete"),  # the header but no end: cut short in transfer
    ("cut.jpg", image("JPEG", (400, 400))[:300], "unreadable"),
    ("signature-only.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "unreadable"),
    ("jpeg-then-html.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", "unreadable"),
    ("anim.gif", image("GIF"), "type"),  # a real image, but not a type we take
    ("scan.tiff", image("TIFF"), "type"),
    ("gif-pdf-polyglot.pdf", b"GIF89a" + pdf(), "type"),  # valid GIF start, a whole PDF inside
    ("html-pdf-polyglot.pdf", b"<html><body>" + pdf() + b"</body></html>", "type"),
    ("bomb.png", image("PNG", (20000, 20000), "1"), "megapixels"),  # small file, 400 megapixels once opened
]
MESSAGES = {
    "empty": "The file is empty.",
    "type": "Upload a PDF, JPEG or PNG file.",
    "incomplete": "This PDF is incomplete",
    "unreadable": "This image cannot be read",
    "megapixels": "more than 40 megapixels",
}


# --- what is stored ---------------------------------------------------------------------------------------------


def test_a_pdf_is_stored_encrypted_under_a_generated_name_and_reads_back_unchanged(
    document: IdentityDocument, caseworker_a: User, media: Path
) -> None:
    original = pdf()
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("passport.pdf", original))
    document.refresh_from_db()
    assert re.fullmatch(r"scans/[0-9a-f]{32}\.pdf", document.scan.name)
    (raw,) = stored_files(media)
    on_disk = raw.read_bytes()
    assert on_disk.startswith(b"zhenc:v1:")
    assert CANARY.encode() not in on_disk and b"%PDF" not in on_disk
    assert document.scan.read_plain() == original  # PDFs are kept byte for byte


def test_a_jpeg_is_stored_without_its_exif_gps_or_comment(
    document: IdentityDocument, caseworker_a: User, media: Path
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("photo.jpg", jpeg_with_gps()))
    document.refresh_from_db()
    assert document.scan.name.endswith(".jpg")
    stored = Image.open(BytesIO(document.scan.read_plain()))
    assert stored.format == "JPEG" and stored.size == (60, 40)
    assert not stored.getexif() and "exif" not in stored.info and "comment" not in stored.info
    assert b"CameraMaker" not in document.scan.read_plain()


def test_a_png_is_accepted_and_encoded_again(document: IdentityDocument, caseworker_a: User) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("scan.png", image("PNG", mode="L")))
    document.refresh_from_db()
    assert document.scan.name.endswith(".png")
    assert Image.open(BytesIO(document.scan.read_plain())).format == "PNG"


def test_the_type_comes_from_the_contents_not_the_name_or_the_declared_type(
    document: IdentityDocument, caseworker_a: User
) -> None:
    document_scan_attach(
        actor=caseworker_a, document=document, upload=upload("picture.png", pdf(), content_type="image/png")
    )
    document.refresh_from_db()
    assert document.scan.name.endswith(".pdf")


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\boot.ini", "CON", "имя с пробелом\n.pdf", "x" * 300 + ".pdf", ""]
)
def test_the_uploaded_name_never_reaches_the_disk(
    document: IdentityDocument, caseworker_a: User, media: Path, name: str
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload(name or "a", pdf()))
    document.refresh_from_db()
    assert re.fullmatch(r"scans/[0-9a-f]{32}\.pdf", document.scan.name)
    (stored,) = stored_files(media)
    assert stored.parent == media / "scans"


def test_attaching_is_audited_without_the_contents_and_noted_on_the_timeline(
    document: IdentityDocument, caseworker_a: User, case: Case
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.pdf", pdf()))
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="people.identitydocument").get()
    assert entry.changes == {"scan": [None, "stored"]}
    assert entry.person_id == document.person_id and entry.actor == caseworker_a
    assert "Scan of an identity document attached" in [e.summary for e in CaseEvent.objects.filter(case=case)]


def test_a_new_scan_replaces_the_old_one_and_its_file_goes_after_the_commit(
    document: IdentityDocument, caseworker_a: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        document_scan_attach(actor=caseworker_a, document=document, upload=upload("first.pdf", pdf("first")))
    first = stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):
        document_scan_attach(actor=caseworker_a, document=document, upload=upload("second.jpg", jpeg_with_gps()))
    document.refresh_from_db()
    assert [p.name for p in stored_files(media)] == [Path(document.scan.name).name]
    assert stored_files(media) != first
    latest = (
        AuditEntry.objects.filter(object_type="people.identitydocument", action=AuditAction.UPDATE)
        .order_by("seq")
        .last()
    )
    assert latest is not None and latest.changes == {"scan": ["replaced", "stored"]}


# --- what is refused --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "reason"), BAD_UPLOADS, ids=[n for n, _, _ in BAD_UPLOADS])
def test_files_that_are_not_scans_are_refused_and_leave_nothing_behind(
    document: IdentityDocument, caseworker_a: User, media: Path, name: str, content: bytes, reason: str
) -> None:
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        document_scan_attach(actor=caseworker_a, document=document, upload=upload(name, content))
    assert MESSAGES[reason] in " ".join(refused.value.message_dict["scan"])
    assert not IdentityDocument.objects.get(pk=document.pk).scan
    assert stored_files(media) == []
    assert AuditEntry.objects.count() == audit_before


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    document: IdentityDocument, caseworker_a: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "SCAN_MAX_BYTES", 1000)
    with pytest.raises(ValidationError, match="larger than 1000"):
        document_scan_attach(actor=caseworker_a, document=document, upload=upload("big.pdf", pdf() + b" " * 1000))
    assert stored_files(media) == [] and not IdentityDocument.objects.get(pk=document.pk).scan


def test_the_limit_is_ten_megabytes_whatever_size_the_upload_claims() -> None:
    at_limit = b"%PDF-1.4\n" + b" " * (files.SCAN_MAX_BYTES - 16) + b"\n%%EOF\n"
    assert len(at_limit) == files.SCAN_MAX_BYTES
    assert checked_scan(upload("a.pdf", at_limit), field="scan").extension == "pdf"
    over = upload("b.pdf", at_limit + b" ")
    over.size = 10  # a lying size is not trusted: the read stops at the limit
    with pytest.raises(ValidationError, match="larger than 10"):
        checked_scan(over, field="scan")


def test_the_message_is_keyed_by_the_field_asked_for() -> None:
    with pytest.raises(ValidationError) as refused:
        checked_scan(upload("x.pdf", b"<html>"), field="receipt")
    assert list(refused.value.message_dict) == ["receipt"]


def test_who_may_not_change_identity_data_may_not_attach_a_scan(
    document: IdentityDocument, case: Case, make_user: Callable[..., User], media: Path
) -> None:
    doctor = make_user(Role.MEDICAL_OFFICER)  # sees identity data, may not change it
    CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
    with pytest.raises(PermissionDenied):
        document_scan_attach(actor=doctor, document=document, upload=upload("p.pdf", pdf()))
    assert stored_files(media) == []


# --- pages ------------------------------------------------------------------------------------------------------


def scan_url(document: IdentityDocument, person_id: int | None = None) -> str:
    return f"/people/{person_id or document.person_id}/documents/{document.pk}/scan/"


def test_the_page_uploads_a_scan_and_the_person_page_links_it(
    document: IdentityDocument, caseworker_a: User, client: Client
) -> None:
    client.force_login(caseworker_a)
    detail = client.get(f"/people/{document.person_id}/").content.decode()
    assert f"{scan_url(document)}new/" in detail and "Attach a scan" in detail
    form = client.get(f"{scan_url(document)}new/")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    response = client.post(f"{scan_url(document)}new/", {"scan": upload("p.pdf", pdf())})
    assert response.status_code == 302
    detail = client.get(f"/people/{document.person_id}/").content.decode()
    assert f'href="{scan_url(document)}"' in detail and "Download the scan" in detail


def test_the_page_shows_why_a_file_is_refused(document: IdentityDocument, caseworker_a: User, client: Client) -> None:
    client.force_login(caseworker_a)
    response = client.post(f"{scan_url(document)}new/", {"scan": upload("page.pdf", b"<html>hello</html>")})
    assert response.status_code == 200
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert not IdentityDocument.objects.get(pk=document.pk).scan


def test_the_assigned_caseworker_downloads_the_scan_as_an_attachment_never_cached(
    document: IdentityDocument, caseworker_a: User, client: Client
) -> None:
    original = pdf()
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("../../secret name.pdf", original))
    client.force_login(caseworker_a)
    response = client.get(scan_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="person-{document.person_id}-document-{document.pk}.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    viewed = AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="people.identitydocument").get()
    assert viewed.changes == {"scan": ["viewed", "viewed"]} and viewed.actor == caseworker_a


def test_a_jpeg_scan_is_served_as_a_jpeg(document: IdentityDocument, caseworker_a: User, client: Client) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.jpg", jpeg_with_gps()))
    client.force_login(caseworker_a)
    response = client.get(scan_url(document))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].endswith(f'document-{document.pk}.jpg"')


def test_another_agency_gets_404_for_the_scan_and_its_upload_page(
    document: IdentityDocument, caseworker_a: User, caseworker_b: User, client: Client, media: Path
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.pdf", pdf()))
    files_before = stored_files(media)
    client.force_login(caseworker_b)
    assert client.get(scan_url(document)).status_code == 404
    assert client.get(f"{scan_url(document)}new/").status_code == 404
    assert client.post(f"{scan_url(document)}new/", {"scan": upload("x.pdf", pdf("x"))}).status_code == 404
    assert stored_files(media) == files_before
    assert not AuditEntry.objects.filter(actor=caseworker_b, action=AuditAction.VIEW).exists()
    assert AuditEntry.objects.filter(actor=caseworker_b, action=AuditAction.DENIED).exists()


@pytest.mark.parametrize("role", [Role.STATISTICIAN, Role.AUDITOR, Role.SYSTEM_ADMINISTRATOR])
def test_roles_without_identity_data_get_404(
    document: IdentityDocument, caseworker_a: User, case: Case, make_user: Callable[..., User], role: Role
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.pdf", pdf()))
    user = make_user(role)
    CaseAssignment.objects.create(case=case, user=user, purpose="Even when assigned")
    client = Client()
    client.force_login(user)
    assert client.get(scan_url(document)).status_code == 404


def test_who_may_see_but_not_change_downloads_and_gets_no_upload_link(
    document: IdentityDocument, caseworker_a: User, case: Case, make_user: Callable[..., User]
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.pdf", pdf()))
    doctor = make_user(Role.MEDICAL_OFFICER)
    CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
    client = Client()
    client.force_login(doctor)
    assert client.get(scan_url(document)).status_code == 200
    assert f"{scan_url(document)}new/" not in client.get(f"/people/{case.person_id}/").content.decode()
    assert client.get(f"{scan_url(document)}new/").status_code == 403


def test_a_document_is_only_reached_through_its_own_person(
    document: IdentityDocument, caseworker_a: User, register: Callable[..., Case]
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.pdf", pdf()))
    other = register(born=date(1988, 1, 1)).person  # also within the caseworker's reach
    client = Client()
    client.force_login(caseworker_a)
    assert client.get(scan_url(document, person_id=other.pk)).status_code == 404
    assert client.get(f"/people/{document.person_id}/documents/{10**20}/scan/").status_code == 404


def test_a_document_without_a_scan_has_nothing_to_download(
    document: IdentityDocument, caseworker_a: User, client: Client
) -> None:
    client.force_login(caseworker_a)
    assert client.get(scan_url(document)).status_code == 404


# --- API --------------------------------------------------------------------------------------------------------


def api_url(document: IdentityDocument) -> str:
    return f"/api/v1/persons/{document.person_id}/documents/{document.pk}/scan/"


def api_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_uploads_and_downloads_a_scan(document: IdentityDocument, caseworker_a: User) -> None:
    api = api_for(caseworker_a)
    before = api.get(f"/api/v1/persons/{document.person_id}/documents/").json()
    assert before[0]["has_scan"] is False
    response = api.post(api_url(document), {"scan": upload("../x.pdf", pdf())}, format="multipart")
    assert response.status_code == 200
    assert response.json()["has_scan"] is True and response.json()["id"] == document.pk
    download = api.get(api_url(document))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf()  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "no-store" and download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, changes={"scan": ["viewed", "viewed"]}).exists()


def test_the_api_refuses_a_bad_file_with_the_error_shape(document: IdentityDocument, caseworker_a: User) -> None:
    response = api_for(caseworker_a).post(
        api_url(document), {"scan": upload("s.svg", BAD_UPLOADS[3][1])}, format="multipart"
    )
    assert response.status_code == 400
    assert "Upload a PDF, JPEG or PNG file." in response.json()["errors"]["scan"][0]
    assert not IdentityDocument.objects.get(pk=document.pk).scan


def test_the_api_gives_another_agency_404_and_a_viewer_403_on_upload(
    document: IdentityDocument, caseworker_a: User, caseworker_b: User, case: Case, make_user: Callable[..., User]
) -> None:
    document_scan_attach(actor=caseworker_a, document=document, upload=upload("p.pdf", pdf()))
    outsider = api_for(caseworker_b)
    assert outsider.get(api_url(document)).status_code == 404
    assert outsider.post(api_url(document), {"scan": upload("x.pdf", pdf())}, format="multipart").status_code == 404
    doctor = make_user(Role.MEDICAL_OFFICER)
    CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
    viewer = api_for(doctor)
    assert viewer.get(api_url(document)).status_code == 200
    assert viewer.post(api_url(document), {"scan": upload("x.pdf", pdf("x"))}, format="multipart").status_code == 403
    assert IdentityDocument.objects.get(pk=document.pk).scan.read_plain() == pdf()
