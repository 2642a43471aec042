"""The demo data set matches the source document's figures and loads only once."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from access.rules import Role
from casework.models import Case
from casework.transitions import CaseState
from demo.builder import WAVES
from operations.models import Operation
from people.categories import categories_for
from people.models import Person, PersonName


@pytest.fixture
def demo(db: None, tmp_path: Path) -> Path:
    logins = tmp_path / "logins.json"
    call_command("demo", logins_file=str(logins), quiet=True)
    return logins


def test_the_demo_has_the_operations_returnees_in_the_documents_numbers(demo: Path) -> None:
    # Evacuated by the operation's waves; the self-returns through a consulate arrived on other dates.
    wave_dates = [on for on, _ in WAVES]
    evacuated = list(Case.objects.filter(evacuated_on__in=wave_dates).select_related("person"))
    counts: Counter[str] = Counter()
    for case in evacuated:
        categories = categories_for([case.person], on=case.evacuated_on)[case.person_id]
        counts[categories.group or "unknown"] += 1
        counts["orphan"] += categories.orphan
    assert len(evacuated) == 595
    assert (counts["man"], counts["woman"], counts["child"], counts["orphan"]) == (33, 156, 406, 31)


def test_six_women_refused_to_return(demo: Path) -> None:
    refused = Case.objects.filter(state=CaseState.REFUSED, parent_case__isnull=True, person__sex="F")
    assert refused.count() == 6


def test_aigerim_is_registered_only_in_cyrillic_with_three_children(demo: Path) -> None:
    name = PersonName.objects.get(given="Айгерим")
    assert set(name.person.names.values_list("script", flat=True)) == {"cyrl"}
    children = name.person.relationships_as_subject.filter(kind="mother")
    assert children.count() == 3


def test_running_the_demo_twice_adds_nothing_and_keeps_the_logins(demo: Path) -> None:
    persons, first = Person.objects.count(), json.loads(demo.read_text())
    call_command("demo", logins_file=str(demo), quiet=True)
    assert Person.objects.count() == persons
    second = json.loads(demo.read_text())
    assert first == second
    roles = {role for row in second for role in row["roles"]}
    assert roles == set(Role.values)  # every role of access.rules has a demo login
    assert all(len(row["password"]) >= 15 and row["api_token"] for row in second)


def test_a_demo_loaded_before_a_role_was_added_gets_that_login_on_the_next_run(demo: Path) -> None:
    from access.models import User

    # Audit entries keep their actor (append-only), so the older demo is simulated by a login under another name.
    User.objects.filter(username="dpo").update(username="dpo-before")
    call_command("demo", logins_file=str(demo), quiet=True)
    logins = {row["username"]: row for row in json.loads(demo.read_text())}
    assert logins["dpo"]["roles"] == [Role.DATA_PROTECTION_OFFICER]


def test_search_filters_count_the_same_categories_as_the_domain_function(demo: Path) -> None:
    from access.models import NdaAcceptance, NdaVersion, User
    from people.selectors import person_search

    supervisor = User.objects.get(username="supervisor")
    nda = NdaVersion.current()
    assert nda is not None
    NdaAcceptance.objects.create(user=supervisor, nda=nda)
    visible = {
        c.person_id: c
        for c in Case.objects.filter(responsible_agency=supervisor.agency, evacuated_on__isnull=False).select_related(
            "person"
        )
    }
    expected: Counter[str] = Counter()
    for case in visible.values():
        categories = categories_for([case.person], on=case.evacuated_on)[case.person_id]
        expected[categories.group or ""] += 1
        expected["orphan"] += categories.orphan
    for category in ("man", "woman", "child", "orphan"):
        found = person_search(supervisor, category=category, state="").paginator.object_list
        found_evacuated = [p for p in found if p.pk in visible]
        assert len(found_evacuated) == expected[category], category


def _statistics_client() -> tuple[APIClient, Client]:
    from access.models import NdaAcceptance, NdaVersion, User

    statistician = User.objects.get(username="statistician")
    nda = NdaVersion.current()
    assert nda is not None
    NdaAcceptance.objects.get_or_create(user=statistician, nda=nda)
    api, page = APIClient(), Client()
    api.force_authenticate(statistician)
    page.force_login(statistician)
    return api, page


def test_the_programme_summary_shows_the_documents_figures(demo: Path) -> None:
    api, page = _statistics_client()
    data = api.get("/api/v1/reports/programme-summary/").json()
    assert data["evacuated"] == {"total": 595, "men": 33, "women": 156, "children": 406, "orphans": 31}
    held = data["held_accountable"]
    assert (held["total"], held["men"], held["women"]) == (45, 33, 12)
    assert data["movement_restricted"]["women"] == 4
    assert data["refused"]["women"] == 6
    waves = data["waves"]
    assert [w["arrives_on"] for w in waves] == ["2019-01-06", "2019-05-09", "2019-05-29", "2019-06-10"]
    for key in ("total", "men", "women", "children", "orphans"):
        assert sum(w["evacuated"][key] for w in waves) == data["evacuated"][key]
    assert sum(w["held_accountable"]["total"] for w in waves) == 45

    operation = Operation.objects.get(name="Zhusan 2019")
    only = api.get(f"/api/v1/reports/programme-summary/?operation={operation.pk}").json()
    assert only["evacuated"] == data["evacuated"] and only["operation"]["name"] == "Zhusan 2019"

    html = page.get("/reports/programme-summary/").content.decode()
    for figure, value in (("evacuated.total", 595), ("held_accountable.total", 45), ("refused.women", 6)):
        assert f'data-figure="{figure}">{value}<' in html
