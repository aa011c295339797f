"""Appointments: every member of staff, reception included, like the calendar pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, if_match, page_of, set_etag
from anagen.scheduling import services
from anagen.scheduling.models import Appointment

router = Router(tags=["appointments"])

Kind = Literal["consultation", "mesotherapy_session", "prf", "exosomes", "peptide_therapy", "review"]
AppointmentStatus = Literal["booked", "arrived", "in_chair", "completed", "cancelled", "no_show"]


class AppointmentOut(ModelSchema, ModelOut):
    id: int
    patient_id: Id
    practitioner_id: Id
    room_id: Id
    duration_minutes: int

    class Meta:
        model = "scheduling.Appointment"
        fields = ["id", "kind", "starts_at", "ends_at", "status", "status_reason", "course_id", "course_session_number", "notes", "created_at", "updated_at", "version"]


class AppointmentIn(Schema):
    patient_id: Id
    practitioner_id: Id
    room_id: Id
    kind: Kind
    starts_at: dt.datetime
    duration_minutes: int
    notes: str = ""


class MoveIn(Schema):
    starts_at: dt.datetime
    practitioner_id: Id | None = None
    room_id: Id | None = None
    duration_minutes: int | None = None


class ReasonIn(Schema):
    reason: str


@router.get("/appointments", response=page_of(AppointmentOut), auth=auth.ANY_STAFF, summary="List appointments")
def list_appointments(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    patient_id: int | None = Query(None, ge=1, le=MAX_ID),
    practitioner_id: int | None = Query(None, ge=1, le=MAX_ID),
    room_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: AppointmentStatus | None = None,
    kind: Kind | None = None,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=100),
) -> Any:
    """By start time, then id. ``date_from``/``date_to`` are clinic-local days (inclusive)."""
    found = services.list_appointments(actor(request), clinic(request), view="api", date_from=date_from, date_to=date_to,
                                       patient_id=patient_id, practitioner_id=practitioner_id, room_id=room_id,
                                       status=status, kind=kind, page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.post("/appointments", response={201: AppointmentOut}, auth=auth.ANY_STAFF, summary="Book an appointment")
def book(request: HttpRequest, payload: AppointmentIn, response: HttpResponse) -> Any:
    """``starts_at`` carries its time zone (e.g. ``2026-03-02T10:30:00+05:30``); appointments start
    on the quarter hour and last a multiple of 15 minutes. A taken slot is refused with 409."""
    appointment = services.book_appointment(
        actor(request), clinic(request), patient=payload.patient_id, practitioner=payload.practitioner_id,
        room=payload.room_id, kind=payload.kind, starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes, notes=payload.notes,
    )
    set_etag(response, appointment.version)
    return Status(201, appointment)


@router.get("/appointments/{appointment_id}", response=AppointmentOut, auth=auth.ANY_STAFF, summary="Read an appointment")
def get_appointment(request: HttpRequest, appointment_id: int, response: HttpResponse) -> Any:
    appointment = services.read_appointment(actor(request), clinic(request), appointment_id)
    set_etag(response, appointment.version)
    return appointment


@router.patch("/appointments/{appointment_id}", response=AppointmentOut, auth=auth.ANY_STAFF,
              summary="Move an appointment (time, practitioner, room, duration)")
def move(request: HttpRequest, appointment_id: int, payload: MoveIn, response: HttpResponse) -> Any:
    """Needs If-Match: a stale move is refused with 409. Moving a course session does not re-plan the
    rest of the course; the web page offers that."""
    expected = if_match(request)
    appointment = services.get_appointment(clinic(request), appointment_id)
    moved = services.move_appointment(
        actor(request), appointment, starts_at=payload.starts_at, practitioner=payload.practitioner_id,
        room=payload.room_id, expected_version=expected, duration_minutes=payload.duration_minutes,
    )
    set_etag(response, moved.version)
    return moved


def _status_change(request: HttpRequest, appointment_id: int, change: Any, *args: Any) -> Appointment:
    appointment = services.get_appointment(clinic(request), appointment_id)
    return change(actor(request), appointment, *args)


@router.post("/appointments/{appointment_id}/cancel", response=AppointmentOut, auth=auth.ANY_STAFF, summary="Cancel an appointment")
def cancel(request: HttpRequest, appointment_id: int, payload: ReasonIn) -> Any:
    return _status_change(request, appointment_id, services.cancel_appointment, payload.reason)


@router.post("/appointments/{appointment_id}/no-show", response=AppointmentOut, auth=auth.ANY_STAFF, summary="Mark a no-show")
def no_show(request: HttpRequest, appointment_id: int, payload: ReasonIn) -> Any:
    return _status_change(request, appointment_id, services.mark_no_show, payload.reason)


@router.post("/appointments/{appointment_id}/arrived", response=AppointmentOut, auth=auth.ANY_STAFF, summary="Mark the patient arrived")
def arrived(request: HttpRequest, appointment_id: int) -> Any:
    return _status_change(request, appointment_id, services.mark_arrived)
