"""Photographs (clinical staff only): upload, metadata, the file through this authenticated endpoint,
and the comparison of two visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Form, ModelSchema, Query, Router, Schema, Status
from ninja import UploadedFile as NinjaUploadedFile

from anagen.api import auth
from anagen.api.common import MAX_ID, ModelOut, actor, clinic, page_of
from anagen.api.problems import form_errors, invalid
from anagen.patients import services as patient_services
from anagen.photos import hair_services, services
from anagen.photos.forms import UploadForm

router = Router(tags=["photos"])


class PhotoOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    consultation_id: int | None
    treatment_session_id: int | None
    site_offset_cm: Decimal | None
    content_type: str
    uploaded_by_id: int

    class Meta:
        model = "photos.Photo"
        fields = ["id", "visit_date", "view", "site_zone", "site_note", "image_format", "width", "height", "size_bytes", "sha256", "captured_at", "uploaded_at",
                  "taken_by_patient"]


@router.get("/photos", response=page_of(PhotoOut), auth=auth.CLINICAL, summary="List photographs (metadata)")
def list_photos(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), view: str | None = None,
                visit_date: dt.date | None = None, page: int = Query(1, ge=1, le=100_000),
                page_size: int = Query(25, ge=1, le=100)) -> Any:
    """By visit date, then id. Each photograph listed is audited as read."""
    found = services.list_photos(actor(request), clinic(request), patient_id=patient_id, view=view, visit_date=visit_date,
                                 page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


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
    photos = services.upload_photos(
        who, patient, uploads, view_choice=data["view"], visit_date=data["visit_date"], today=timezone.localdate(),
        uploaded_by=request.user,  # type: ignore[arg-type]
        site=services.Site(data["site_zone"], data["site_offset_cm"], data["site_note"].strip()),
    )
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


# --- hair counts ---------------------------------------------------------------------------------


class HairOut(Schema):
    x_px: float
    y_px: float
    length_um: float | None
    diameter_um: float | None
    source: Literal["automatic", "added"]


class HairCountOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    photo_id: int
    dermatoscope_id: int | None
    micrometres_per_pixel: Decimal
    area_cm2: float
    auto_density_per_cm2: float
    auto_median_diameter_um: float | None
    auto_vellus_share: float | None
    final_density_per_cm2: float
    final_median_diameter_um: float | None
    final_vellus_share: float | None
    removed_automatic: list[int]
    hairs: list[HairOut]
    blur_um: float
    glare_share: float
    quality_notes: list[dict[str, str]]
    measured_by_id: int
    corrected_by_id: int | None
    filed_to_id: int | None
    filed_by_id: int | None

    class Meta:
        model = "photos.HairCount"
        fields = ["id", "auto_count", "final_count", "measured_at", "corrected_at", "filed_at"]


class HairCountIn(Schema):
    dermatoscope_id: int | None = None
    micrometres_per_pixel: Decimal | None = None


def _hair_count_out(count: Any) -> dict[str, Any]:
    auto = count.automatic
    removed = set(count.removed)
    hairs = [{"x_px": h["x_px"], "y_px": h["y_px"], "length_um": h["length_um"], "diameter_um": h["diameter_um"], "source": "automatic"}
             for i, h in enumerate(auto["hairs"]) if i not in removed]
    hairs += [{"x_px": a["x_px"], "y_px": a["y_px"], "length_um": None, "diameter_um": a["diameter_um"], "source": "added"}
              for a in count.added]
    fields = {name: getattr(count, name) for name in HairCountOut.model_fields if hasattr(count, name)}
    return {**fields, "removed_automatic": sorted(removed), "hairs": hairs, "blur_um": auto["blur_um"],
            "glare_share": auto["glare_share"], "quality_notes": auto["notes"]}


@router.get("/hair-counts/{count_id}", response=HairCountOut, auth=auth.CLINICAL, summary="Read a hair count")
def get_hair_count(request: HttpRequest, count_id: int) -> Any:
    """Hairs counted and measured on a trichoscopy image: automatic and corrected figures, every
    mark, and the visit the figures were filed in. Audited as a read."""
    return _hair_count_out(hair_services.get_hair_count(actor(request), clinic(request), count_id))


@router.get("/patients/{patient_id}/hair-counts", response=page_of(HairCountOut), auth=auth.CLINICAL,
            summary="List a patient's hair counts")
def list_hair_counts(request: HttpRequest, patient_id: int, page: int = Query(1, ge=1, le=100_000),
                     page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest first; each one listed is audited as read."""
    found = hair_services.list_hair_counts(actor(request), clinic(request), patient_id, page=page, page_size=page_size)
    return {"items": [_hair_count_out(c) for c in found.items], **found.meta}


@router.post("/photos/{photo_id}/hair-counts", response={201: HairCountOut}, auth=auth.CLINICAL,
             summary="Count and measure the hairs of a trichoscopy image")
def create_hair_count(request: HttpRequest, photo_id: int, payload: HairCountIn) -> Any:
    """At the scale of one of the clinic's dermatoscopes (``dermatoscope_id``) or a given
    ``micrometres_per_pixel``. A picture that is not trichoscopy or cannot be measured is refused
    naming ``photo``; a bad scale naming ``micrometres_per_pixel``."""
    who = actor(request)
    photo = services.get_photo(who, clinic(request), photo_id, audit_as="photo")
    count = hair_services.measure_photo(who, photo, by=request.user, dermatoscope_id=payload.dermatoscope_id,
                                        micrometres_per_pixel=payload.micrometres_per_pixel)
    return Status(201, _hair_count_out(count))
