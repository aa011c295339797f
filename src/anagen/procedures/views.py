from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anagen.accounts.models import CLINICAL_ROLES, Role
from anagen.accounts.permissions import staff_required
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.procedures import services
from anagen.procedures.forms import (
    AddendumForm,
    AftercareForm,
    LotFormSet,
    SessionForm,
    session_input,
)

clinical = staff_required(roles=CLINICAL_ROLES)
performs = staff_required(roles=[Role.PRACTITIONER, Role.TRICHOLOGIST])


def _lot_choices(request: HttpRequest) -> list[tuple[int, str]]:
    today = timezone.localdate()
    return [
        (lot.pk, f"{lot.product.name} · lot {lot.lot_number} · expires {display.day(lot.expiry_date)} · {lot.remaining_ml} mL left")
        for lot in services.selectable_lots(request.clinic, today)
    ]


@performs
@never_cache
def record(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    appointment = services.get_appointment_for_session(actor, request.clinic, appointment_id)
    signed = services.session_of(appointment)
    if signed is not None:
        # A signed record never shows an editable form again (the back button, a re-submit).
        messages.info(request, f"This session was signed at {display.clock(timezone.localtime(signed.signed_at))}: it is read-only; corrections are addenda.")
        return redirect("procedures:detail", session_id=signed.pk)
    today = timezone.localdate()
    course, formulation = services.course_and_formulation(appointment)
    choices = _lot_choices(request)
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, initial={"technique": "needle", "needle_gauge": 32, "needle_length_mm": 4, "depth_mm": 2,
                                      "injection_style": "point_by_point", "aftercare_language": "en"})
    lots = LotFormSet(data, prefix="lots", form_kwargs={"lot_choices": choices})
    status = 200
    if request.method == "POST":
        if form.is_valid() and lots.is_valid():
            try:
                session = services.record_session(actor, appointment, session_input(form, lots), practitioner=request.user, today=today)
            except services.SessionBlocked as exc:
                for error in exc.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                messages.success(request, "Session signed. Hand over the aftercare sheet; the 24-48 hour follow-up is scheduled.")
                return redirect("procedures:aftercare", session_id=session.pk)
        else:
            status = 400
    context = {
        "appointment": appointment, "patient": appointment.patient, "course": course, "formulation": formulation,
        "form": form, "lots": lots, "blocking": services.preconditions(appointment, today) if request.method == "GET" else [],
        "map_points": _posted_points(request),
    }
    return render(request, "procedures/record.html", context, status=status)


def _posted_points(request: HttpRequest) -> list[dict[str, Any]]:
    import json

    try:
        rows = json.loads(request.POST.get("injection_map") or "[]")
        return [r for r in rows if isinstance(r, dict) and {"x", "y", "volume_ml"} <= set(r)]
    except (ValueError, TypeError):
        return []


@clinical
def detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = services.get_session(Actor.from_request(request), request.clinic, session_id)
    context = {
        "session": session, "patient": session.patient, "usages": session.lot_usages.select_related("lot__product"),
        "addenda": session.addenda.select_related("author"), "addendum_form": AddendumForm(),
        "follow_up": getattr(session, "follow_up", None) if hasattr(session, "follow_up") else None,
    }
    return render(request, "procedures/detail.html", context)


@clinical
@require_POST
def addendum(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    session = services.get_session(actor, request.clinic, session_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        services.add_addendum(actor, session, form.cleaned_data["reason"], form.cleaned_data["text"], request.user)
        messages.success(request, "Addendum added.")
    else:
        messages.error(request, "An addendum needs a reason and a text.")
    return redirect("procedures:detail", session_id=session.pk)


@staff_required()
def aftercare(request: HttpRequest, session_id: int) -> HttpResponse:
    """The aftercare sheet for a session, printable; reception may print it too (no clinical notes)."""
    session = services.get_session(Actor.from_request(request), request.clinic, session_id)
    language = request.GET.get("lang") or session.aftercare_language
    if language not in services.LANGUAGES:
        language = "en"
    context = {
        "session": session, "patient": session.patient, "sheet": services.aftercare_sheet(request.clinic, language),
        "language": language, "languages": services.LANGUAGES,
    }
    return render(request, "procedures/aftercare.html", context)


@staff_required(roles=[Role.CLINIC_ADMIN])
def aftercare_edit(request: HttpRequest, language: str) -> HttpResponse:
    if language not in services.LANGUAGES:
        return render(request, "404.html", status=404)
    title, body = services.aftercare_text(request.clinic, language)
    form = AftercareForm(request.POST or None, initial={"title": title, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_aftercare(request.clinic, language, form.cleaned_data["title"], form.cleaned_data["body"], request.user)
        except InvalidInput as exc:
            form.add_error("body", exc.errors[0].message)
        else:
            messages.success(request, "Aftercare sheet saved.")
            return redirect("procedures:aftercare_edit", language=language)
    return render(request, "procedures/aftercare_edit.html", {"form": form, "language": language, "languages": services.LANGUAGES},
                  status=400 if form.errors else 200)
