from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anagen.accounts import services as accounts_services
from anagen.accounts.models import Language, Role
from anagen.accounts.permissions import staff_required
from anagen.audit.services import Actor
from anagen.consultations import services as consultations
from anagen.patients import services as patients_services
from anagen.patients.forms import PatientSearchForm
from anagen.portal.services import account_for_user
from anagen.safety.services import follow_up_state, open_follow_ups
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Status
from anagen.web import today


def _day(request: HttpRequest) -> dt.date:
    """Today, or the day asked for (tomorrow: blockers show the day before, not at the chair)."""
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return day if abs((day - today).days) <= 31 else today


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    """Each role's first screen: its Today."""
    actor = Actor.from_request(request)
    day = _day(request)
    now = timezone.now()
    role = request.user.role
    context: dict[str, Any] = {"day": day, "today": timezone.localdate(), "is_today": day == timezone.localdate(),
                               "tomorrow": timezone.localdate() + dt.timedelta(days=1), "search_form": PatientSearchForm()}
    if role == Role.PRACTITIONER:
        rows = today.day_rows(request.clinic, day, now=now, clinical=True, practitioner=request.user)
        follow_ups = [{"task": t, "state": follow_up_state(t, now)} for t in open_follow_ups(request.clinic) if follow_up_state(t, now) != "upcoming"][:20]
        today.record_reads(actor, f"today:{day.isoformat()}", [r.appointment.patient_id for r in rows] + [f["task"].patient_id for f in follow_ups])
        return render(request, "web/today_nurse.html", {**context, "rows": rows, "follow_ups": follow_ups})
    if role == Role.TRICHOLOGIST:
        day_of = today.trichologist_day(request.clinic, request.user, day, now)
        ids = [r.appointment.patient_id for r in day_of.rows] + [c.patient_id for c in day_of.drafts] + \
            [e.patient_id for e in day_of.events] + [c.patient_id for c in day_of.awaiting_formulation]
        today.record_reads(actor, f"today:{day.isoformat()}", ids)
        return render(request, "web/today_trichologist.html", {**context, "rows": day_of.rows, "drafts": day_of.drafts,
                                                               "events": day_of.events, "awaiting": day_of.awaiting_formulation})
    rows = today.day_rows(request.clinic, day, now=now, clinical=request.user.sees_clinical_content)
    panel = today.side_panel(request.clinic)
    ids = [r.appointment.patient_id for r in rows] + [i.patient_id for i in panel.unpaid] + [m.patient_id for m in panel.failed] + \
        [c.patient_id for c in panel.requests] + [p.patient_id for p in panel.packages] + [c.patient_id for c in panel.self_service] + \
        [e.patient.pk for e in panel.waiting_list if e.patient is not None]
    today.record_reads(actor, f"today:{day.isoformat()}", ids)
    return render(request, "web/today_reception.html", {**context, "rows": rows, "panel": panel})


@staff_required()
@require_POST
def today_arrived(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """One tap "Arrived" on the Today list: the row comes back with its new status (HTMX), or the
    list again without JavaScript."""
    appointment = scheduling.get_appointment(request.clinic, appointment_id)
    try:
        scheduling.mark_arrived(Actor.from_request(request), appointment)
    except scheduling.BookingError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
    else:
        if not request.htmx:
            messages.success(request, _("%(patient)s has arrived.") % {"patient": appointment.patient.full_name})
    if request.htmx:
        local_day = timezone.localtime(appointment.starts_at).date()
        rows = [r for r in today.day_rows(request.clinic, local_day, now=timezone.now(), clinical=request.user.sees_clinical_content)
                if r.appointment.pk == appointment.pk]
        return render(request, "web/_today_row.html", {"row": rows[0], "is_today": True})
    return redirect("home")


@staff_required(roles=[Role.TRICHOLOGIST])
@require_POST
def today_consult(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """"Start consultation" on the trichologist's Today: the consultation belongs to the
    appointment, the patient is in the chair, and the appointment is done when it is signed.
    Started twice, it opens the one already started."""
    actor = Actor.from_request(request)
    appointment = scheduling.get_appointment(request.clinic, appointment_id)
    if appointment.status in (Status.BOOKED, Status.ARRIVED):
        try:
            scheduling.mark_in_chair(actor, appointment)
        except scheduling.BookingError as exc:
            messages.error(request, exc.message)
            return redirect("home")
    consultation = consultations.start_consultation(actor, appointment.patient, request.user, timezone.localdate(),
                                                    appointment_id=appointment.pk)
    if consultation.is_signed:
        return redirect("consultations:detail", consultation_id=consultation.pk)
    return redirect("consultations:edit", consultation_id=consultation.pk)


@staff_required(roles=[Role.PRACTITIONER, Role.TRICHOLOGIST])
@require_POST
def today_start(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The nurse's "Start session": the patient is in the chair, and the session record opens."""
    appointment = scheduling.get_appointment(request.clinic, appointment_id)
    if appointment.status in (Status.BOOKED, Status.ARRIVED):
        try:
            scheduling.mark_in_chair(Actor.from_request(request), appointment)
        except scheduling.BookingError as exc:
            messages.error(request, exc.message)
            return redirect("home")
    return redirect("procedures:record", appointment_id=appointment.pk)


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
