"""Logging in: password, second factor, lockout, timeouts, revocation, personal API tokens."""

import base64
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from access.mfa import OTP_AT_SESSION_KEY, recovery_codes_renew
from access.middleware import LOGIN_AT, SEEN_AT
from access.models import ApiToken, User
from access.rules import Role
from access.tokens import api_token_create, api_token_revoke
from casework.models import Case

PASSWORD = "correct horse battery staple"


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def _password_login(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def enrolled(caseworker_a: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)


def test_a_password_alone_reaches_no_personal_data(
    register: Callable[..., Case], caseworker_a: User, enrolled: TOTPDevice
) -> None:
    case = register()
    client = Client()
    _password_login(client, "caseworker_a")
    response = client.get(f"/people/{case.person_id}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")
    assert client.get("/api/v1/persons/").status_code == 403


def test_a_new_user_enrols_an_authenticator_and_gets_recovery_codes(caseworker_a: User) -> None:
    client = Client()
    _password_login(client, "caseworker_a")
    assert client.get("/people/")["Location"].startswith("/accounts/second-factor/setup/")
    page = client.get("/accounts/second-factor/setup/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code is drawn here, no outside service
    device = TOTPDevice.objects.get(user=caseworker_a, confirmed=False)
    assert client.post("/accounts/second-factor/setup/", {"code": "000000"}).status_code == 200
    time.sleep(1.1)  # django-otp makes the next try wait after a wrong code
    response = client.post("/accounts/second-factor/setup/", {"code": _code(device)})
    assert "Recovery codes" in response.content.decode()
    assert StaticToken.objects.filter(device__user=caseworker_a).count() == 10
    assert client.get("/people/").status_code == 200


def test_a_code_cannot_be_used_twice(caseworker_a: User, enrolled: TOTPDevice) -> None:
    code = _code(enrolled)
    first = Client()
    _password_login(first, "caseworker_a")
    assert first.post("/accounts/second-factor/", {"code": code})["Location"] == "/"
    second = Client()
    _password_login(second, "caseworker_a")
    response = second.post("/accounts/second-factor/", {"code": code})
    assert response.status_code == 200 and "not valid" in response.content.decode()


def test_a_recovery_code_works_once(caseworker_a: User, enrolled: TOTPDevice) -> None:
    code = recovery_codes_renew(caseworker_a)[0]
    client = Client()
    _password_login(client, "caseworker_a")
    assert client.post("/accounts/second-factor/", {"code": code}).status_code == 302
    again = Client()
    _password_login(again, "caseworker_a")
    assert again.post("/accounts/second-factor/", {"code": code}).status_code == 200


def test_unknown_user_wrong_password_and_locked_account_get_the_same_answer(caseworker_a: User) -> None:
    unknown = _password_login(Client(), "nobody-here").content.decode()  # type: ignore[attr-defined]
    wrong = _password_login(Client(), "caseworker_a", "wrong password!!").content.decode()  # type: ignore[attr-defined]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_login(Client(), "caseworker_a", "wrong password!!")
    locked_client = Client()
    locked = _password_login(locked_client, "caseworker_a")  # the right password, but locked
    assert locked.status_code == 200  # type: ignore[attr-defined]
    assert "_auth_user_id" not in locked_client.session

    def message(html: str) -> str:
        return html.split('class="errors"')[1].split("</div>")[0]

    assert message(unknown) == message(wrong) == message(locked.content.decode())  # type: ignore[attr-defined]


def test_login_gives_a_new_session_key(caseworker_a: User) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    _password_login(client, "caseworker_a")
    assert client.session.session_key != before


@pytest.mark.parametrize("stamp", [SEEN_AT, LOGIN_AT])
def test_idle_and_old_sessions_end(caseworker_a: User, stamp: str) -> None:
    client = Client()
    client.force_login(caseworker_a)
    assert client.get("/").status_code == 200
    session = client.session
    limit = settings.ZHUSAN_IDLE_SECONDS if stamp == SEEN_AT else settings.ZHUSAN_SESSION_MAX_SECONDS
    session[stamp] = time.time() - limit - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_disabling_a_user_or_changing_the_password_ends_sessions_at_once(caseworker_a: User) -> None:
    client = Client()
    client.force_login(caseworker_a)
    assert client.get("/").status_code == 200
    caseworker_a.set_password("another long passphrase here")
    caseworker_a.save()
    assert client.get("/").status_code == 302
    client.force_login(caseworker_a)
    User.objects.filter(pk=caseworker_a.pk).update(is_active=False)
    assert client.get("/").status_code == 302


def test_a_bulk_export_asks_for_the_second_factor_again(register: Callable[..., Case], caseworker_a: User) -> None:
    register()
    client = Client()
    client.force_login(caseworker_a)
    assert client.get("/people/export.csv").status_code == 200
    session = client.session
    session[OTP_AT_SESSION_KEY] = time.time() - settings.ZHUSAN_RECENT_OTP_SECONDS - 1
    session.save()
    response = client.get("/people/export.csv")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")


def test_passwords_need_fifteen_characters_and_may_be_long() -> None:
    with pytest.raises(ValidationError):
        validate_password("short password")
    with pytest.raises(ValidationError):
        validate_password("1q2w3e4r5t6y7u8i9o0p")  # long, but on the list of common passwords
    validate_password("a long sentence nobody else would pick " * 4)


def test_argon2_hashes_passwords_outside_the_test_suite() -> None:
    from zhusan import settings as project_settings  # the tests swap in a fast hasher; the project does not

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_api_tokens_are_stored_hashed_expire_and_can_be_revoked(
    register: Callable[..., Case], caseworker_a: User, enrolled: TOTPDevice
) -> None:
    register()
    token, key = api_token_create(actor=caseworker_a, name="Script", days=1)
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/persons/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/persons/").status_code == 401
    token, key = api_token_create(actor=caseworker_a, name="Script", days=1)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api_token_revoke(actor=caseworker_a, token=token)
    assert client.get("/api/v1/persons/").status_code == 401
    token, key = api_token_create(actor=caseworker_a, name="Script", days=1)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    User.objects.filter(pk=caseworker_a.pk).update(is_active=False)
    assert client.get("/api/v1/persons/").status_code == 401


def test_the_demo_logins_file_carries_what_a_login_needs(db: None, tmp_path, make_user: Callable[..., User]) -> None:
    import json

    from django.core.management import call_command

    logins = tmp_path / "logins.json"
    call_command("demo", logins_file=str(logins), quiet=True)
    row = next(r for r in json.loads(logins.read_text()) if r["username"] == "caseworker")
    client = Client()
    _password_login(client, "caseworker", row["password"])
    code = f"{TOTP(base64.b32decode(row['totp_secret'])).token():06d}"
    assert client.post("/accounts/second-factor/", {"code": code}).status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {row['api_token']}")
    assert api.get("/api/v1/cases/").status_code in (200, 403)  # 403 until the NDA is accepted
    assert Role.CASEWORKER in row["roles"]
