"""The language of each signed-in request, from the people's own preferences (issue 21).

Django's LocaleMiddleware (earlier in settings.MIDDLEWARE) has already chosen a language from the
visitor's cookie or browser; once the user is known, their preference wins, so nobody has to
switch anything:

- a patient signed in to the portal reads their registry record's preferred language;
- a member of staff reads their own choice, else their clinic's.

LocaleMiddleware's response step then sets Content-Language from the language active here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from anagen.accounts.models import Role
from anagen.patients.models import Patient


def preferred_language(user: object) -> str | None:
    """The language a signed-in user's pages are written in; None for a visitor not signed in."""
    if not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "role", "") == Role.PATIENT:
        # The portal account ties the sign-in to exactly one patient of the user's clinic.
        return (
            Patient.objects.filter(portal_account__user=user, clinic_id=user.clinic_id)  # type: ignore[attr-defined]
            .values_list("preferred_language", flat=True)
            .first()
        )
    return user.staff_language  # type: ignore[attr-defined]


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
