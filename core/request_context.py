"""The request being served, for the audit log's path and address. Set by core.middleware."""

from contextvars import ContextVar

from django.http import HttpRequest

_request: ContextVar[HttpRequest | None] = ContextVar("zhusan_request", default=None)


def current_request() -> HttpRequest | None:
    return _request.get()


def set_current_request(request: HttpRequest | None) -> object:
    return _request.set(request)


def reset_current_request(token: object) -> None:
    _request.reset(token)  # type: ignore[arg-type]
