"""A person's photo (a child's face) is sealed at rest like the scans: the stored file and a raw copy of the
database hold no image, only the policy-checked page and API give it back, and photos stored in clear before
are sealed by the migration."""

import importlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from access.models import User
from casework.models import Case
from conftest import latin
from core.crypto import BYTES_PREFIX, DecryptionError
from core.tests.test_raw_dump import raw_dump
from people.models import Person
from people.services import photo_set

JPEG_START = b"\xff\xd8\xff"
seal_migration = importlib.import_module("people.migrations.0009_person_encrypt_photos")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def _face() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), (201, 150, 120)).save(buffer, format="PNG")
    return SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")


def _stored(person: Person) -> bytes:
    with person.photo.storage.open(person.photo.name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db(transaction=True)
def test_a_photo_is_sealed_on_disk_and_absent_from_a_raw_dump(
    register: Callable[..., Case], caseworker_a: User, tmp_path: Path
) -> None:
    person = photo_set(actor=caseworker_a, person=register().person, upload=_face())
    plain = Person.objects.get(pk=person.pk).photo.read_plain()
    assert plain.startswith(JPEG_START)

    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert _stored(person).startswith(BYTES_PREFIX)
    assert JPEG_START not in on_disk and plain[-64:] not in on_disk
    assert plain[-64:] not in raw_dump()


def test_the_page_and_the_api_give_the_photo_back_decrypted_to_those_who_may_see_it(
    register: Callable[..., Case], caseworker_a: User, caseworker_b: User
) -> None:
    person = photo_set(actor=caseworker_a, person=register().person, upload=_face())
    client = Client()
    client.force_login(caseworker_a)
    for url in (f"/people/{person.pk}/photo/", f"/api/v1/persons/{person.pk}/photo/"):
        response = client.get(url)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(JPEG_START)  # type: ignore[attr-defined]
    client.force_login(caseworker_b)
    assert client.get(f"/people/{person.pk}/photo/").status_code == 404


def test_a_photo_moved_to_another_person_fails_to_decrypt(register: Callable[..., Case], caseworker_a: User) -> None:
    first = photo_set(actor=caseworker_a, person=register().person, upload=_face())
    second = register(latin("Amina")).person
    Person.objects.filter(pk=second.pk).update(photo=first.photo.name)
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=second.pk).photo.read_plain()


def test_the_migration_seals_a_photo_stored_in_clear_and_leaves_sealed_ones_alone(
    register: Callable[..., Case], caseworker_a: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    person = register().person
    clear = Image.new("RGB", (8, 8), "blue")
    buffer = BytesIO()
    clear.save(buffer, format="JPEG")
    old_name = default_storage.save("photos/old.jpg", ContentFile(buffer.getvalue()))
    Person.objects.filter(pk=person.pk).update(photo=old_name)

    with django_capture_on_commit_callbacks(execute=True):
        seal_migration.seal_photos(apps, None)
        seal_migration.seal_photos(apps, None)  # a second run finds nothing to do

    person = Person.objects.get(pk=person.pk)
    assert person.photo.name != old_name and not default_storage.exists(old_name)
    assert _stored(person).startswith(BYTES_PREFIX)
    assert person.photo.read_plain() == buffer.getvalue()
