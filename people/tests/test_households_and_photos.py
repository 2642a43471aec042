"""Households group people living together; photos are private files, cleaned of metadata."""

from collections.abc import Callable
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from access.models import User
from casework.models import Case
from conftest import latin
from people.models import HouseholdMember, Person


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (43.0, 39.0, 0.0)}  # GPSInfo: where the photo was taken
    exif[0x010F] = "CameraMaker"
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_a_household_is_started_and_joined_through_the_api(
    register: Callable[..., Case], caseworker_a: User, caseworker_b: User
) -> None:
    mother, child = register().person, register(latin("Amina")).person
    api = APIClient()
    api.force_authenticate(caseworker_a)
    created = api.post(f"/api/v1/persons/{mother.pk}/households/", {"name": "Seitkazieva family"}, format="json")
    assert created.status_code == 201
    household_id = created.json()["id"]
    joined = api.post(f"/api/v1/persons/{child.pk}/households/", {"household": household_id}, format="json")
    assert joined.status_code == 201
    assert sorted(joined.json()["members"]) == sorted([mother.pk, child.pk])
    # Another agency's caseworker cannot join her own person to it: the household is outside her reach.
    stranger = register(latin("Dinara"), actor=caseworker_b).person
    outsider = APIClient()
    outsider.force_authenticate(caseworker_b)
    before = HouseholdMember.objects.count()
    response = outsider.post(f"/api/v1/persons/{stranger.pk}/households/", {"household": household_id}, format="json")
    assert response.status_code == 400
    assert HouseholdMember.objects.count() == before


def test_a_photo_is_stored_without_its_metadata_and_served_only_to_those_who_may_see(
    register: Callable[..., Case], caseworker_a: User, caseworker_b: User
) -> None:
    person = register().person
    api = APIClient()
    api.force_authenticate(caseworker_a)
    upload = SimpleUploadedFile("../../etc/passwd.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    assert api.post(f"/api/v1/persons/{person.pk}/photo/", {"photo": upload}, format="multipart").status_code == 204
    person.refresh_from_db()
    assert person.photo.name.startswith("photos/") and ".." not in person.photo.name
    response = api.get(f"/api/v1/persons/{person.pk}/photo/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    stored = Image.open(BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert not stored.getexif()
    outsider = APIClient()
    outsider.force_authenticate(caseworker_b)
    assert outsider.get(f"/api/v1/persons/{person.pk}/photo/").status_code == 404


def _image(fmt: str, size: tuple[int, int] = (20, 20), mode: str = "RGB") -> bytes:
    buffer = BytesIO()
    Image.new(mode, size).save(buffer, format=fmt)
    return buffer.getvalue()


BAD_UPLOADS = [
    ("photo.jpg", b"not an image at all"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),  # a PNG signature and nothing behind it
    ("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("page.jpg", b"<html><script>alert(1)</script></html>"),  # HTML dressed as a photo
    ("anim.gif", _image("GIF")),  # a real image, but not a type we take
    ("bomb.png", _image("PNG", (20000, 20000), "1")),  # a small file, 400 megapixels once opened
    ("cut.jpg", _image("JPEG", (400, 400))[:300]),  # truncated
    ("huge.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 10)),  # over 5 MB
    ("..\\..\\evil.exe", b"MZ\x90\x00" + b"\x00" * 100),  # a program with a path in its name
]


@pytest.mark.parametrize(("name", "content"), BAD_UPLOADS, ids=[n for n, _ in BAD_UPLOADS])
def test_files_that_are_not_photos_are_refused(
    register: Callable[..., Case], caseworker_a: User, name: str, content: bytes
) -> None:
    person = register().person
    api = APIClient()
    api.force_authenticate(caseworker_a)
    response = api.post(
        f"/api/v1/persons/{person.pk}/photo/", {"photo": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert "photo" in response.json()["errors"]
    assert not Person.objects.get(pk=person.pk).photo


def test_the_photo_page_uploads_and_the_person_page_links_it(
    register: Callable[..., Case], caseworker_a: User, client
) -> None:
    person = register().person
    client.force_login(caseworker_a)
    response = client.post(f"/people/{person.pk}/photo/new/", {"photo": SimpleUploadedFile("p.jpg", _jpeg_with_gps())})
    assert response.status_code == 302
    assert f"/people/{person.pk}/photo/" in client.get(f"/people/{person.pk}/").content.decode()
