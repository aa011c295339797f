"""Hair counting pages: choose a trichoscopy image, see and correct the marks (HTMX), file the
figures into a visit; the clinic's dermatoscopes. Thin views: parse, call a service, render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anagen.accounts.permissions import admin_only, clinical
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput
from anagen.patients.services import get_patient
from anagen.photos import hair_services as hairs
from anagen.photos import services


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip()) if value and value.strip() else None
    except InvalidOperation:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@clinical
def start(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Measure from an image: the patient's trichoscopy images, each with a Measure button."""
    actor = Actor.from_request(request)
    patient = get_patient(actor, request.clinic, patient_id)
    visit = _int(request.GET.get("visit") or request.POST.get("visit"))
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        photo_id = _int(request.POST.get("photo"))
        photo = services.get_photo(actor, request.clinic, photo_id or 0)
        if photo.patient_id != patient.pk:
            errors.append(_("That image belongs to another patient."))
        else:
            raw_scale = request.POST.get("micrometres_per_pixel", "")
            scale = _decimal(raw_scale)
            try:
                if raw_scale.strip() and scale is None:
                    raise InvalidInput.single("micrometres_per_pixel", _("Write the scale as a number, e.g. 5.0."))
                count = hairs.measure_photo(actor, photo, by=request.user, dermatoscope_id=_int(request.POST.get("dermatoscope")),
                                            micrometres_per_pixel=scale)
            except InvalidInput as exc:
                errors.extend(f"{_field_label(e.field)}: {e.message}" for e in exc.errors)
            else:
                url = reverse("photos:hair_count", args=[count.pk])
                return redirect(f"{url}?visit={visit}" if visit else url)
        status = 400
    context = {
        "patient": patient, "photos": hairs.trichoscopy_photos(patient), "visit": visit, "errors": errors,
        "dermatoscopes": hairs.dermatoscopes(request.clinic, active_only=True), "counts": hairs.counts_for(patient),
    }
    return render(request, "photos/hairs_start.html", context, status=status)


def _field_label(field: str) -> str:
    return {
        "photo": _("Image"), "image": _("Image"), "dermatoscope": _("Dermatoscope"),
        "micrometres_per_pixel": _("Scale"), "visit": _("Visit"), "x_px": _("Mark"), "y_px": _("Mark"),
        "marks": _("Marks"),
    }.get(field, field)


def _context(count: hairs.HairCount, visit: int | None) -> dict[str, object]:
    auto = count.automatic
    baseline = hairs.baseline_for(count)
    return {
        "count": count, "patient": count.patient, "photo": count.photo, "marks": hairs.marks(count),
        "width": auto["width_px"], "height": auto["height_px"], "notes": auto["notes"],
        "visits": hairs.visits_to_file_into(count), "visit": visit, "baseline": baseline,
        "baseline_marks": hairs.marks(baseline) if baseline else [],
        "vellus_pct": None if count.final_vellus_share is None else round(100 * count.final_vellus_share, 1),
        "auto_vellus_pct": None if count.auto_vellus_share is None else round(100 * count.auto_vellus_share, 1),
    }


@clinical
def hair_count(request: HttpRequest, count_id: int) -> HttpResponse:
    count = hairs.get_hair_count(Actor.from_request(request), request.clinic, count_id)
    return render(request, "photos/hair_count.html", _context(count, _int(request.GET.get("visit"))))


@clinical
@require_POST
def mark(request: HttpRequest, count_id: int) -> HttpResponse:
    """A click on the picture (HTMX): the marks and figures again."""
    actor = Actor.from_request(request)
    count = hairs.get_hair_count(actor, request.clinic, count_id)
    error = None
    try:
        x = float(request.POST.get("x_px", "nan"))
        y = float(request.POST.get("y_px", "nan"))
    except ValueError:
        x = y = float("nan")
    try:
        count = hairs.toggle_mark(actor, count, x, y, by=request.user)
    except InvalidInput as exc:
        error = exc.errors[0].message
    context = {**_context(count, _int(request.POST.get("visit"))), "error": error}
    # 200 even for a refused click: HTMX swaps only successful answers, and the message is in it.
    return render(request, "photos/_hair_marks.html", context)


@clinical
@require_POST
def file(request: HttpRequest, count_id: int) -> HttpResponse:
    """Use these figures: file them into the chosen visit (or a new follow-up visit)."""
    actor = Actor.from_request(request)
    count = hairs.get_hair_count(actor, request.clinic, count_id)
    choice = request.POST.get("visit", "")
    try:
        row = hairs.file_figures(actor, count, into=None if choice == "new" else _int(choice) or -1, by=request.user,
                                 today=timezone.localdate())
    except InvalidInput as exc:
        context = {**_context(count, None), "file_error": exc.errors[0].message}
        return render(request, "photos/hair_count.html", context, status=400)
    messages.success(request, _("Hair count filed in the visit of %(date)s.") % {"date": f"{row.measured_on:%-d %b %Y}"})
    return redirect("outcomes:progress", patient_id=count.patient_id)


@admin_only
def dermatoscope_list(request: HttpRequest) -> HttpResponse:
    """The clinic's cameras and dermatoscopes with their scales (clinic settings)."""
    actor = Actor.from_request(request)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            hairs.save_dermatoscope(
                actor, request.clinic, request.POST.get("name", ""), _decimal(request.POST.get("micrometres_per_pixel", "")),
                active=request.POST.get("active", "1") == "1", dermatoscope_id=_int(request.POST.get("id")),
            )
        except InvalidInput as exc:
            errors = [f"{_field_label(e.field) if e.field != 'name' else _('Name')}: {e.message}" for e in exc.errors]
            status = 400
        else:
            messages.success(request, _("Saved."))
            return redirect("photos:dermatoscopes")
    return render(request, "photos/dermatoscopes.html", {"devices": hairs.dermatoscopes(request.clinic), "errors": errors}, status=status)
