from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anagen.accounts.models import content_language
from anagen.accounts.permissions import admin_only, clinical, performs, staff_required
from anagen.audit.services import Actor
from anagen.consultations.models import ZONE_CHOICES
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.procedures import pdf, services
from anagen.procedures.forms import (
    AddendumForm,
    AftercareForm,
    LotFormSet,
    SessionForm,
    session_input,
)
from anagen.procedures.models import TreatmentSession
from anagen.procedures.signals import session_flags
from anagen.ui.forms import add_errors_from


def _lot_choices(request: HttpRequest) -> list[tuple[int, str]]:
    today = timezone.localdate()
    return [
        (lot.pk, _lot_words(lot)) for lot in services.selectable_lots(request.clinic, today)
    ]


def _lot_words(lot: Any) -> str:
    return _("%(product)s · lot %(lot)s · expires %(day)s · %(volume)s mL left") % {
        "product": lot.product.name, "lot": lot.lot_number, "day": display.day(lot.expiry_date), "volume": lot.remaining_ml}


@performs
@never_cache
def record(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    appointment = services.get_appointment_for_session(actor, request.clinic, appointment_id)
    signed = services.session_of(appointment)
    if signed is not None:
        # A signed record never shows an editable form again (the back button, a re-submit).
        messages.info(request, _("This session was signed at %(time)s: it is read-only; corrections are addenda.")
                      % {"time": display.clock(timezone.localtime(signed.signed_at))})
        return redirect("procedures:detail", session_id=signed.pk)
    today = timezone.localdate()
    course, formulation = services.course_and_formulation(appointment)
    selectable = services.selectable_lots(request.clinic, today)
    choices = [(lot.pk, _lot_words(lot)) for lot in selectable]
    data = _with_lot_rows(request.POST, selectable) if request.method == "POST" else None
    form = SessionForm(data, initial={"technique": "needle", "needle_gauge": 32, "needle_length_mm": 4, "depth_mm": 2,
                                      "injection_style": "point_by_point",
                                      "aftercare_language": content_language(appointment.patient.preferred_language)})
    lots = LotFormSet(data, prefix="lots", form_kwargs={"lot_choices": choices})
    flags = [reason for _, reasons in session_flags.send(sender=TreatmentSession, patient=appointment.patient) for reason in reasons or []]
    course_options = services.course_session_options(appointment)
    status = 200
    confirm_sign = False
    if request.method == "POST":
        valid = form.is_valid() and lots.is_valid()
        if flags and not request.POST.get("flags_confirmed"):
            form.add_error(None, _("Confirm with the trichologist first: %(flags)s") % {"flags": " ".join(flags)})
            valid = False
        if not valid:
            status = 400
        elif request.POST.get("confirm") != "yes":
            # Signing cannot be undone: every screen is filled in; say what will be signed and ask.
            confirm_sign = True
        else:
            try:
                session = services.record_course_session(actor, appointment, session_input(form, lots), practitioner=request.user,
                                                         today=today, course_session=request.POST.get("course_session", ""))
            except services.SessionBlocked as exc:
                add_errors_from(form, exc.errors)
                status = 400
            else:
                messages.success(request, _("Session signed. Hand over the aftercare sheet; the 24-48 hour follow-up is scheduled."))
                return redirect("procedures:aftercare", session_id=session.pk)
    posted_lots = _posted_lot_volumes(request, selectable)
    context = {
        "appointment": appointment, "patient": appointment.patient, "course": course, "formulation": formulation,
        "form": form, "lots": lots, "blocking": services.preconditions(appointment, today),
        "map_points": _posted_points(request), "lot_cards": [
            {"lot": lot, "chosen": lot.pk in posted_lots, "volume_ml": posted_lots.get(lot.pk, formulation.total_volume_ml if formulation else "")}
            for lot in selectable
        ],
        "zones": [(zone, label) for zone, label in ZONE_CHOICES], "flags": flags, "course_options": course_options,
        "confirm_sign": confirm_sign, "start_step": _first_error_step(form, lots) if status == 400 else (3 if confirm_sign else 0),
        "no_patient_header": True,
        "pain_scale": range(11),
    }
    return render(request, "procedures/record.html", context, status=status)


# Which screen of the tablet flow holds each field: a refused form opens on the first screen with an error.
STEP_OF_FIELD = {
    **dict.fromkeys(("identity_confirmed", "fever_today", "scalp_infection_today", "pregnant_today", "new_medication_codes",
                     "new_medicines", "scalp_cleansed", "numbing_spray", "breastfeeding_today", "planning_conception_today",
                     "new_condition_codes", "new_allergy_codes", "reaction_last_session", "new_bald_patch",
                     "scalp_inflammation_today", "course_session", "rescreen", "consent", "session"), 0),
    **dict.fromkeys(("technique", "needle_gauge", "needle_length_mm", "mesogun_settings", "depth_mm", "injection_style",
                     "lots", "formulation", "product_substitution_reason"), 1),
    **dict.fromkeys(("injection_map", "volume_discrepancy_reason"), 2),
}


def _first_error_step(form: SessionForm, lots: Any) -> int:
    steps = [STEP_OF_FIELD.get(name, 3) for name in form.errors if name != "__all__"]
    if "__all__" in form.errors:
        steps.append(0)
    if lots.total_error_count():
        steps.append(1)
    return min(steps) if steps else 0


def _posted_lot_volumes(request: HttpRequest, selectable: list[Any]) -> dict[int, str]:
    if request.method != "POST":
        return {}
    return {lot.pk: request.POST.get(f"lot_{lot.pk}_ml", "") for lot in selectable if request.POST.get(f"lot_{lot.pk}")}


def _with_lot_rows(post: Any, selectable: list[Any]) -> Any:
    """The lot cards (``lot_<id>`` ticked, ``lot_<id>_ml``) as the lot rows the form checks; a
    client that posts the rows themselves (``lots-TOTAL_FORMS``) is read as it is."""
    if "lots-TOTAL_FORMS" in post:
        return post
    data = post.copy()
    chosen = [lot for lot in selectable if post.get(f"lot_{lot.pk}")]
    data["lots-TOTAL_FORMS"] = str(max(1, len(chosen)))
    data["lots-INITIAL_FORMS"] = "0"
    for index, lot in enumerate(chosen):
        data[f"lots-{index}-lot"] = str(lot.pk)
        data[f"lots-{index}-volume_ml"] = post.get(f"lot_{lot.pk}_ml", "")
    return data


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
        "draw_review": getattr(session, "draw_review", None) if hasattr(session, "draw_review") else None,
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
        messages.success(request, _("Addendum added."))
    else:
        messages.error(request, _("An addendum needs a reason and a text."))
    return redirect("procedures:detail", session_id=session.pk)


@staff_required()
def aftercare(request: HttpRequest, session_id: int) -> HttpResponse:
    """The aftercare sheet for a session, printable; reception may print it too (no clinical notes)."""
    session = services.get_session(Actor.from_request(request), request.clinic, session_id)
    language = request.GET.get("lang") or session.aftercare_language
    if language not in services.LANGUAGES:
        language = "en"
    upcoming = services.next_session(session)
    context = {
        "session": session, "patient": session.patient, "sheet": services.session_aftercare_sheet(session, language),
        "language": language, "languages": services.LANGUAGES, "next_session": upcoming.appointment,
        "book_next_url": reverse("scheduling:book") + "?" + urlencode(upcoming.book_query) if upcoming.book_query else "",
    }
    return render(request, "procedures/aftercare.html", context)


@staff_required()
def aftercare_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    """The aftercare sheet as PDF, in the language chosen on the sheet (else the session's)."""
    session = services.get_session(Actor.from_request(request), request.clinic, session_id)
    language = request.GET.get("lang") or session.aftercare_language
    if language not in services.LANGUAGES:
        language = "en"
    response = HttpResponse(pdf.aftercare_pdf(session, services.session_aftercare_sheet(session, language)), content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="aftercare-{session.pk}-{language}.pdf"'
    return response


@admin_only
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
            messages.success(request, _("Aftercare sheet saved."))
            return redirect("procedures:aftercare_edit", language=language)
    return render(request, "procedures/aftercare_edit.html", {"form": form, "language": language, "languages": services.LANGUAGES},
                  status=400 if form.errors else 200)
