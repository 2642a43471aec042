"""Orphan siblings travel as one group on the manifest; the "add persons" page offers children under their mother."""

from collections.abc import Callable
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import policy
from access.models import User
from access.rules import DataClass
from casework.models import Case
from conftest import latin
from operations import selectors, services
from operations.manifest import manifest_table
from operations.models import Wave
from operations.tests.conftest import Family, consent
from people.services import relationship_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def orphans(register: Callable[..., Case], caseworker_a: User) -> Callable[..., list[Case]]:
    """Children with no mother or guardian recorded, linked to each other as siblings (a chain a-b, b-c, ...)."""
    counter = {"n": 0}

    def make(births: list[date]) -> list[Case]:
        counter["n"] += 1
        n = counter["n"]
        cases = [
            consent(register(latin(f"Orphan{n}x{i}", "Sibling"), born=born, sex="M"), caseworker_a)
            for i, born in enumerate(births)
        ]
        for one, other in pairwise(cases):
            relationship_add(actor=caseworker_a, subject=one.person, obj=other.person, kind="sibling")
        return cases

    return make


def _ids(cases: list[Case]) -> list[int]:
    return [c.person_id for c in cases]


def test_orphan_siblings_are_one_group_oldest_first(
    wave: Wave,
    orphans: Callable[..., list[Case]],
    register: Callable[..., Case],
    supervisor_a: User,
    caseworker_a: User,
) -> None:
    siblings = orphans([date(2012, 3, 1), date(2009, 7, 1), date(2015, 1, 1)])
    alone = consent(register(latin("Lone", "Child"), born=date(2011, 1, 1)), caseworker_a)
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[*_ids(siblings), alone.person_id])
    manifest = selectors.wave_manifest(supervisor_a, wave, "latn")
    groups = [[row.person.pk for row in group] for group in manifest.groups]
    oldest_first = [siblings[1].person_id, siblings[0].person_id, siblings[2].person_id]
    assert sorted(groups, key=len) == [[alone.person_id], oldest_first]
    sibling_group = next(group for group in manifest.groups if len(group) == 3)
    assert {row.role for row in sibling_group} == {"sibling"}
    assert {row.person.pk: row.role for row in manifest.rows}[alone.person_id] == "travels alone"
    _, rows = manifest_table(manifest)  # the PDF numbers them as one family
    numbers = {row[0] for row in rows if row[1] in {c.number for c in siblings}}
    assert len(numbers) == 1


def test_a_sibling_link_the_user_may_not_see_groups_nobody(
    wave: Wave, orphans: Callable[..., list[Case]], supervisor_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    siblings = orphans([date(2010, 1, 1), date(2012, 1, 1)])
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=_ids(siblings))
    hidden = siblings[0].person_id
    original = policy.classes_by_person

    def without_family(user: Any, ids: Any) -> Any:
        classes = original(user, ids)
        classes[hidden] = classes[hidden] - {DataClass.FAMILY}
        return classes

    monkeypatch.setattr(policy, "classes_by_person", without_family)
    manifest = selectors.wave_manifest(supervisor_a, wave, "latn")
    assert sorted(len(group) for group in manifest.groups) == [1, 1]
    assert {row.person.pk: row.role for row in manifest.rows}[hidden] is None


def test_sibling_grouping_makes_the_same_number_of_queries_for_2_and_20_siblings(
    make_wave: Callable[..., Wave], orphans: Callable[..., list[Case]], supervisor_a: User
) -> None:
    small, large = make_wave(), make_wave()
    services.wave_members_add(actor=supervisor_a, wave=small, person_ids=_ids(orphans([date(2010, 1, 1)] * 2)))
    for _ in range(4):
        services.wave_members_add(actor=supervisor_a, wave=large, person_ids=_ids(orphans([date(2010, 1, 1)] * 5)))

    def count(wave: Wave) -> int:
        with CaptureQueriesContext(connection) as queries:
            manifest = selectors.wave_manifest(supervisor_a, wave, "latn")
        assert all(row.role == "sibling" for row in manifest.rows)
        return len(queries)

    assert count(small) == count(large)
    assert len(selectors.wave_manifest(supervisor_a, large, "latn").groups) == 4


# --- the "add persons" page -----------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_children_are_offered_under_their_mother_and_not_again_on_their_own(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    family = make_family(children=2)
    _, candidates = selectors.wave_candidates(supervisor_a, "Family", "latn")
    assert [c.person.pk for c in candidates] == [family.mother.person_id]
    assert sorted(child.pk for child, *_ in candidates[0].children) == sorted(_ids(family.children))
    page = _client(supervisor_a).get(reverse("operations-wave-add", args=[wave.pk]), {"q": "Family"})
    content = page.content.decode()
    assert f'id="add-{family.mother.person_id}"' in content and "Child1x0 Family" in content
    assert not any(f'id="add-{pid}"' in content for pid in _ids(family.children))


def test_a_child_whose_mother_is_not_listed_or_already_planned_keeps_its_own_row(
    make_wave: Callable[..., Wave], make_family: Callable[..., Family], supervisor_a: User
) -> None:
    first, other = make_wave(), make_wave()
    family = make_family(children=1)
    _, candidates = selectors.wave_candidates(supervisor_a, "Child1x0", "latn")  # the mother does not match
    assert [c.person.pk for c in candidates] == [family.children[0].person_id]
    services.wave_members_add(actor=supervisor_a, wave=first, person_ids=[family.mother.person_id])
    _, candidates = selectors.wave_candidates(supervisor_a, "Family", "latn")
    listed = {c.person.pk: c for c in candidates}
    assert set(listed) == set(family.person_ids)  # she is planned: her child may still be added alone, elsewhere
    assert listed[family.mother.person_id].planned_wave == first
    page = _client(supervisor_a).get(reverse("operations-wave-add", args=[other.pk]), {"q": "Family"})
    assert f'id="add-{family.children[0].person_id}"' in page.content.decode()


def test_mothers_are_listed_first(
    wave: Wave, make_family: Callable[..., Family], register: Callable[..., Case], supervisor_a: User
) -> None:
    family = make_family(children=1)
    alone = consent(register(latin("Alone", "Family")), supervisor_a)  # registered last: first in the search order
    _, candidates = selectors.wave_candidates(supervisor_a, "Family", "latn")
    assert [c.person.pk for c in candidates] == [family.mother.person_id, alone.person_id]


def test_the_add_page_makes_the_same_number_of_queries_for_2_and_8_families(
    wave: Wave, make_family: Callable[..., Family], supervisor_a: User
) -> None:
    client = _client(supervisor_a)
    url = reverse("operations-wave-add", args=[wave.pk])
    for _ in range(2):
        make_family(children=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"q": "Family"}).status_code == 200
    for _ in range(6):
        make_family(children=2)
    with CaptureQueriesContext(connection) as large:
        content = client.get(url, {"q": "Family"}).content.decode()
    assert content.count('name="person"') == 8
    assert len(small) == len(large)
