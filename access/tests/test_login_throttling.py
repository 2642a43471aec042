"""Login throttling: equal hashing work on every path, a cool-off that grows with failures and lifts with time,
lockout per account and per source address, and an administrator's audited unlock."""

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from access.models import User
from access.rules import Role
from access.throttling import cool_off, lockout_remaining, login_unlock, login_unlock_address
from audit.models import AuditAction, AuditEntry

PASSWORD = "correct horse battery staple"
WRONG = "wrong password!!"


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings: Any) -> type[CountingHasher]:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="administrator")


def login(username: str, password: str = PASSWORD, address: str = "192.0.2.10") -> bool:
    """Post the login form from this address; True when it signed in."""
    client = Client(REMOTE_ADDR=address)
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def fail(username: str, times: int, address: str = "192.0.2.10") -> None:
    for _ in range(times):
        assert not login(username, WRONG, address)


def age_failures(by: timedelta, **which: str) -> None:
    """Move recorded failures back in time, as if that much time had passed since them."""
    for attempt in AccessAttempt.objects.filter(**which):
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - by)


def test_every_login_path_hashes_the_password_once(caseworker_a: User, counting_hasher: type[CountingHasher]) -> None:
    def hashings(username: str, password: str) -> int:
        counting_hasher.calls = 0
        login(username, password)
        return counting_hasher.calls

    unknown = hashings("nobody-here", WRONG)
    wrong = hashings("caseworker_a", WRONG)
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT - 1)
    assert lockout_remaining(username="caseworker_a") > timedelta(0)
    locked = hashings("caseworker_a", PASSWORD)
    AccessAttempt.objects.all().delete()
    right = hashings("caseworker_a", PASSWORD)
    assert unknown == wrong == locked == right == 1


def test_a_locked_account_is_refused_even_with_the_right_password(caseworker_a: User) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    assert not login("caseworker_a")
    assert not login("caseworker_a", address="198.51.100.7")  # per account, from any address


def test_the_cool_off_lifts_after_its_time(caseworker_a: User) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    age_failures(timedelta(seconds=50), username="caseworker_a")
    assert not login("caseworker_a")
    age_failures(timedelta(seconds=11), username="caseworker_a")
    assert login("caseworker_a")
    assert not AccessAttempt.objects.filter(username="caseworker_a").exists()  # a success forgets the failures


def test_each_failure_after_the_limit_doubles_the_cool_off(caseworker_a: User) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    age_failures(timedelta(minutes=1, seconds=1), username="caseworker_a")
    fail("caseworker_a", 1)  # the sixth: two minutes now
    age_failures(timedelta(minutes=1, seconds=1), username="caseworker_a")
    assert not login("caseworker_a")
    age_failures(timedelta(minutes=1), username="caseworker_a")
    assert login("caseworker_a")


def test_the_cool_off_starts_at_a_minute_and_stops_growing_at_a_day() -> None:
    limit = 5
    assert [cool_off(n, limit) for n in (0, 4)] == [timedelta(0), timedelta(0)]
    assert [cool_off(n, limit) for n in (5, 6, 7, 8)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert cool_off(16, limit) == timedelta(hours=24) == cool_off(10_000, limit)


def test_tries_during_a_lockout_do_not_lengthen_it(caseworker_a: User) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    fail("caseworker_a", 3)  # refused before the password is looked at
    age_failures(timedelta(minutes=1, seconds=1), username="caseworker_a")
    assert login("caseworker_a")


def test_many_failures_from_one_address_lock_that_address_for_every_account(caseworker_a: User) -> None:
    limit = settings.ZHUSAN_LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit):
        fail(f"guess-{n}", 1, address="203.0.113.5")  # a different username each time: no account lock
    assert not login("caseworker_a", address="203.0.113.5")
    assert login("caseworker_a", address="192.0.2.10")
    age_failures(timedelta(minutes=1, seconds=1), ip_address="203.0.113.5")
    assert login("caseworker_a", address="203.0.113.5")


def test_logging_in_to_ones_own_account_does_not_clear_a_victims_failures(
    caseworker_a: User, caseworker_b: User
) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT - 1, address="203.0.113.5")
    assert login("caseworker_b", address="203.0.113.5")
    fail("caseworker_a", 1, address="203.0.113.5")
    assert not login("caseworker_a", address="192.0.2.10")


def test_an_administrator_unlocks_an_account_and_the_audit_log_names_them(
    caseworker_a: User, administrator: User
) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    assert login_unlock(actor=administrator, username="caseworker_a") == settings.AXES_FAILURE_LIMIT
    entry = AuditEntry.objects.filter(object_type="access.user", object_id=str(caseworker_a.pk)).latest("seq")
    assert entry.action == AuditAction.UPDATE and entry.actor_id == administrator.pk
    assert entry.changes == {"failed_logins": [settings.AXES_FAILURE_LIMIT, 0]}
    assert login("caseworker_a")


def test_only_a_user_manager_may_unlock_and_a_refusal_changes_nothing(
    caseworker_a: User, caseworker_b: User, administrator: User
) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        login_unlock(actor=caseworker_b, username="caseworker_a")
    with pytest.raises(PermissionDenied):
        login_unlock_address(actor=caseworker_b, ip_address="192.0.2.10")
    with pytest.raises(ValidationError):
        login_unlock(actor=administrator, username="nobody-here")
    assert AuditEntry.objects.count() == entries
    assert not login("caseworker_a")


def test_an_administrator_unlocks_an_address(caseworker_a: User, administrator: User) -> None:
    for n in range(settings.ZHUSAN_LOGIN_ADDRESS_FAILURE_LIMIT):
        fail(f"guess-{n}", 1, address="203.0.113.5")
    assert login_unlock_address(actor=administrator, ip_address="203.0.113.5") == 20
    assert AuditEntry.objects.latest("seq").actor_id == administrator.pk
    assert login("caseworker_a", address="203.0.113.5")


def test_the_unlock_command_calls_the_service_as_the_named_administrator(
    caseworker_a: User, administrator: User
) -> None:
    fail("caseworker_a", settings.AXES_FAILURE_LIMIT)
    with pytest.raises(CommandError, match="user manager"):
        call_command("login_unlock", "caseworker_a", by="caseworker_a", stdout=StringIO())
    out = StringIO()
    call_command("login_unlock", "caseworker_a", by="administrator", stdout=out)
    assert "5 failed logins forgotten" in out.getvalue()
    assert AuditEntry.objects.latest("seq").actor_id == administrator.pk
    assert login("caseworker_a")
