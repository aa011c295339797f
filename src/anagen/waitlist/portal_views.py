"""The waiting list in the portal (``portal:waiting_list`` and its three actions): pages of the
portal's namespace that the waiting list adds, as it sits above the portal (``anagen.urls`` puts
them in the namespace). Only a signed-in patient with portal access reaches them; each looks up the
patient's own sessions, entries and offers only (another patient's ids are 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anagen.audit.services import Actor
from anagen.portal.permissions import patient_required
from anagen.portal.views import portal_page
from anagen.waitlist import services


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    found = services.own_waiting_list(Actor.from_request(request), request.patient)  # type: ignore[attr-defined]
    return portal_page(request, "portal/waiting_list.html", {"found": found, "error": error}, status=status)


@patient_required
def waiting_list(request: HttpRequest) -> HttpResponse:
    """The times offered to the patient and the sessions they wait with."""
    return _page(request)


@patient_required
@require_POST
def join(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        services.join(Actor.from_request(request), request.patient, appointment_id)  # type: ignore[attr-defined]
    except services.WaitlistError as exc:
        return _page(request, exc.message, status=409)
    messages.success(request, _("You are on the waiting list. If an earlier time becomes free, we offer it to you here and by "
                                "message; the first patient to accept it gets it."))
    return redirect("portal:waiting_list")


@patient_required
@require_POST
def leave(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        services.leave(Actor.from_request(request), request.patient, entry_id)  # type: ignore[attr-defined]
    except services.WaitlistError as exc:
        return _page(request, exc.message, status=409)
    messages.success(request, _("You have left the waiting list for this session. Your session stays booked."))
    return redirect("portal:waiting_list")


@patient_required
@require_POST
def accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    try:
        moved = services.accept(Actor.from_request(request), request.patient, offer_id)  # type: ignore[attr-defined]
    except services.WaitlistError as exc:
        return _page(request, exc.message, status=409)
    when = timezone.localtime(moved.starts_at)
    messages.success(request, _("The time is yours: your session is now on %(day)s at %(time)s. The clinic can see the change.") % {
        "day": date_format(when, "D j M Y"), "time": date_format(when, "H:i")})
    return redirect("portal:home")
