"""Personal API tokens: made only by their owner after a fresh second factor, shown once, bounded in life;
administrators list and revoke but never make one or see a key."""

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from access.mfa import OTP_AT_SESSION_KEY
from access.models import ApiToken, User
from access.rules import Role
from access.tokens import api_token_create, api_token_revoke
from audit.models import AuditAction, AuditEntry


@pytest.fixture
def owner(caseworker_a: User) -> User:
    TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    return caseworker_a


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    user = make_user(Role.SYSTEM_ADMINISTRATOR, username="administrator")
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)  # password and a second factor given just now (conftest)
    return client


def _token_audit(token: ApiToken) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="access.apitoken", object_id=str(token.pk)).order_by("seq"))


def test_a_user_makes_a_token_for_themselves_and_sees_the_key_only_on_that_answer(owner: User) -> None:
    client = _signed_in(owner)
    response = client.post("/accounts/api-tokens/", {"name": "Weekly report script", "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.content.decode().split('id="api-token-key">')[1].split("<")[0]
    assert token.user == owner and token.name == "Weekly report script" and key.startswith(token.prefix)
    assert "no-store" in response["Cache-Control"]
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert key not in client.get("/accounts/api-tokens/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/persons/").status_code == 200


def test_the_audit_records_the_owner_and_the_expiry_the_token_holds(owner: User) -> None:
    token, _key = api_token_create(actor=owner, name="Script", days=7)
    [entry] = _token_audit(token)
    assert entry.action == AuditAction.CREATE and entry.actor_id == owner.pk
    assert entry.changes["user"] == [None, owner.pk]
    assert entry.changes["expires_at"] == [None, ApiToken.objects.get(pk=token.pk).expires_at.isoformat()]


def test_making_a_token_asks_for_a_fresh_second_factor(owner: User) -> None:
    client = _signed_in(owner)
    session = client.session
    session[OTP_AT_SESSION_KEY] = time.time() - settings.ZHUSAN_RECENT_OTP_SECONDS - 1
    session.save()
    response = client.post("/accounts/api-tokens/", {"name": "Script", "days": 30})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 91, 36500])
def test_a_lifetime_outside_one_to_the_maximum_is_refused_and_changes_nothing(owner: User, days: int) -> None:
    audit_rows = AuditEntry.objects.count()
    response = _signed_in(owner).post("/accounts/api-tokens/", {"name": "Script", "days": days})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    with pytest.raises(ValidationError) as error:
        api_token_create(actor=owner, name="Script", days=days)
    assert "days" in error.value.message_dict
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.CREATE).count() == 0
    assert AuditEntry.objects.count() == audit_rows


def test_a_user_without_an_authenticator_cannot_make_a_token(caseworker_a: User) -> None:
    with pytest.raises(ValidationError, match="authenticator"):
        api_token_create(actor=caseworker_a, name="Script", days=1)
    assert not ApiToken.objects.exists()


def test_the_administration_pages_offer_no_way_to_make_a_token_for_anyone(administrator: User, owner: User) -> None:
    client = _signed_in(administrator)
    page = client.get(f"/administration/staff/{owner.pk}/")
    assert page.status_code == 200
    assert client.post(f"/administration/staff/{owner.pk}/tokens/", {"name": "Backdoor"}).status_code == 404
    assert client.get("/admin/access/apitoken/add/").status_code == 404
    assert not ApiToken.objects.exists()


def test_the_administration_page_lists_a_token_without_its_key(administrator: User, owner: User) -> None:
    token, key = api_token_create(actor=owner, name="Script", days=7)
    page = _signed_in(administrator).get(f"/administration/staff/{owner.pk}/").content.decode()
    assert token.prefix in page and key not in page


def test_an_administrator_revokes_a_token_from_the_staff_page(administrator: User, owner: User) -> None:
    token, key = api_token_create(actor=owner, name="Script", days=7)
    response = _signed_in(administrator).post(f"/administration/staff/{owner.pk}/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    revoked = _token_audit(token)[-1]
    assert revoked.action == AuditAction.UPDATE and revoked.actor_id == administrator.pk
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/persons/").status_code == 401


def test_a_user_revokes_their_own_token_and_finds_no_one_elses(owner: User, caseworker_b: User) -> None:
    token, _key = api_token_create(actor=owner, name="Script", days=7)
    assert _signed_in(caseworker_b).post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert _signed_in(owner).post(f"/accounts/api-tokens/{token.pk}/revoke/")["Location"] == "/accounts/api-tokens/"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert _token_audit(token)[-1].actor_id == owner.pk


def test_only_the_owner_or_a_user_manager_may_revoke_through_the_service(
    owner: User, caseworker_b: User, administrator: User
) -> None:
    token, _key = api_token_create(actor=owner, name="Script", days=7)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=caseworker_b, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    api_token_revoke(actor=administrator, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(actor=administrator, token=token)  # again: nothing changes, nothing is audited twice
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert [e.action for e in _token_audit(token)] == [AuditAction.CREATE, AuditAction.UPDATE]


def test_the_tokens_page_lists_only_ones_own_tokens(owner: User, caseworker_b: User) -> None:
    TOTPDevice.objects.create(user=caseworker_b, name="phone", confirmed=True)
    mine, _ = api_token_create(actor=owner, name="Mine", days=7)
    theirs, _ = api_token_create(actor=caseworker_b, name="Theirs", days=7)
    page = _signed_in(owner).get("/accounts/api-tokens/").content.decode()
    assert mine.prefix in page and "Mine" in page
    assert theirs.prefix not in page and "Theirs" not in page
