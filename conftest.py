"""Shared test fixtures: a fixed cast of personas and helpers to register people through the services."""

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.mfa import OTP_AT_SESSION_KEY
from access.models import Agency, AgencyKind, NdaAcceptance, NdaVersion, Team, User
from access.rules import Role
from casework.models import Case
from casework.services import returnee_register


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Client.force_login stands for a full login: password and second factor (tests of MFA log in for real)."""
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[OTP_AT_SESSION_KEY] = time.time()
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def nda(db: Any) -> NdaVersion:
    return NdaVersion.objects.create(
        version="1",
        title="NDA",
        text="Keep it secret.",
        effective_from=timezone.now() - timedelta(days=1),
    )


@pytest.fixture
def agency_a(db: Any) -> Agency:
    return Agency.objects.create(name="Social Protection A", short_name="SPA", kind=AgencyKind.SOCIAL_PROTECTION)


@pytest.fixture
def agency_b(db: Any) -> Agency:
    return Agency.objects.create(name="NGO B", short_name="NGOB", kind=AgencyKind.NGO)


@pytest.fixture
def team_a(agency_a: Agency) -> Team:
    return Team.objects.create(agency=agency_a, name="Team A1")


@pytest.fixture
def make_user(db: Any, nda: NdaVersion, agency_a: Agency) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        *roles: Role,
        agency: Agency | None = None,
        team: Team | None = None,
        accepted: bool = True,
        username: str | None = None,
    ) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"{'-'.join(roles) or 'user'}-{counter['n']}",
            password="correct horse battery staple",
            agency=agency or agency_a,
            team=team,
            roles=[str(r) for r in roles],
        )
        if accepted:
            NdaAcceptance.objects.create(user=user, nda=nda)
        return user

    return make


@pytest.fixture
def caseworker_a(make_user: Callable[..., User], team_a: Team) -> User:
    return make_user(Role.CASEWORKER, team=team_a, username="caseworker_a")


@pytest.fixture
def supervisor_a(make_user: Callable[..., User], team_a: Team) -> User:
    return make_user(Role.SUPERVISOR, team=team_a, username="supervisor_a")


@pytest.fixture
def caseworker_b(make_user: Callable[..., User], agency_b: Agency) -> User:
    return make_user(Role.CASEWORKER, agency=agency_b, username="caseworker_b")


@pytest.fixture
def supervisor_b(make_user: Callable[..., User], agency_b: Agency) -> User:
    return make_user(Role.SUPERVISOR, agency=agency_b, username="supervisor_b")


@pytest.fixture
def manager_a(make_user: Callable[..., User]) -> User:
    return make_user(Role.AGENCY_MANAGER, username="manager_a")


@pytest.fixture
def statistician(make_user: Callable[..., User]) -> User:
    return make_user(Role.STATISTICIAN, username="statistician")


@pytest.fixture
def data_protection_officer_a(make_user: Callable[..., User]) -> User:
    """Answers lawful requests about persons whose cases agency A is responsible for."""
    return make_user(Role.DATA_PROTECTION_OFFICER, username="data_protection_officer_a")


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(Role.AUDITOR, username="auditor")


def latin(given: str, family: str = "") -> dict[str, str]:
    return {"script": "latn", "given": given, "family": family, "kind": "declared"}


def cyrillic(given: str, family: str = "") -> dict[str, str]:
    return {"script": "cyrl", "given": given, "family": family, "kind": "registered"}


@pytest.fixture
def register(caseworker_a: User) -> Callable[..., Case]:
    """Register a returnee with a case, as caseworker A unless another actor is given."""

    def do(
        *names: dict[str, str],
        actor: User | None = None,
        sex: str = "F",
        born: date | None = date(1990, 5, 1),
        **fields: Any,
    ) -> Case:
        precision = fields.pop("birth_date_precision", "day" if born else "unknown")
        return returnee_register(
            actor=actor or caseworker_a,
            names=list(names) or [latin("Aigerim", "Nurlanova")],
            sex=sex,
            birth_date=born,
            birth_date_precision=precision,
            **fields,
        )

    return do


@pytest.fixture
def chain_appends(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the audit chain's head was locked for an append: one item per append (docs/decisions/0037)."""
    import audit.services

    appends: list[int] = []
    original = audit.services._chain_head_locked

    def counting() -> Any:
        appends.append(1)
        return original()

    monkeypatch.setattr(audit.services, "_chain_head_locked", counting)
    return appends
