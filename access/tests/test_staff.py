"""Staff accounts change only through access.staff: audited, never about oneself, data roles with four eyes."""

from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import Agency, EnrolmentLink, StaffChangeRequest, StaffChangeStatus, Team, User
from access.rules import Role
from access.staff import (
    enrolment_link_lookup,
    enrolment_link_redeem,
    role_needs_second_administrator,
    second_factor_reset_request,
    staff_agency_change,
    staff_change_decide,
    staff_create,
    staff_disable,
    staff_enable,
    staff_roles_change,
)
from audit.models import AuditEntry

PASSWORD = "a long and new passphrase 42"


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="admin")


@pytest.fixture
def second_admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="admin2")


@pytest.fixture
def statistician_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.STATISTICIAN, username="stat")


def _entries(obj: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq"))  # type: ignore[attr-defined]


def test_data_roles_audit_and_user_management_need_a_second_administrator() -> None:
    assert role_needs_second_administrator(Role.CASEWORKER)
    assert role_needs_second_administrator(Role.AUDITOR)
    assert role_needs_second_administrator(Role.SYSTEM_ADMINISTRATOR)
    assert not role_needs_second_administrator(Role.STATISTICIAN)


def test_an_administrator_creates_staff_without_password_and_data_roles_wait(admin: User, agency_a: Agency) -> None:
    created = staff_create(
        actor=admin,
        username="new",
        first_name="New",
        last_name="Person",
        agency=agency_a,
        roles=[Role.CASEWORKER, Role.STATISTICIAN],
    )
    user = created.user
    assert not user.has_usable_password()
    assert user.roles == [Role.STATISTICIAN]
    assert created.pending is not None and created.pending.roles == [Role.CASEWORKER]
    assert enrolment_link_lookup(created.enrolment_key) is not None
    assert EnrolmentLink.objects.get().key_hash != created.enrolment_key  # only the hash is kept
    assert [e.changes["roles"] for e in _entries(user)] == [[None, [Role.STATISTICIAN]]]
    assert len(_entries(created.pending)) == 1


def test_a_caseworker_or_auditor_cannot_create_staff(caseworker_a: User, auditor: User, agency_a: Agency) -> None:
    for actor in (caseworker_a, auditor):
        with pytest.raises(PermissionDenied):
            staff_create(actor=actor, username="x", first_name="X", last_name="Y", agency=agency_a)
    assert not User.objects.filter(username="x").exists()


def test_nobody_changes_their_own_roles(admin: User) -> None:
    with pytest.raises(ValidationError):
        staff_roles_change(actor=admin, user=admin, roles=[Role.SYSTEM_ADMINISTRATOR, Role.SUPERVISOR])
    admin.refresh_from_db()
    assert admin.roles == [Role.SYSTEM_ADMINISTRATOR]
    assert not StaffChangeRequest.objects.exists()


def test_nobody_disables_moves_or_resets_themselves(admin: User, agency_b: Agency) -> None:
    for change in (
        lambda: staff_disable(actor=admin, user=admin),
        lambda: staff_agency_change(actor=admin, user=admin, agency=agency_b, team=None),
        lambda: second_factor_reset_request(actor=admin, user=admin, reason="lost phone"),
    ):
        with pytest.raises(ValidationError):
            change()
    admin.refresh_from_db()
    assert admin.is_active and admin.agency != agency_b


def test_a_data_role_is_pending_until_a_second_administrator_approves(
    admin: User, second_admin: User, statistician_user: User
) -> None:
    change = staff_roles_change(actor=admin, user=statistician_user, roles=[Role.STATISTICIAN, Role.SUPERVISOR])
    statistician_user.refresh_from_db()
    assert change is not None and change.status == StaffChangeStatus.PENDING
    assert statistician_user.roles == [Role.STATISTICIAN]

    with pytest.raises(ValidationError):
        staff_change_decide(actor=admin, change=change, approve=True)
    statistician_user.refresh_from_db()
    assert statistician_user.roles == [Role.STATISTICIAN]

    staff_change_decide(actor=second_admin, change=change, approve=True)
    statistician_user.refresh_from_db()
    change.refresh_from_db()
    assert statistician_user.roles == [Role.SUPERVISOR, Role.STATISTICIAN]
    assert change.status == StaffChangeStatus.APPROVED and change.decided_by == second_admin
    assert [e.changes for e in _entries(change)][-1]["status"] == ["pending", "approved"]
    assert _entries(statistician_user)[-1].changes == {
        "roles": [[Role.STATISTICIAN], [Role.SUPERVISOR, Role.STATISTICIAN]]
    }


def test_a_rejected_grant_changes_nothing(admin: User, second_admin: User, statistician_user: User) -> None:
    change = staff_roles_change(actor=admin, user=statistician_user, roles=[Role.AUDITOR])
    assert change is not None
    staff_change_decide(actor=second_admin, change=change, approve=False)
    statistician_user.refresh_from_db()
    assert statistician_user.roles == []  # removing the statistician role applied at once; nothing granted


def test_an_administrator_cannot_approve_a_grant_to_themselves(
    admin: User, second_admin: User, statistician_user: User
) -> None:
    change = staff_roles_change(actor=admin, user=second_admin, roles=[Role.SYSTEM_ADMINISTRATOR, Role.SUPERVISOR])
    assert change is not None
    with pytest.raises(ValidationError):
        staff_change_decide(actor=second_admin, change=change, approve=True)
    second_admin.refresh_from_db()
    assert second_admin.roles == [Role.SYSTEM_ADMINISTRATOR]


def test_the_database_refuses_a_request_decided_by_its_requester(admin: User, statistician_user: User) -> None:
    change = staff_roles_change(actor=admin, user=statistician_user, roles=[Role.SUPERVISOR])
    assert change is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffChangeRequest.objects.filter(pk=change.pk).update(status="approved", decided_by=admin)


def test_removing_a_role_applies_at_once_and_is_audited(admin: User, caseworker_a: User) -> None:
    assert staff_roles_change(actor=admin, user=caseworker_a, roles=[]) is None
    caseworker_a.refresh_from_db()
    assert caseworker_a.roles == []
    assert _entries(caseworker_a)[-1].changes == {"roles": [[Role.CASEWORKER], []]}


def test_agency_and_team_change_is_audited_and_the_team_must_fit(
    admin: User, caseworker_a: User, agency_b: Agency, team_a: Team
) -> None:
    with pytest.raises(ValidationError):
        staff_agency_change(actor=admin, user=caseworker_a, agency=agency_b, team=team_a)
    staff_agency_change(actor=admin, user=caseworker_a, agency=agency_b, team=None)
    caseworker_a.refresh_from_db()
    assert caseworker_a.agency == agency_b and caseworker_a.team is None
    assert set(_entries(caseworker_a)[-1].changes) == {"agency", "team"}


def test_disable_and_enable_are_audited(admin: User, caseworker_a: User) -> None:
    staff_disable(actor=admin, user=caseworker_a)
    caseworker_a.refresh_from_db()
    assert not caseworker_a.is_active
    staff_enable(actor=admin, user=caseworker_a)
    caseworker_a.refresh_from_db()
    assert caseworker_a.is_active
    assert [e.changes for e in _entries(caseworker_a)] == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_the_enrolment_link_works_once(admin: User, agency_a: Agency) -> None:
    created = staff_create(actor=admin, username="new", first_name="N", last_name="P", agency=agency_a)
    user = enrolment_link_redeem(key=created.enrolment_key, password=PASSWORD)
    assert user.check_password(PASSWORD)
    with pytest.raises(ValidationError):
        enrolment_link_redeem(key=created.enrolment_key, password="another long passphrase 43")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_an_expired_enrolment_link_is_refused(admin: User, agency_a: Agency) -> None:
    created = staff_create(actor=admin, username="new", first_name="N", last_name="P", agency=agency_a)
    link = EnrolmentLink.objects.get()
    link.expires_at = link.created_at - timedelta(seconds=1)
    link.save()
    with pytest.raises(ValidationError):
        enrolment_link_redeem(key=created.enrolment_key, password=PASSWORD)
    assert not User.objects.get(username="new").has_usable_password()


def test_a_second_factor_reset_needs_a_second_administrator(
    admin: User, second_admin: User, caseworker_a: User
) -> None:
    TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    change = second_factor_reset_request(actor=admin, user=caseworker_a, reason="Phone lost, asked in person")
    assert TOTPDevice.objects.filter(user=caseworker_a).exists()
    with pytest.raises(ValidationError):
        staff_change_decide(actor=admin, change=change, approve=True)
    key = staff_change_decide(actor=second_admin, change=change, approve=True)
    caseworker_a.refresh_from_db()
    assert not TOTPDevice.objects.filter(user=caseworker_a).exists()
    assert not caseworker_a.has_usable_password()
    assert key and enrolment_link_lookup(key) is not None
    assert _entries(caseworker_a)[-1].changes == {"password": ["***", None], "second_factor": ["***", None]}


def test_the_first_two_administrators_are_made_once_from_the_command_line(db: None) -> None:
    out = StringIO()
    call_command("administrators_bootstrap", "alice", "bob", stdout=out)
    assert out.getvalue().count("/accounts/enrol/") == 2
    assert sorted(User.objects.values_list("username", flat=True)) == ["alice", "bob"]
    assert all(u.roles == [Role.SYSTEM_ADMINISTRATOR] for u in User.objects.all())
    with pytest.raises(CommandError):
        call_command("administrators_bootstrap", "carol", "dave", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("administrators_bootstrap", "erin", stdout=StringIO())
    assert User.objects.count() == 2


def test_the_last_two_administrators_cannot_be_taken_away(
    admin: User, second_admin: User, make_user: Callable[..., User]
) -> None:
    with pytest.raises(ValidationError):
        staff_roles_change(actor=admin, user=second_admin, roles=[])
    with pytest.raises(ValidationError):
        staff_disable(actor=admin, user=second_admin)
    second_admin.refresh_from_db()
    assert second_admin.is_active and second_admin.roles == [Role.SYSTEM_ADMINISTRATOR]
    make_user(Role.SYSTEM_ADMINISTRATOR, username="admin3")
    staff_disable(actor=admin, user=second_admin)
    second_admin.refresh_from_db()
    assert not second_admin.is_active
