"""The public online-booking pages (no sign-in) and the clinic admin's settings page.

Thin: parse, call ``anagen.booking.services``, render. What the patient typed travels only in POST
bodies; the pending request's id lives in the session, so no URL carries patient data. Per-address
limits use django-ratelimit in the shared cache; per-number limits are the service's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from anagen.accounts.models import Clinic, Language
from anagen.accounts.permissions import admin_only
from anagen.audit.services import Actor, client_ip
from anagen.booking import services
from anagen.booking.forms import BookingForm, CodeForm, SettingsForm, SlotForm
from anagen.booking.models import BookingRequest
from anagen.core import online_booking as rules
from anagen.core.errors import Conflict, InvalidInput, NotFound
from anagen.ui.forms import add_errors_from

SESSION_KEY = "online_booking"
DONE_KEY = "online_booking_done"


def _address(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _limited(request: HttpRequest, group: str, per_hour: int) -> bool:
    return is_ratelimited(request, group=group, key=_address, rate=f"{per_hour}/h", method="POST", increment=True)


def _too_many(request: HttpRequest, clinic: Clinic | None) -> HttpResponse:
    return render(request, "booking/message.html", {
        "clinic": clinic, "title": _("Too many attempts"),
        "text": _("Too many booking attempts came from your network in the last hour. Try again later, or call the clinic."),
    }, status=429)


def _day_choice(request: HttpRequest, days: list[date]) -> date | None:
    raw = request.POST.get("day") or request.GET.get("day") or ""
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        chosen = None
    return chosen if chosen in days else (days[0] if days else None)


def _calendar(clinic: Clinic, request: HttpRequest) -> dict[str, Any]:
    now = timezone.now()
    days = services.open_days(clinic, timezone.localdate(now))
    day = _day_choice(request, days)
    times = services.free_consultation_times(clinic, day, now) if day else []
    return {"days": days, "day": day, "times": [timezone.localtime(t) for t in times],
            "minutes": services.consultation_minutes(clinic)}


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    clinics = services.clinics_taking_bookings()
    if len(clinics) == 1:
        return redirect("booking:clinic", clinic_id=clinics[0].pk)
    return render(request, "booking/start.html", {"clinics": clinics})


@never_cache
@require_http_methods(["GET", "POST"])
def clinic_page(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = services.open_clinic(clinic_id)
    if not services.takes_bookings(clinic):
        return render(request, "booking/message.html", {"clinic": clinic, "title": _("Online booking"),
                      "text": _("This clinic does not take bookings online. Please call the clinic.")})
    form = BookingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _limited(request, "booking:code", rules.CODE_REQUESTS_PER_ADDRESS_PER_HOUR):
            return _too_many(request, clinic)
        if form.is_valid():
            data = form.cleaned_data
            details = services.Details(given_name=data["given_name"], family_name=data["family_name"],
                                       date_of_birth=data["date_of_birth"], sex=data["sex"], phone=data["phone"],
                                       email=data["email"], language=_language(request))
            try:
                booking = services.request_code(clinic, starts_at=data["starts_at"], details=details, honeypot=data["website"])
            except (InvalidInput, Conflict) as exc:
                add_errors_from(form, exc)
            else:
                request.session[SESSION_KEY] = booking.pk
                return redirect("booking:confirm", clinic_id=clinic.pk)
        status = 400
    context = {"clinic": clinic, "form": form, **_calendar(clinic, request)}
    return render(request, "booking/clinic.html", context, status=status)


def _language(request: HttpRequest) -> str:
    code = getattr(request, "LANGUAGE_CODE", "") or ""
    return code if code in Language.values else Language.ENGLISH


def _pending(request: HttpRequest, clinic: Clinic) -> BookingRequest | None:
    try:
        return services.pending_request(clinic, request.session.get(SESSION_KEY))
    except NotFound:
        return None


def _finished(request: HttpRequest, booked: services.Booked) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session[DONE_KEY] = {"clinic": booked.clinic.pk, "when": booked.when,
                                 "minutes": booked.appointment.duration_minutes}
    return redirect("booking:done", clinic_id=booked.clinic.pk)


def _sent_to(booking: BookingRequest) -> str:
    """The end of the address the code went to, so the patient knows where to look."""
    if booking.sent_by == "email":
        return booking.email.split("@")[-1]
    return booking.phone[-4:]


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = services.open_clinic(clinic_id)
    booking = _pending(request, clinic)
    if booking is None or booking.done:
        return redirect("booking:clinic", clinic_id=clinic.pk)
    if booking.verified_at is not None:
        return redirect("booking:rechoose", clinic_id=clinic.pk)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _limited(request, "booking:check", rules.CODE_CHECKS_PER_ADDRESS_PER_HOUR):
            return _too_many(request, clinic)
        if form.is_valid():
            try:
                booked = services.confirm_code(booking, form.cleaned_data["code"], ip_address=client_ip(request))
            except services.SlotGone as exc:
                messages.warning(request, exc.message)
                return redirect("booking:rechoose", clinic_id=clinic.pk)
            except (services.CodeExpired, services.CodeUsedUp) as exc:
                request.session.pop(SESSION_KEY, None)
                return render(request, "booking/message.html", {"clinic": clinic, "title": _("Code not accepted"),
                              "text": exc.message, "again": True}, status=400)
            except InvalidInput as exc:
                add_errors_from(form, exc)
            else:
                return _finished(request, booked)
        status = 400
    context = {"clinic": clinic, "form": form, "sent_by": booking.sent_by, "sent_to": _sent_to(booking),
               "digits": rules.CODE_DIGITS, "code_minutes": int(rules.CODE_LIFETIME.total_seconds() // 60),
               "tries": rules.MAX_CODE_TRIES, "starts_at": timezone.localtime(booking.starts_at)}
    return render(request, "booking/confirm.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def rechoose(request: HttpRequest, clinic_id: int) -> HttpResponse:
    """The number is verified but the chosen time was taken: choose another, keeping the details."""
    clinic = services.open_clinic(clinic_id)
    booking = _pending(request, clinic)
    if booking is None or booking.done or booking.verified_at is None:
        return redirect("booking:clinic", clinic_id=clinic.pk)
    form = SlotForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                booked = services.book_verified(booking, form.cleaned_data["starts_at"], ip_address=client_ip(request))
            except (services.CodeExpired, services.CodeUsedUp) as exc:
                request.session.pop(SESSION_KEY, None)
                return render(request, "booking/message.html", {"clinic": clinic, "title": _("Booking not completed"),
                              "text": exc.message, "again": True}, status=400)
            except (InvalidInput, Conflict) as exc:
                add_errors_from(form, exc)
            else:
                return _finished(request, booked)
        status = 400
    context = {"clinic": clinic, "form": form, **_calendar(clinic, request)}
    return render(request, "booking/rechoose.html", context, status=status)


@never_cache
@require_GET
def done(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = services.open_clinic(clinic_id)
    summary = request.session.get(DONE_KEY)
    if not summary or summary.get("clinic") != clinic.pk:
        return redirect("booking:clinic", clinic_id=clinic.pk)
    return render(request, "booking/done.html", {"clinic": clinic, "summary": summary})


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language switch of the public pages: a visitor has no record, so the choice is kept in
    the language cookie that LocaleMiddleware reads (as the sign-in page does after signing out)."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("booking:start")
    response = redirect(next_url)
    code = request.POST.get("language", "")
    if code in Language.values:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure())
    return response


@admin_only
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    stored = services.settings_for(request.clinic)
    form = SettingsForm(request.POST or None, initial={f: getattr(stored, f) for f in services.SETTING_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(Actor.from_request(request), request.clinic, form.cleaned_data)
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Online booking settings saved."))
            return redirect("booking:settings")
    public_url = request.build_absolute_uri(reverse("booking:clinic", kwargs={"clinic_id": request.clinic.pk}))
    return render(request, "booking/settings.html", {"form": form, "public_url": public_url},
                  status=400 if form.errors else 200)
