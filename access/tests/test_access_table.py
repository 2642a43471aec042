"""The access table, tested from the table itself: every role × data class × action, and every surface.

If a rule changes in access/rules.py, these tests follow it; if a view or endpoint stops asking the policy, they fail.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from access import policy
from access.models import Agency, User
from access.rules import RULES, Action, DataClass, Role, Scope
from casework.models import Case, CaseAssignment
from people.models import IdentityDocument, Person

ALL_ROLES = list(Role)


def expected(role: Role, reach: str, action: Action) -> frozenset[DataClass]:
    """What the table says a role may do on a case reached as `reach` (assigned / same agency / other agency)."""
    rule = RULES[role]
    reached = (
        rule.scope in (Scope.ASSIGNED, Scope.AGENCY)
        if reach == "assigned"
        else rule.scope == Scope.AGENCY
        if reach == "agency"
        else False
    )
    if not reached:
        return frozenset()
    return frozenset(dc for dc, actions in rule.data.items() if action in actions)


@pytest.fixture
def world(register: Callable[..., Case], caseworker_a: User, caseworker_b: User, agency_b: Agency) -> dict[str, Case]:
    """Three cases: one to assign to the user under test, one of the same agency, one of another agency."""
    assigned = register()
    same_agency = register()
    other_agency = register(actor=caseworker_b)
    return {"assigned": assigned, "agency": same_agency, "other": other_agency}


def _user_with(role: Role, make_user: Callable[..., User], case: Case, **kwargs: Any) -> User:
    user = make_user(role, **kwargs)
    CaseAssignment.objects.create(case=case, user=user, purpose="test")
    return user


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", list(Action))
def test_policy_gives_each_role_exactly_the_classes_in_the_table(
    role: Role, action: Action, world: dict[str, Case], make_user: Callable[..., User]
) -> None:
    user = _user_with(role, make_user, world["assigned"])
    for reach, case in world.items():
        assert policy.classes_for(user, case, action) == expected(role, reach, action), (role, reach, action)
        assert policy.classes_for(user, case.person, action) == expected(role, reach, action)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_without_the_current_nda_no_role_sees_anything(
    role: Role, world: dict[str, Case], make_user: Callable[..., User]
) -> None:
    user = _user_with(role, make_user, world["assigned"], accepted=False)
    for case in world.values():
        for action in Action:
            assert policy.classes_for(user, case, action) == frozenset()
    assert not policy.persons_visible_to(user).exists()
    assert not policy.cases_visible_to(user).exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_search_lists_only_reachable_persons(
    role: Role, world: dict[str, Case], make_user: Callable[..., User]
) -> None:
    user = _user_with(role, make_user, world["assigned"])
    visible = set(policy.persons_visible_to(user).values_list("id", flat=True))
    for reach, case in world.items():
        assert (case.person_id in visible) == bool(expected(role, reach, Action.VIEW)), (role, reach)


SECTION_OF = {
    DataClass.IDENTITY: "identity",
    DataClass.CONTACT: "contact",
    DataClass.LOCATION: "where",
    DataClass.FAMILY: "family",
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_page_shows_exactly_the_sections_of_visible_classes(
    role: Role, world: dict[str, Case], make_user: Callable[..., User]
) -> None:
    user = _user_with(role, make_user, world["assigned"])
    client = Client()
    client.force_login(user)
    for reach, case in world.items():
        response = client.get(f"/people/{case.person_id}/")
        classes = expected(role, reach, Action.VIEW)
        if not classes:
            assert response.status_code == 404, (role, reach)
            continue
        assert response.status_code == 200
        sections = set(re.findall(r'<h2 id="(\w+)-h"', response.content.decode()))
        assert {s for c, s in SECTION_OF.items() if c in classes} <= sections
        assert not {s for c, s in SECTION_OF.items() if c not in classes} & sections, (role, reach)


PERSON_FIELD_CLASSES = Person.DATA_CLASSES


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_leaves_out_fields_of_invisible_classes(
    role: Role, world: dict[str, Case], make_user: Callable[..., User]
) -> None:
    user = _user_with(role, make_user, world["assigned"])
    client = APIClient()
    client.force_authenticate(user)
    for reach, case in world.items():
        response = client.get(f"/api/v1/persons/{case.person_id}/")
        classes = expected(role, reach, Action.VIEW)
        if not classes:
            assert response.status_code == 404, (role, reach)
            continue
        body = response.json()
        for field, data_class in PERSON_FIELD_CLASSES.items():
            if field == "photo":
                continue
            assert (field in body) == (data_class in classes), (role, reach, field)


def test_the_table_in_docs_security_is_the_table_in_the_code() -> None:
    from pathlib import Path

    from django.conf import settings

    from access.management.commands.access_table import access_table_markdown

    document = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text()
    assert access_table_markdown() in document, "run `manage.py access_table` and paste it into docs/security.md"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_exports_hold_exactly_the_persons_whose_identity_the_role_may_export(
    role: Role, world: dict[str, Case], make_user: Callable[..., User]
) -> None:
    user = _user_with(role, make_user, world["assigned"])
    client = Client()
    client.force_login(user)
    response = client.get("/people/export.csv")
    if not any(Action.EXPORT in actions for actions in RULES[role].data.values()):
        assert response.status_code == 403
        return
    exported = {int(line.split(",")[0]) for line in response.content.decode("utf-8-sig").splitlines()[1:]}
    for reach, case in world.items():
        may = DataClass.IDENTITY in expected(role, reach, Action.EXPORT)
        assert (case.person_id in exported) == may, (role, reach)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_files_are_served_exactly_where_identity_may_be_seen(
    role: Role, world: dict[str, Case], make_user: Callable[..., User], settings, tmp_path
) -> None:
    from django.core.files.base import ContentFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    scans = {}
    for reach, case in world.items():
        case.person.photo.save("p.jpg", ContentFile(b"\xff\xd8\xff fake"), save=True)
        document = IdentityDocument.objects.create(person=case.person, doc_type="passport", status="valid")
        document.scan.save("scan.pdf", ContentFile(b"%PDF-1.4 scan %%EOF"), save=True)
        scans[reach] = f"documents/{document.pk}/scan/"
    user = _user_with(role, make_user, world["assigned"])
    client = Client()
    api = APIClient()
    client.force_login(user)
    api.force_authenticate(user)
    for reach, case in world.items():
        may = DataClass.IDENTITY in expected(role, reach, Action.VIEW)
        for url in (
            f"/people/{case.person_id}/photo/",
            f"/people/{case.person_id}/{scans[reach]}",
            f"/api/v1/persons/{case.person_id}/{scans[reach]}",
        ):
            response = (api if url.startswith("/api/") else client).get(url)
            assert response.status_code == (200 if may else 404), (role, reach, url)
