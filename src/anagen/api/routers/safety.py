"""Adverse events (clinical staff; the review is a trichologist's)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, Id, actor, clinic, if_match, page_of, paginate, set_etag
from anagen.api.problems import from_invalid_input, stale
from anagen.audit import services as audit
from anagen.core.errors import InvalidInput
from anagen.patients import services as patient_services
from anagen.safety import services
from anagen.safety.models import AdverseEvent

router = Router(tags=["adverse events"])

EventType = Literal["erythema", "bruising", "pain", "swelling", "headache", "infection", "allergic_reaction",
                    "fainting", "patchy_hair_loss", "other"]
Severity = Literal["mild", "moderate", "severe"]


class EventOut(Schema):
    id: int
    patient_id: int
    session_id: int | None
    lot_ids: list[int]
    event_type: str
    severity: str
    onset_date: dt.date
    resolved_on: dt.date | None
    description: str
    action_taken: str
    reported_by_id: int
    reported_at: dt.datetime
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str
    blocks_sessions: bool
    version: int


class EventIn(Schema):
    patient_id: Id
    session_id: Id | None = None
    lot_ids: list[Id] = []
    event_type: str
    severity: str
    onset_date: dt.date
    description: str = ""
    action_taken: str = ""


class ResolveIn(Schema):
    resolved_on: dt.date


class ReviewIn(Schema):
    note: str


def _out(event: AdverseEvent) -> dict[str, Any]:
    data = {name: getattr(event, name) for name in EventOut.model_fields if name not in ("lot_ids", "blocks_sessions")}
    data["lot_ids"] = sorted(event.lots.values_list("pk", flat=True))
    data["blocks_sessions"] = bool(services.session_blockers([services.event_state(event)]))
    return data


def _refusal(exc: InvalidInput) -> Exception:
    if any(e.field == "version" for e in exc.errors):
        return stale()
    return from_invalid_input(exc)


@router.get("/adverse-events", response=page_of(EventOut), auth=auth.CLINICAL, summary="List adverse events")
def list_events(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID),
                event_type: EventType | None = None, severity: Severity | None = None,
                unresolved: bool = False, needs_review: bool = False,
                page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest onset first, then id."""
    qs = AdverseEvent.objects.filter(clinic=clinic(request))
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if event_type is not None:
        qs = qs.filter(event_type=event_type)
    if severity is not None:
        qs = qs.filter(severity=severity)
    if unresolved:
        qs = qs.filter(resolved_on__isnull=True)
    if needs_review:
        qs = qs.filter(pk__in=services.events_needing_review(clinic(request)).values("pk"))
    items, meta = paginate(qs.order_by("-onset_date", "-id"), page, page_size)
    services.record_patient_list_read(actor(request), "adverse_event_list", "api", [e.patient_id for e in items])
    return {"items": [_out(e) for e in items], **meta}


@router.post("/adverse-events", response={201: EventOut}, auth=auth.CLINICAL, summary="Report an adverse event")
def report(request: HttpRequest, payload: EventIn, response: HttpResponse) -> Any:
    """The lots default to those used in the linked session."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), payload.patient_id, audit_read=False)
    try:
        event = services.report_event(
            who, patient, session=payload.session_id, lots=payload.lot_ids, event_type=payload.event_type,
            severity=payload.severity, onset_date=payload.onset_date, description=payload.description,
            action_taken=payload.action_taken, reported_by=request.user,  # type: ignore[arg-type]
        )
    except InvalidInput as exc:
        raise from_invalid_input(exc) from exc
    set_etag(response, event.version)
    return Status(201, _out(event))


@router.get("/adverse-events/{event_id}", response=EventOut, auth=auth.CLINICAL, summary="Read an adverse event")
def get_event(request: HttpRequest, event_id: int, response: HttpResponse) -> Any:
    event = services.get_event(clinic(request), event_id)
    audit.record_read(actor(request), "adverse_event", event.pk, event.patient_id)
    set_etag(response, event.version)
    return _out(event)


@router.post("/adverse-events/{event_id}/resolve", response=EventOut, auth=auth.CLINICAL, summary="Record the resolution date")
def resolve(request: HttpRequest, event_id: int, payload: ResolveIn, response: HttpResponse) -> Any:
    """Needs If-Match (the event's ETag): a stale change is refused with 409."""
    expected = if_match(request)
    event = services.get_event(clinic(request), event_id)
    try:
        updated = services.resolve_event(actor(request), event, payload.resolved_on, expected_version=expected)
    except InvalidInput as exc:
        raise _refusal(exc) from exc
    set_etag(response, updated.version)
    return _out(updated)


@router.post("/adverse-events/{event_id}/review", response=EventOut, auth=auth.TRICHOLOGIST, summary="Review an adverse event")
def review(request: HttpRequest, event_id: int, payload: ReviewIn, response: HttpResponse) -> Any:
    """A trichologist's review; a reviewed event no longer blocks the next session. Needs If-Match."""
    expected = if_match(request)
    event = services.get_event(clinic(request), event_id)
    try:
        updated = services.review_event(actor(request), event, payload.note, request.user, expected_version=expected)  # type: ignore[arg-type]
    except InvalidInput as exc:
        raise _refusal(exc) from exc
    set_etag(response, updated.version)
    return _out(updated)
