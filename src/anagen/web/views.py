from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anagen.accounts import services as accounts_services
from anagen.accounts.models import Language, Role
from anagen.accounts.permissions import staff_required
from anagen.audit.services import Actor
from anagen.patients import services as patients_services
from anagen.patients.forms import PatientSearchForm
from anagen.patients.models import Patient
from anagen.portal.services import account_for_user


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "search_form": PatientSearchForm(),
        "patient_count": Patient.objects.filter(clinic=request.clinic).count(),
    }
    return render(request, "web/home.html", context)


@staff_required()
@require_GET
def session_ping(request: HttpRequest) -> JsonResponse:
    """Keeps a signed-in session alive (a request renews the 30-minute idle expiry, at most once a
    minute: anagen.accounts.middleware.IdleExpiryMiddleware) and says
    how long it has left. Also the benchmarks' "framework floor": the cheapest logged-in view,
    through the same middleware as every page."""
    from django.conf import settings

    return JsonResponse({"ok": True, "expires_in_seconds": settings.SESSION_COOKIE_AGE})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch in every page's header. A patient's choice becomes their registry
    record's preferred language (so the clinic's letters follow it too); a member of staff's
    becomes their own, with "" for the clinic's. Then back to the page they were on."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    language = request.POST.get("language", "")
    is_patient = request.user.role == Role.PATIENT  # type: ignore[union-attr]
    if language not in Language.values and (is_patient or language != ""):
        messages.error(request, _("Language: choose one of the languages in the list."))
        return redirect(next_url)
    actor = Actor.from_request(request)
    if is_patient:
        account = account_for_user(request.user)
        if account is None:
            raise PermissionDenied
        patients_services.set_preferred_language(actor, account.patient, language)
    else:
        accounts_services.set_own_language(actor, request.user, language)  # type: ignore[arg-type]
    response = redirect(next_url)
    # The sign-in page after signing out keeps the language too (LocaleMiddleware reads the cookie).
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure())
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: no login, no patient data, only whether the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "unhealthy", never a 500
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})
