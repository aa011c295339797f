"""Photographs (clinical staff only): upload, metadata, the file through this authenticated endpoint,
and the comparison of two visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja import UploadedFile as NinjaUploadedFile

from anagen.api import auth
from anagen.api.common import MAX_ID, actor, clinic, page_of, paginate
from anagen.api.problems import Problem, form_errors, invalid
from anagen.audit import services as audit
from anagen.consents.services import ConsentMissing
from anagen.patients import services as patient_services
from anagen.photos import services
from anagen.photos.forms import UploadForm
from anagen.photos.models import Photo

router = Router(tags=["photos"])


class PhotoOut(Schema):
    id: int
    patient_id: int
    visit_date: dt.date
    consultation_id: int | None
    treatment_session_id: int | None
    view: str
    site_zone: str
    site_offset_cm: Decimal | None
    site_note: str
    image_format: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    captured_at: dt.datetime | None
    uploaded_by_id: int
    uploaded_at: dt.datetime


@router.get("/photos", response=page_of(PhotoOut), auth=auth.CLINICAL, summary="List photographs (metadata)")
def list_photos(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), view: str | None = None,
                visit_date: dt.date | None = None, page: int = Query(1, ge=1, le=100_000),
                page_size: int = Query(25, ge=1, le=100)) -> Any:
    """By visit date, then id. Each photograph listed is audited as read."""
    qs = Photo.objects.filter(clinic=clinic(request))
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if view is not None:
        qs = qs.filter(view=view)
    if visit_date is not None:
        qs = qs.filter(visit_date=visit_date)
    items, meta = paginate(qs.order_by("visit_date", "id"), page, page_size)
    who = actor(request)
    audit.record_reads(who, "photo_metadata", [(photo.pk, photo.patient_id) for photo in items])
    return {"items": items, **meta}


@router.get("/photos/{photo_id}", response=PhotoOut, auth=auth.CLINICAL, summary="Read a photograph's metadata")
def get_photo(request: HttpRequest, photo_id: int) -> Any:
    return services.get_photo(actor(request), clinic(request), photo_id, audit_as="photo_metadata")


@router.get("/photos/{photo_id}/file", auth=auth.CLINICAL, summary="Download the photograph",
            response={200: None}, openapi_extra={"responses": {"200": {
                "description": "The image file (JPEG, PNG or WebP; the thumbnail is JPEG).",
                "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}}})
def photo_file(request: HttpRequest, photo_id: int, thumbnail: bool = False) -> Any:
    """The stored file (``thumbnail=true``: the JPEG thumbnail); every download is audited."""
    photo = services.get_photo(actor(request), clinic(request), photo_id,
                               audit_as="photo_thumbnail" if thumbnail else "photo")
    handle = services.open_file(photo, thumbnail=thumbnail)
    response = FileResponse(handle, content_type="image/jpeg" if thumbnail else photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="photo-{photo.pk}{"-thumbnail" if thumbnail else ""}"'
    return response


ViewCode = Literal["vertex", "midline_part", "frontal", "temporal_left", "temporal_right", "occipital", "trichoscopy"]


@router.post("/patients/{patient_id}/photos", response={201: list[PhotoOut]}, auth=auth.CLINICAL,
             summary="Upload photographs of a visit (multipart)")
def upload(request: HttpRequest, patient_id: int, files: File[list[NinjaUploadedFile]],
           visit_date: Form[dt.date], view: Form[str] = "standard_order", site_zone: Form[str] = "",
           site_offset_cm: Form[str] = "", site_note: Form[str] = "") -> Any:
    """``multipart/form-data`` with one or more ``files`` (JPEG, PNG or WebP, checked by their
    content; metadata stripped) and ``view``: one view for every file, or ``standard_order``
    (the standard views in the order taken). Trichoscopy takes the site. Needs the patient's
    photography consent (409 without it); all files are stored or none."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), patient_id)
    form = UploadForm({"visit_date": visit_date.isoformat(), "view": view, "site_zone": site_zone,
                       "site_offset_cm": site_offset_cm, "site_note": site_note}, {"files": list(files)})
    if not form.is_valid():
        raise invalid(form_errors(form))
    data = form.cleaned_data
    uploads = [services.UploadedFile(f.name or "upload", f.size or 0, f) for f in data["files"]]
    try:
        photos = services.upload_photos(
            who, patient, uploads, view_choice=data["view"], visit_date=data["visit_date"], today=timezone.localdate(),
            uploaded_by=request.user,  # type: ignore[arg-type]
            site=services.Site(data["site_zone"], data["site_offset_cm"], data["site_note"].strip()),
        )
    except ConsentMissing as exc:
        raise Problem(409, exc.message, kind="consent-missing") from exc
    return Status(201, photos)


class SideOut(Schema):
    visit_date: dt.date
    photo: PhotoOut | None
    measurement_id: int | None


class MeasurementRowOut(Schema):
    name: str
    label: str
    before: str | None
    after: str | None


class ComparisonOut(Schema):
    patient_id: int
    view: str
    visit_dates: list[dt.date]
    before: SideOut | None
    after: SideOut | None
    sessions_between: int
    documented_sessions: int
    completed_appointments_without_record: int
    measurements: list[MeasurementRowOut]


def _side(side: Any) -> dict[str, Any] | None:
    if side is None:
        return None
    return {"visit_date": side.visit_date, "photo": side.photo, "measurement_id": side.measurement.pk if side.measurement else None}


@router.get("/patients/{patient_id}/photo-comparison", response=ComparisonOut, auth=auth.CLINICAL,
            summary="Compare two visits' photographs of one view")
def comparison(request: HttpRequest, patient_id: int, view: ViewCode = "vertex", before: dt.date | None = None,
               after: dt.date | None = None) -> Any:
    """By default the first visit with the view and the latest; the sessions between them and the
    measurements nearest each date at the same site. Both photographs are audited as read."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), patient_id)
    result = services.compare(who, patient, view, before, after)
    rows = services.measurement_rows(result.before.measurement if result.before else None,
                                     result.after.measurement if result.after else None)
    return {
        "patient_id": patient.pk, "view": result.view.value, "visit_dates": result.visit_dates,
        "before": _side(result.before), "after": _side(result.after), "sessions_between": result.sessions_between,
        "documented_sessions": result.documented_sessions,
        "completed_appointments_without_record": result.completed_appointments_without_record,
        "measurements": [_row(r) for r in rows],
    }


def _row(row: dict[str, Any]) -> dict[str, Any]:
    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {"name": str(row.get("name", "")), "label": str(row.get("label", "")), "before": text(row.get("before")),
            "after": text(row.get("after"))}
