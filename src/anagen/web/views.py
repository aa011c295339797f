from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from anagen.accounts.permissions import staff_required
from anagen.patients.forms import PatientSearchForm
from anagen.patients.models import Patient


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


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico before they read the page's icon link. Resolved per request:
    in production the static file's name carries its hash, known only once collected."""
    return HttpResponsePermanentRedirect(static("anagen/favicon.svg"))


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
