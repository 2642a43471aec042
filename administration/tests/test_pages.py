"""The administration pages: system administrators only, staff and reference data only, four eyes visible."""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from access.models import Agency, StaffChangeRequest, StaffChangeStatus, Team, User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import Case
from conftest import latin
from people.models import Place, PlaceKind
from reception.models import TestKind as ScreeningTestKind

PAGES = [
    "/administration/",
    "/administration/staff/",
    "/administration/staff/new/",
    "/administration/requests/",
    "/administration/agencies/",
    "/administration/teams/",
    "/administration/places/",
    "/administration/agreements/",
    "/administration/reference/consent-statements/",
    "/administration/reference/test-kinds/",
    "/administration/reference/vaccines/",
    "/administration/reference/vaccine-doses/",
    "/administration/reference/retention-rules/",
]


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="admin")


@pytest.fixture
def second_admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="admin2")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_system_administrator_opens_every_page(admin: User, caseworker_a: User) -> None:
    client = _client(admin)
    for path in [*PAGES, f"/administration/staff/{caseworker_a.pk}/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "auditor", "statistician"])
def test_other_roles_are_refused_every_page_and_change_nothing(
    request: pytest.FixtureRequest, persona: str, caseworker_b: User
) -> None:
    user = request.getfixturevalue(persona)
    client = _client(user)
    for path in [*PAGES, f"/administration/staff/{caseworker_b.pk}/"]:
        assert client.get(path).status_code == 403, path
    before = (caseworker_b.roles, caseworker_b.is_active, Agency.objects.count(), Place.objects.count())
    writes = {
        f"/administration/staff/{caseworker_b.pk}/roles/": {"roles": [Role.SUPERVISOR]},
        f"/administration/staff/{caseworker_b.pk}/active/": {"active": "0"},
        f"/administration/staff/{user.pk}/roles/": {"roles": [Role.SYSTEM_ADMINISTRATOR]},
        "/administration/agencies/": {"name": "Rogue", "short_name": "R", "kind": "ngo"},
        "/administration/places/": {"kind": "country", "name": "Atlantis"},
        "/administration/staff/new/": {"username": "rogue", "first_name": "R", "last_name": "R"},
    }
    for path, data in writes.items():
        assert client.post(path, data).status_code == 403, path
    caseworker_b.refresh_from_db()
    user.refresh_from_db()
    assert (caseworker_b.roles, caseworker_b.is_active, Agency.objects.count(), Place.objects.count()) == before
    assert Role.SYSTEM_ADMINISTRATOR not in user.roles
    assert not User.objects.filter(username="rogue").exists()
    assert not StaffChangeRequest.objects.exists()


def test_a_system_administrator_still_cannot_open_a_person_or_a_case(
    admin: User, register: Callable[..., Case]
) -> None:
    case = register(latin("Aigerim", "Nurlanova"), born=date(1990, 1, 1))
    client = _client(admin)
    assert client.get(f"/people/{case.person_id}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/persons/{case.person_id}/").status_code == 404


def test_the_django_admin_is_gone(admin: User) -> None:
    assert _client(admin).get("/admin/").status_code == 404


def test_an_administrator_cannot_grant_themselves_a_role(admin: User) -> None:
    response = _client(admin).post(
        f"/administration/staff/{admin.pk}/roles/", {"roles": [Role.SYSTEM_ADMINISTRATOR, Role.SUPERVISOR]}, follow=True
    )
    assert "Nobody changes their own roles" in response.content.decode()
    admin.refresh_from_db()
    assert admin.roles == [Role.SYSTEM_ADMINISTRATOR]
    assert not StaffChangeRequest.objects.exists()


def test_a_new_member_of_staff_enrols_through_the_link_once(admin: User, agency_a: Agency) -> None:
    response = _client(admin).post(
        "/administration/staff/new/",
        {
            "username": "saule",
            "first_name": "Saule",
            "last_name": "New",
            "agency": agency_a.pk,
            "roles": [Role.CASEWORKER],
        },
    )
    assert response.status_code == 200
    link = re.search(r"http://testserver(/accounts/enrol/[^/]+/)", response.content.decode())
    assert link is not None
    member = User.objects.get(username="saule")
    assert member.roles == []  # the caseworker role waits for a second administrator
    assert StaffChangeRequest.objects.get(user=member).status == StaffChangeStatus.PENDING

    newcomer = Client()
    assert newcomer.get(link.group(1)).status_code == 200
    password = "a long and new passphrase 42"
    done = newcomer.post(link.group(1), {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done["Location"] == "/accounts/second-factor/setup/"
    member.refresh_from_db()
    assert member.check_password(password)
    assert Client().get(link.group(1)).status_code == 404


def test_a_second_administrator_approves_a_pending_grant(admin: User, second_admin: User, statistician: User) -> None:
    _client(admin).post(f"/administration/staff/{statistician.pk}/roles/", {"roles": [Role.SUPERVISOR]})
    change = StaffChangeRequest.objects.get()
    statistician.refresh_from_db()
    assert statistician.roles == []

    own = _client(admin).post(f"/administration/requests/{change.pk}/", {"decision": "approve"}, follow=True)
    assert "A second administrator must decide" in own.content.decode()
    statistician.refresh_from_db()
    assert statistician.roles == []

    _client(second_admin).post(f"/administration/requests/{change.pk}/", {"decision": "approve"})
    statistician.refresh_from_db()
    assert statistician.roles == [Role.SUPERVISOR]
    assert AuditEntry.objects.filter(object_type="access.staffchangerequest", object_id=str(change.pk)).count() == 2


def test_a_settlement_directly_in_a_country_is_refused_on_the_page(admin: User) -> None:
    country = Place.objects.create(kind=PlaceKind.COUNTRY, name="Kazakhstan")
    response = _client(admin).post(
        f"/administration/places/?within={country.pk}", {"kind": PlaceKind.SETTLEMENT, "name": "Aktau"}
    )
    assert response.status_code == 200
    assert "cannot sit directly in a Country" in response.content.decode()
    assert Place.objects.count() == 1


def test_an_administrator_adds_a_kind_of_test(admin: User) -> None:
    response = _client(admin).post(
        "/administration/reference/test-kinds/", {"code": "tb", "name": "Tuberculosis", "active": "on"}
    )
    assert response.status_code == 302
    assert ScreeningTestKind.objects.get(code="tb").name == "Tuberculosis"
    assert AuditEntry.objects.filter(object_type="reception.testkind").count() == 1


def test_the_staff_list_takes_a_fixed_number_of_queries(
    admin: User, make_user: Callable[..., User], team_a: Team, agency_a: Agency
) -> None:
    client = _client(admin)
    client.get("/administration/staff/")  # warm the session
    counts = []
    for extra in (0, 5):
        for _ in range(extra):
            make_user(Role.CASEWORKER, team=team_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/administration/staff/?agency={agency_a.pk}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 14


def test_a_second_factor_reset_is_asked_by_one_administrator_and_approved_by_another(
    admin: User, second_admin: User, caseworker_a: User
) -> None:
    _client(admin).post(f"/administration/staff/{caseworker_a.pk}/second-factor-reset/", {"reason": "Lost phone"})
    change = StaffChangeRequest.objects.get()
    assert caseworker_a.has_usable_password()
    response = _client(second_admin).post(f"/administration/requests/{change.pk}/", {"decision": "approve"})
    assert response.status_code == 200 and "/accounts/enrol/" in response.content.decode()
    caseworker_a.refresh_from_db()
    assert not caseworker_a.has_usable_password()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/administration/requests/", 12),
        ("/administration/agencies/", 12),
        ("/administration/teams/", 13),  # the agency choices of the form
        ("/administration/places/", 12),
        ("/administration/agreements/", 12),
        ("/administration/reference/test-kinds/", 12),
    ],
)
def test_the_other_lists_take_a_fixed_number_of_queries(
    path: str, expected: int, admin: User, make_user: Callable[..., User], agency_a: Agency
) -> None:
    client = _client(admin)
    client.get(path)  # warm the session
    counts = []
    for round_no in (1, 2):
        for n in range(4):
            name = f"{round_no}-{n}"
            member = make_user(Role.STATISTICIAN)
            StaffChangeRequest.objects.create(kind="grant_roles", user=member, roles=["caseworker"], requested_by=admin)
            agency = Agency.objects.create(name=f"Agency {name}", kind="ngo")
            Team.objects.create(agency=agency, name="Team")
            Place.objects.create(kind=PlaceKind.COUNTRY, name=f"Country {name}")
            ScreeningTestKind.objects.create(code=f"t{round_no}{n}", name=name)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))
    assert counts == [expected, expected]


def test_an_administrator_unlocks_a_locked_login_from_the_staff_page(admin: User, caseworker_a: User) -> None:
    from django.conf import settings

    from access.throttling import lockout_remaining

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="192.0.2.10").post("/accounts/login/", {"username": "caseworker_a", "password": "wrong"})
    assert lockout_remaining(username="caseworker_a") > timedelta(0)
    response = _client(admin).post(f"/administration/staff/{caseworker_a.pk}/unlock/")
    assert response.status_code == 302
    assert not lockout_remaining(username="caseworker_a")
    entry = AuditEntry.objects.filter(actor=admin, object_id=str(caseworker_a.pk)).latest("id")
    assert "failed_logins" in entry.changes


def test_an_unlock_by_another_role_is_refused(caseworker_a: User, supervisor_a: User) -> None:
    assert _client(supervisor_a).post(f"/administration/staff/{caseworker_a.pk}/unlock/").status_code == 403
