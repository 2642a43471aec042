from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from access.mfa import second_factor_is_recent


def recent_second_factor(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sensitive acts (changing the second factor, bulk exports) ask for a fresh code first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not second_factor_is_recent(request):
            return redirect(f"{reverse('second-factor-verify')}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper
