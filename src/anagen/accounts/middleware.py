from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ClinicMiddleware:
    """Puts the signed-in user's clinic on ``request.clinic``; every query is scoped by it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        request.clinic = user.clinic if user is not None and user.is_authenticated else None  # type: ignore[attr-defined]
        return self.get_response(request)
