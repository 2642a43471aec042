"""A JSON body of the API is bounded (413 in the one error shape); uploads keep their own, larger limit."""

import os
from collections.abc import Callable
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from access.models import User
from audit.models import AuditEntry
from casework.models import Case
from people.models import Person


@pytest.fixture
def api(caseworker_a: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(caseworker_a)
    return client


def _person(padding: int) -> dict[str, object]:
    return {
        "sex": "F",
        "birth_date_precision": "unknown",
        "names": [{"script": "latn", "given": "Aigul"}],
        "padding": "x" * padding,
    }


def test_a_json_body_over_the_limit_is_refused_with_413_in_the_one_error_shape_and_nothing_is_written(
    api: APIClient,
) -> None:
    before = (Person.objects.count(), AuditEntry.objects.exclude(action="denied").count())
    response = api.post("/api/v1/persons/", _person(settings.ZHUSAN_API_JSON_MAX_BYTES), format="json")
    assert response.status_code == 413
    body = response.json()
    assert body["errors"] == {} and "larger than 512 KB" in body["detail"]
    assert (Person.objects.count(), AuditEntry.objects.exclude(action="denied").count()) == before


def test_a_json_body_under_the_limit_is_read_as_before(api: APIClient) -> None:
    response = api.post("/api/v1/persons/", _person(1000), format="json")
    assert response.status_code == 400  # parsed: the unknown field is refused, not the size
    assert "padding" in response.json()["errors"]


def test_an_upload_larger_than_the_json_limit_is_still_accepted(api: APIClient, register: Callable[..., Case]) -> None:
    person = register().person
    buffer = BytesIO()
    Image.frombytes("RGB", (520, 520), os.urandom(520 * 520 * 3)).save(buffer, format="PNG")
    assert buffer.tell() > settings.ZHUSAN_API_JSON_MAX_BYTES
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    response = api.post(f"/api/v1/persons/{person.pk}/photo/", {"photo": upload}, format="multipart")
    assert response.status_code == 204
