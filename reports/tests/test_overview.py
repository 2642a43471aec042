from collections.abc import Callable

from django.test import Client

from access.models import User
from casework.models import Case
from conftest import latin


def test_the_statistician_sees_counts_and_no_person(register: Callable[..., Case], statistician: User) -> None:
    register(latin("Aigerim", "Nurlanova"))
    client = Client()
    client.force_login(statistician)
    page = client.get("/").content.decode()
    assert "Programme figures" in page
    assert "Aigerim" not in page and "Nurlanova" not in page
    assert client.get("/people/").status_code == 403


def test_a_caseworker_does_not_see_programme_figures(register: Callable[..., Case], caseworker_a: User) -> None:
    client = Client()
    client.force_login(caseworker_a)
    assert "Programme figures" not in client.get("/").content.decode()
