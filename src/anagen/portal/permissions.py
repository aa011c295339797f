"""``patient_required``: portal pages are for a signed-in patient with active portal access only.

The patient is loaded from the user's ``PatientAccount`` and put on ``request.patient``; portal
URLs never carry a patient id.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from anagen.portal.services import account_for_user

View = Callable[..., HttpResponse]


def patient_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        account = account_for_user(request.user)
        if account is None:
            raise PermissionDenied
        request.portal_account = account  # type: ignore[attr-defined]
        request.patient = account.patient  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
