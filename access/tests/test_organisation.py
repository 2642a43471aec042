"""Agencies, teams and agreement versions: administrators only, audited, no duplicates."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access import policy
from access.models import Agency, AgencyKind, NdaVersion, Team, User
from access.organisation import agency_create, nda_publish, team_create
from access.rules import Role
from audit.models import AuditEntry


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="admin")


def test_an_administrator_adds_an_agency_and_its_team(admin: User) -> None:
    agency = agency_create(actor=admin, name="Ministry of Health", short_name="MoH", kind=AgencyKind.HEALTH)
    team_create(actor=admin, agency=agency, name="Doctors")
    with pytest.raises(ValidationError):
        team_create(actor=admin, agency=agency, name="doctors")
    with pytest.raises(ValidationError):
        agency_create(actor=admin, name="ministry of health", short_name="", kind=AgencyKind.HEALTH)
    assert Team.objects.filter(agency=agency).count() == 1
    assert AuditEntry.objects.filter(object_type__in=["access.agency", "access.team"]).count() == 2


def test_a_supervisor_cannot_add_agencies_or_publish_agreements(supervisor_a: User) -> None:
    with pytest.raises(PermissionDenied):
        agency_create(actor=supervisor_a, name="X", short_name="", kind=AgencyKind.NGO)
    with pytest.raises(PermissionDenied):
        nda_publish(actor=supervisor_a, version="2", title="T", text="T")
    assert not Agency.objects.filter(name="X").exists() and NdaVersion.objects.count() == 1


def test_a_new_agreement_version_makes_everybody_accept_again(admin: User, caseworker_a: User) -> None:
    assert policy.has_accepted_current_nda(caseworker_a)
    nda_publish(actor=admin, version="2", title="NDA", text="Still secret.")
    caseworker_a._zhusan_nda_ok = None  # type: ignore[attr-defined]
    assert not policy.has_accepted_current_nda(caseworker_a)
    with pytest.raises(ValidationError):
        nda_publish(actor=admin, version="2", title="Again", text="x")
