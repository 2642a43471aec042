"""OPTIONS on every API route answers, never with a server error (a view without a serializer class used to)."""

import pytest
from rest_framework.test import APIClient

from access.models import User
from tests.test_url_access import ROUTES

API_ROUTES = [r for r in ROUTES if r.startswith("/api/v1/")]


def test_the_walk_finds_the_api_routes() -> None:
    assert "/api/v1/persons/" in API_ROUTES and "/api/v1/arrivals/" in API_ROUTES


@pytest.mark.parametrize("path", API_ROUTES)
def test_options_on_an_api_route_never_answers_a_server_error(path: str, supervisor_a: User) -> None:
    client = APIClient(raise_request_exception=False)
    assert client.options(path).status_code in (200, 401, 403, 404, 405), path
    client.force_authenticate(supervisor_a)
    response = client.options(path)
    assert response.status_code in (200, 401, 403, 404, 405), (path, response.status_code)
