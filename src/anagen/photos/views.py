"""Photo pages: thin views that parse, call a service and render. Clinical roles only."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from anagen.accounts.permissions import clinical
from anagen.audit.services import Actor
from anagen.consents.services import ConsentMissing, has_valid_consent
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.core.photos import STANDARD_VIEWS, PhotoView
from anagen.patients.views import patient_for
from anagen.photos import services
from anagen.photos.forms import CompareForm, UploadForm
from anagen.photos.models import VIEW_LABELS
from anagen.ui.forms import add_errors_from


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@clinical
def gallery(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    services.record_gallery_read(actor, patient)
    context = {
        "patient": patient, "visits": services.visits(patient),
        "may_upload": has_valid_consent(patient, "photographs"),
    }
    return render(request, "photos/gallery.html", context)


def _photo_json(photo: services.Photo) -> dict[str, object]:
    return {
        "id": photo.pk, "view": photo.view, "view_label": photo.view_label, "visit_date": photo.visit_date.isoformat(),
        "thumbnail_url": reverse("photos:thumbnail", args=[photo.pk]), "image_url": reverse("photos:image", args=[photo.pk]),
    }


@clinical
def upload(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    today = timezone.localdate()
    site = services.default_site(patient, today)
    consent_ok = has_valid_consent(patient, "photographs")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            files = [services.UploadedFile(f.name, f.size, f) for f in data["files"]]
            try:
                photos = services.upload_photos(
                    actor, patient, files, view_choice=data["view"], visit_date=data["visit_date"], today=today,
                    uploaded_by=request.user,
                    site=services.Site(data["site_zone"], data["site_offset_cm"], data["site_note"].strip()),
                )
            except ConsentMissing as exc:
                form.add_error(None, exc.message)
            except InvalidInput as exc:
                add_errors_from(form, exc)
            else:
                if _wants_json(request):
                    return JsonResponse({"photos": [_photo_json(p) for p in photos]}, status=201)
                messages.success(request, ngettext("%(count)s photograph saved for %(day)s.", "%(count)s photographs saved for %(day)s.",
                                                   len(photos)) % {"count": len(photos), "day": display.day(data["visit_date"])})
                return redirect("photos:gallery", patient_id=patient.pk)
        if _wants_json(request):
            errors = [
                {"field": name, "message": str(message)}
                for name, messages_ in form.errors.items() for message in messages_
            ]
            return JsonResponse({"errors": errors}, status=400)
        status = 400
    else:
        form = UploadForm(initial={
            "visit_date": today, "site_zone": site.zone, "site_offset_cm": site.offset_cm, "site_note": site.note,
        })
        status = 200
    context = {
        "patient": patient, "form": form, "consent_ok": consent_ok,
        "standard_views": ",".join(v.value for v in STANDARD_VIEWS),
    }
    return render(request, "photos/upload.html", context, status=status)


def _serve(request: HttpRequest, photo_id: int, *, thumbnail: bool) -> HttpResponse:
    photo = services.get_photo(Actor.from_request(request), request.clinic, photo_id,
                               audit_as="photo_thumbnail" if thumbnail else "photo")
    return file_response(photo, thumbnail=thumbnail)


def file_response(photo: services.Photo, *, thumbnail: bool) -> HttpResponse:
    """The stored picture (or its thumbnail) of a photo the caller has already checked and audited,
    private and never cached (also the portal's, for the photographs a patient took at home)."""
    handle = services.open_file(photo, thumbnail=thumbnail)
    response = FileResponse(handle, content_type="image/jpeg" if thumbnail else photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}{"-thumbnail" if thumbnail else ""}.{"jpg" if thumbnail else photo.get_image_format_display().lower().replace("jpeg", "jpg")}"'
    return response


@clinical
def image(request: HttpRequest, photo_id: int) -> HttpResponse:
    return _serve(request, photo_id, thumbnail=False)


@clinical
def thumbnail(request: HttpRequest, photo_id: int) -> HttpResponse:
    return _serve(request, photo_id, thumbnail=True)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@clinical
def compare(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    view_value = request.GET.get("view") or PhotoView.VERTEX.value
    if view_value not in {v.value for v in PhotoView}:
        view_value = PhotoView.VERTEX.value
    comparison = services.compare(actor, patient, view_value, _date(request.GET.get("before", "")), _date(request.GET.get("after", "")))
    form = CompareForm(
        {
            "view": comparison.view.value,
            "before": comparison.before.visit_date.isoformat() if comparison.before else "",
            "after": comparison.after.visit_date.isoformat() if comparison.after else "",
        },
        visit_dates=comparison.visit_dates,
    )
    form.is_valid()
    rows = services.measurement_rows(
        comparison.before.measurement if comparison.before else None,
        comparison.after.measurement if comparison.after else None,
    )
    return render(request, "photos/compare.html", {
        "patient": patient, "form": form, "comparison": comparison, "rows": rows, "view_label": str(VIEW_LABELS[comparison.view]),
    })

