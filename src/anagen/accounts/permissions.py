"""Access decorators: every staff page needs a login, a clinic and one of the allowed roles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from anagen.accounts.models import (
    ADMIN_ROLES,
    ALL_STAFF_ROLES,
    CLINICAL_ROLES,
    INVITING_ROLES,
    OUTCOMES_ROLES,
    PERFORMING_ROLES,
    TRICHOLOGIST_ROLES,
)

View = Callable[..., HttpResponse]


def staff_required(roles: Iterable[str] = ALL_STAFF_ROLES) -> Callable[[View], View]:
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_clinic_staff or user.role not in allowed:  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator


def superuser_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# The role decorators every app's views use, defined once (the API's twins are in anagen.api.auth).
any_staff = staff_required()
clinical = staff_required(roles=CLINICAL_ROLES)
"""Clinic admins, trichologists and practitioners: everything clinical, stock included."""
admin_only = staff_required(roles=ADMIN_ROLES)
trichologist_only = staff_required(roles=TRICHOLOGIST_ROLES)
performs = staff_required(roles=PERFORMING_ROLES)
admin_or_trichologist = staff_required(roles=OUTCOMES_ROLES)
inviters = staff_required(roles=INVITING_ROLES)
