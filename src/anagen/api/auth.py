"""Who is calling: a bearer token (scripts, integrations) or the browser session (HTMX, with CSRF).

Each operation names the roles allowed, exactly as the web page doing the same thing does
(``anagen.accounts.permissions.staff_required``). Unknown, expired or revoked tokens get 401;
a valid caller whose role may not do it gets 403; another clinic's ids get 404 (the queries are
scoped to ``request.clinic``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from anagen.accounts import models as accounts
from anagen.api import tokens


def _allowed(user: Any, roles: frozenset[str]) -> Any:
    if not user.is_authenticated or not user.is_active or not user.is_clinic_staff:
        return None
    if user.role not in roles:
        raise PermissionDenied("Your role may not do this.")
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ang_<prefix>_<secret>``: a per-user API token."""

    def __init__(self, roles: Iterable[str] = accounts.ALL_STAFF_ROLES):
        self.roles = frozenset(roles)
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = tokens.authenticate(token)
        if user is None:
            return None
        # The session middleware saw no session: the token's user is the caller from here on,
        # for the audit trail (Actor.from_request) and for clinic scoping.
        request.user = user
        request.clinic = user.clinic  # type: ignore[attr-defined]
        # Some operations are for a signed-in person only, never a token (creating tokens).
        request.authenticated_by_token = True  # type: ignore[attr-defined]
        return _allowed(user, self.roles)


def by_token(request: HttpRequest) -> bool:
    """Whether this API call was authenticated by a bearer token (else by the signed-in session)."""
    return bool(getattr(request, "authenticated_by_token", False))


class StaffSessionAuth(SessionAuth):
    """The signed-in browser session; ninja checks the CSRF token on unsafe methods."""

    def __init__(self, roles: Iterable[str] = accounts.ALL_STAFF_ROLES):
        self.roles = frozenset(roles)
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        request.clinic = user.clinic  # type: ignore[attr-defined]
        return _allowed(user, self.roles)


def staff(roles: Iterable[str]) -> list[Any]:
    return [TokenAuth(roles), StaffSessionAuth(roles)]


ANY_STAFF = staff(accounts.ALL_STAFF_ROLES)
CLINICAL = staff(accounts.CLINICAL_ROLES)
TRICHOLOGIST = staff(accounts.TRICHOLOGIST_ROLES)
PERFORMS = staff(accounts.PERFORMING_ROLES)
STOCK_VIEWERS = staff(accounts.CLINICAL_ROLES)
ADMIN = staff(accounts.ADMIN_ROLES)
OUTCOMES = staff(accounts.OUTCOMES_ROLES)
INVITERS = staff(accounts.INVITING_ROLES)

DEFAULT_RATE = "300/min"


class UserRateThrottle(SimpleRateThrottle):
    """Per-user rate: ``ANAGEN_API_RATE`` (setting or environment), default 300 requests a minute.

    Counted in Django's cache (per process with the default local-memory cache; use a shared
    cache such as Redis to count across gunicorn workers).
    """

    scope = "anagen_user"

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "ANAGEN_API_RATE", "") or os.environ.get("ANAGEN_API_RATE", "") or DEFAULT_RATE
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        if user is None or not getattr(user, "pk", None):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


def docs_access(view: Any) -> Any:
    """The OpenAPI document and its docs page: for signed-in staff (session) or a valid API token.
    They hold no patient data, but the rule is that nothing answers strangers but /healthz."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.http import JsonResponse

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("bearer "):
            token_user = tokens.authenticate(header[7:].strip())
            if token_user is not None and token_user.is_clinic_staff:
                return view(request, *args, **kwargs)
            return JsonResponse({"type": "about:blank", "title": "Unauthorized", "status": 401,
                                 "detail": "A valid API token is needed."}, status=401, content_type="application/problem+json")
        if user.is_authenticated and getattr(user, "is_clinic_staff", False):
            return view(request, *args, **kwargs)
        if user.is_authenticated:
            raise PermissionDenied("The API documentation is for clinic staff.")
        return redirect_to_login(request.get_full_path())

    return wrapper
