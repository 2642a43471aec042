"""Every response carries the protective headers; pages with personal data are never cached."""

from collections.abc import Callable

import pytest
from django.test import Client

from access.models import User
from casework.models import Case


@pytest.fixture
def page(register: Callable[..., Case], caseworker_a: User) -> object:
    case = register()
    client = Client()
    client.force_login(caseworker_a)
    return client.get(f"/people/{case.person_id}/")


def test_a_strict_content_security_policy_is_sent(page) -> None:
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_framing_sniffing_and_referrers_are_refused(page) -> None:
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_not_stored(page) -> None:
    assert page["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored_either(register: Callable[..., Case], caseworker_a: User) -> None:
    from rest_framework.test import APIClient

    case = register()
    api = APIClient()
    api.force_authenticate(caseworker_a)
    assert api.get(f"/api/v1/persons/{case.person_id}/")["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style() -> None:
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for template in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        text = template.read_text()
        if "<script>" in text or " style=" in text or "<style" in text or " on" + "click=" in text:
            offenders.append(str(template))
    assert offenders == []


def test_an_unexpected_error_shows_a_reference_and_no_trace(caseworker_a: User, monkeypatch) -> None:
    from casework import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views.selectors, "cases_by_state", broken)
    client = Client(raise_request_exception=False)
    client.force_login(caseworker_a)
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "reference" in body


def test_unknown_api_paths_answer_json_and_pages_answer_html(caseworker_a: User) -> None:
    client = Client()
    client.force_login(caseworker_a)
    api = client.get("/api/v1/persons/not-a-number/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found.", "errors": {}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "<html" in page.content.decode()
