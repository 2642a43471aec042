"""Deny by default: every URL the resolver knows refuses an anonymous visitor, except a short public list.

Walks the whole URL configuration, so a new page or endpoint is covered the day it is added.
"""

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# The only URLs open without signing in, and why.
PUBLIC = {
    "/accounts/login/": "the login page",
    "/i18n/setlang/": "switching the interface language",
    "/healthz": "load balancer health check, says only 'ok'",
}


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _concrete(route: str) -> str | None:
    """A visitable path for a route: parameters become 1, regex anchors and format suffixes are dropped."""
    if "format" in route or "<drf_format_suffix" in route:
        return None
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
    return "/" + path if not path.startswith("/") else path


ROUTES = sorted({p for route, _ in _walk(get_resolver().url_patterns) if (p := _concrete(route))})


def test_the_walk_covers_pages_api_and_administration() -> None:
    assert "/people/1/" in ROUTES and "/api/v1/persons/1/" in ROUTES and "/audit/" in ROUTES
    assert "/administration/staff/1/" in ROUTES


def test_the_django_admin_is_not_mounted() -> None:
    """Staff accounts change only through the audited services (docs/decisions/0032), never a raw model admin."""
    assert not any(r.startswith("/admin/") for r in ROUTES)


@pytest.mark.parametrize("path", ROUTES)
def test_an_anonymous_visitor_is_refused_everywhere_but_the_public_list(db: None, path: str) -> None:
    response = Client().get(path)
    if path in PUBLIC:
        assert response.status_code in (200, 302, 405)
        return
    if path.startswith("/static/"):
        return
    if response.status_code == 302:
        assert "/login/" in response["Location"], (path, response["Location"])
    else:
        assert response.status_code in (401, 403, 404, 405), (path, response.status_code)
