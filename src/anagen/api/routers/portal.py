"""The staff side of sharing with patients: sharing a progress report in the portal (clinical
roles), revoking portal access (clinic admin, trichologist, reception), the patients' change and
export requests (listed and handled by any staff; exports fulfilled by clinical roles), and
calendar feeds (any staff: their own feed, a patient's feed; a clinic admin also revokes others')."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.accounts.models import Role
from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, page_of, paginate
from anagen.api.problems import invalid
from anagen.api.routers.outcomes import ReportOut
from anagen.core.errors import FieldError
from anagen.interop import services as interop
from anagen.interop.models import FeedKind
from anagen.outcomes import reports as outcomes_reports
from anagen.patients.models import Patient
from anagen.patients.services import get_patient
from anagen.portal import services as portal
from anagen.waitlist import services as waitlist

router = Router()


class ShareIn(Schema):
    shared: bool


@router.post("/progress-reports/{report_id}/share", response=ReportOut, auth=auth.CLINICAL, tags=["outcomes"],
             summary="Share (or stop sharing) a progress report with the patient")
def share_report(request: HttpRequest, report_id: int, payload: ShareIn) -> Any:
    """A shared report can be downloaded by the patient in the portal. Audited as an update."""
    who = actor(request)
    report = outcomes_reports.get_report(who, clinic(request), report_id)
    return outcomes_reports.set_report_shared(who, report, payload.shared)


# ------------------------------------------------------------------------------------ portal


class PortalAccessOut(Schema):
    patient_id: int
    status: str
    revoked_at: dt.datetime | None


@router.post("/patients/{patient_id}/portal-access/revoke", response=PortalAccessOut, auth=auth.INVITERS, tags=["portal"],
             summary="Revoke a patient's portal access")
def revoke_portal_access(request: HttpRequest, patient_id: int) -> Any:
    """The account is kept but can no longer sign in; pending invitation links stop working.
    Nothing to revoke gets 409."""
    who = actor(request)
    patient = get_patient(who, clinic(request), patient_id, audit_read=False)
    account = portal.revoke_access(who, patient)
    return {"patient_id": patient.pk, "status": portal.portal_status(patient).label,
            "revoked_at": account.revoked_at if account else None}


class ChangeRequestOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    appointment_id: int
    handled_by_id: int | None

    class Meta:
        model = "portal.ChangeRequest"
        fields = ["id", "message", "created_at", "handled_at"]


class ExportRequestOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    fulfilled_by_id: int | None

    class Meta:
        model = "portal.ExportRequest"
        fields = ["id", "requested_at", "fulfilled_at", "size_bytes", "sha256", "note"]


class SelfServiceChangeOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    appointment_id: int

    class Meta:
        model = "portal.SelfServiceChange"
        fields = ["id", "kind", "from_starts_at", "to_starts_at", "created_at"]


class WaitingListEntryOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    appointment_id: int

    class Meta:
        model = "waitlist.WaitingListEntry"
        fields = ["id", "joined_starts_at", "created_at", "ended_at", "end_reason"]


class FulfilIn(Schema):
    note: str = ""


@router.get("/portal/change-requests", response=page_of(ChangeRequestOut), auth=auth.ANY_STAFF, tags=["portal"],
            summary="Open appointment change requests from the portal")
def list_change_requests(request: HttpRequest, page: int = Query(1, ge=1, le=100_000),
                         page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Oldest first. One audit entry names the patients listed."""
    found = portal.list_change_requests(actor(request), clinic(request), page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.post("/portal/change-requests/{request_id}/handle", response=ChangeRequestOut, auth=auth.ANY_STAFF, tags=["portal"],
             summary="Mark a change request as dealt with")
def handle_change_request(request: HttpRequest, request_id: int) -> Any:
    """Once (again: 409). Move or cancel the appointment itself with the appointment operations."""
    return portal.handle_change_request(actor(request), clinic(request), request_id, by=request.user)  # type: ignore[arg-type]


@router.get("/portal/self-service-changes", response=page_of(SelfServiceChangeOut), auth=auth.ANY_STAFF, tags=["portal"],
            summary="Course sessions patients moved, cancelled or booked in the portal")
def list_self_service_changes(request: HttpRequest, days: int = Query(30, ge=1, le=366), page: int = Query(1, ge=1, le=100_000),
                              page_size: int = Query(25, ge=1, le=100)) -> Any:
    """The last ``days`` days (30 by default), newest first; ``kind`` is "moved" (with
    ``to_starts_at``), "cancelled" or "booked" (a recalled maintenance session). One audit entry names
    the patients listed."""
    found = portal.list_self_service_changes(actor(request), clinic(request), days=days, page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.get("/portal/waiting-list", response=page_of(WaitingListEntryOut), auth=auth.ANY_STAFF, tags=["portal"],
            summary="Patients waiting for an earlier time for a course session")
def list_waiting_list(request: HttpRequest, include_ended: bool = False, page: int = Query(1, ge=1, le=100_000),
                      page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Oldest first. By default the open entries only (the session still booked, at the time it had
    when the patient joined, and ahead); ``include_ended=true`` lists every entry, with
    ``ended_at`` and ``end_reason`` ("left", "moved", "cancelled", "offer_taken"). One audit entry
    names the patients listed."""
    found = waitlist.list_entries(actor(request), clinic(request), open_only=not include_ended, page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.get("/portal/export-requests", response=page_of(ExportRequestOut), auth=auth.ANY_STAFF, tags=["portal"],
            summary="Open data-export requests from the portal")
def list_export_requests(request: HttpRequest, page: int = Query(1, ge=1, le=100_000),
                         page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Oldest first. One audit entry names the patients listed."""
    found = portal.list_export_requests(actor(request), clinic(request), page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.post("/portal/export-requests/{export_id}/fulfil", response=ExportRequestOut, auth=auth.CLINICAL, tags=["portal"],
             summary="Fulfil a data-export request")
def fulfil_export(request: HttpRequest, export_id: int, payload: FulfilIn) -> Any:
    """Builds the patient's export ZIP and makes it downloadable in the portal (audited). Once
    (again: 409); ``note`` is at most 300 characters."""
    if len(payload.note) > 300:
        raise invalid([FieldError("note", "Keep the note under 300 characters.")])
    return portal.fulfil_export(actor(request), clinic(request), export_id, by=request.user, note=payload.note)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- calendar feeds


class FeedOut(Schema):
    id: int
    kind: str
    practitioner_id: int | None
    patient_id: int | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class NewFeedOut(FeedOut):
    url: str


class FeedIn(Schema):
    patient_id: Id | None = None


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("interop:feed", args=[token]))


@router.get("/calendar-feeds", response=page_of(FeedOut), auth=auth.ANY_STAFF, tags=["calendar feeds"],
            summary="List calendar feeds")
def list_feeds(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID),
               page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Your own feeds (a clinic admin: every practitioner's), or with ``patient_id`` that patient's
    feeds. The secret addresses are never listed: they are shown once, when created."""
    if patient_id is not None:
        patient = get_patient(actor(request), clinic(request), patient_id)
        qs = interop.feeds(clinic(request), patient=patient)
    elif request.user.has_role(Role.CLINIC_ADMIN):  # type: ignore[union-attr]
        qs = interop.feeds(clinic(request)).filter(kind=FeedKind.PRACTITIONER)
    else:
        qs = interop.feeds(clinic(request), practitioner=request.user)  # type: ignore[arg-type]
    items, meta = paginate(qs.order_by("-created_at", "-id"), page, page_size)
    return {"items": items, **meta}


@router.post("/calendar-feeds", response={201: NewFeedOut}, auth=auth.ANY_STAFF, tags=["calendar feeds"],
             summary="Create a calendar feed (the address is shown once)")
def create_feed(request: HttpRequest, payload: FeedIn) -> Any:
    """Without ``patient_id``: a feed of your own appointments; with it: that patient's
    appointments. Only the token's hash is stored, so keep ``url`` from this response."""
    who = actor(request)
    if payload.patient_id is not None:
        patient = Patient.objects.filter(pk=payload.patient_id, clinic=clinic(request)).first()
        if patient is None:
            raise invalid([FieldError("patient_id", "No such patient in your clinic.")])
        feed, token = interop.create_feed(who, clinic(request), patient=patient, created_by=request.user)  # type: ignore[arg-type]
    else:
        feed, token = interop.create_feed(who, clinic(request), practitioner=request.user,  # type: ignore[arg-type]
                                           created_by=request.user)  # type: ignore[arg-type]
    data = {name: getattr(feed, name) for name in FeedOut.model_fields}
    return Status(201, {**data, "url": _feed_url(request, token)})


@router.post("/calendar-feeds/{feed_id}/revoke", response=FeedOut, auth=auth.ANY_STAFF, tags=["calendar feeds"],
             summary="Revoke a calendar feed")
def revoke_feed(request: HttpRequest, feed_id: int) -> Any:
    """Its address answers 404 from then on; revoking twice changes nothing. Another
    practitioner's feed is 404 unless you are a clinic admin."""
    feed = interop.get_feed(clinic(request), feed_id)
    if feed.kind == FeedKind.PRACTITIONER and feed.practitioner_id != request.user.pk \
            and not request.user.has_role(Role.CLINIC_ADMIN):  # type: ignore[union-attr]
        raise Http404
    return interop.revoke_feed(actor(request), clinic(request), feed, revoked_by=request.user)  # type: ignore[arg-type]
