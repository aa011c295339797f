from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse


class IdleExpiryMiddleware:
    """Renews a signed-in session's idle expiry (``SESSION_COOKIE_AGE``, 30 minutes) at most once a
    minute instead of writing the session row on every request (``SESSION_SAVE_EVERY_REQUEST``).

    A session then ends 29 to 30 minutes after its last request, and pages read by the dozen each
    minute no longer each take the database's write lock (SQLite has one writer). Installed right
    after ``SessionMiddleware``.
    """

    RENEW_AFTER_SECONDS = 60
    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.RENEW_AFTER_SECONDS:
                session[self.KEY] = now  # modified: saved, so the expiry moves 30 minutes ahead
        return self.get_response(request)


class ClinicMiddleware:
    """Puts the signed-in user's clinic on ``request.clinic``; every query is scoped by it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        request.clinic = user.clinic if user is not None and user.is_authenticated else None  # type: ignore[attr-defined]
        return self.get_response(request)


class TwoFactorMiddleware:
    """The second step of signing in, after the password (installed after django-otp's OTPMiddleware).

    - A user with a confirmed authenticator whose session has not yet been verified by a code is
      sent to the code page before any other page.
    - A user whose role makes two-factor mandatory (``ANAGEN_TWO_FACTOR_REQUIRED_ROLES``) and who
      has no authenticator is sent to set one up first.

    Only signing out, the code and setup pages, the password-reset pages and the health check are
    open in between. HTMX requests get an ``HX-Redirect``; API calls with a session get 403.
    """

    OPEN_URL_NAMES = frozenset({
        "logout",
        "login",
        "healthz",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
    })

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any) -> HttpResponse | None:
        from anagen.accounts import two_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.OPEN_URL_NAMES:
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        # The flag read with the user at the start of this request (StaffBackend.get_user), else ask.
        has_authenticator = getattr(user, "has_confirmed_authenticator", None)
        if has_authenticator is None:
            has_authenticator = two_factor.has_two_factor(user)
        if has_authenticator:
            target = "accounts:two_factor_verify"
        elif two_factor.is_required_for(user):
            target = "accounts:two_factor_setup"
        else:
            return None
        if request.path.startswith("/api/"):
            return HttpResponseForbidden("Two-factor sign-in is not complete for this session.")
        url = reverse(target)
        if request.method == "GET" and not getattr(request, "htmx", False):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
