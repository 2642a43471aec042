"""Pages and endpoints make the same number of queries whatever the amount of data."""

from collections.abc import Callable
from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from access.models import User
from casework.models import Case
from conftest import cyrillic, latin
from people import services


def _grow(register: Callable[..., Case], caseworker: User, families: int) -> Case:
    """Families of a mother with two children and a relative at home; returns the last mother's case."""
    case = None
    for i in range(families):
        case = register(cyrillic("Айгерим", f"Семья{i}"), latin("Aigerim", f"Family{i}"), born=date(1990, 1, 1))
        for name in ("Amina", "Yusuf"):
            child = register(latin(name, f"Family{i}"), born=date(2015, 1, 1))
            services.relationship_add(actor=caseworker, subject=case.person, obj=child.person, kind="mother")
        services.relative_register(
            actor=caseworker,
            of_person=case.person,
            kind="mother",
            names=[latin("Gulnara")],
            sex="F",
            birth_date=date(1960, 1, 1),
            birth_date_precision="day",
        )
    assert case is not None
    return case


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_search_person_page_and_api_do_not_grow_with_the_data(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    client = Client()
    client.force_login(caseworker_a)
    first = _grow(register, caseworker_a, 2)
    urls = [
        "/",
        "/people/",
        "/people/?q=aigerim",
        "/people/?category=child",
        f"/people/{first.person_id}/",
        "/api/v1/persons/?q=aigerim",
        "/api/v1/cases/",
    ]
    small = {url: _queries(client, url) for url in urls}
    _grow(register, caseworker_a, 12)
    large = {url: _queries(client, url) for url in urls}
    assert small == large
