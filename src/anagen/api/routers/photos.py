"""Photographs (clinical staff only): metadata, and the file through this authenticated endpoint."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema

from anagen.api import auth
from anagen.api.common import MAX_ID, actor, clinic, page_of, paginate
from anagen.audit import services as audit
from anagen.photos import services
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
    for photo in items:
        audit.record_read(who, "photo_metadata", photo.pk, photo.patient_id)
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
