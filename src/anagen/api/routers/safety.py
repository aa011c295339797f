"""Adverse events (clinical staff; the review is a trichologist's) and session follow-ups (all staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, if_match, page_of, set_etag
from anagen.patients import services as patient_services
from anagen.safety import services
from anagen.safety.models import AdverseEvent, FollowUpTask

router = Router(tags=["adverse events"])

EventType = Literal["erythema", "bruising", "pain", "swelling", "headache", "infection", "allergic_reaction",
                    "fainting", "patchy_hair_loss", "other"]
Severity = Literal["mild", "moderate", "severe"]


class EventOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    session_id: int | None
    lot_ids: list[int]
    reported_by_id: int
    reviewed_by_id: int | None
    blocks_sessions: bool

    class Meta:
        model = "safety.AdverseEvent"
        fields = ["id", "event_type", "severity", "onset_date", "resolved_on", "description", "action_taken", "reported_at", "reviewed_at", "review_note", "version"]


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
    # The list endpoint prefetches the lots; a single event reads them here.
    data["lot_ids"] = sorted(lot.pk for lot in event.lots.all())
    data["blocks_sessions"] = bool(services.session_blockers([services.event_state(event)]))
    return data


@router.get("/adverse-events", response=page_of(EventOut), auth=auth.CLINICAL, summary="List adverse events")
def list_events(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID),
                event_type: EventType | None = None, severity: Severity | None = None,
                unresolved: bool = False, needs_review: bool = False,
                page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest onset first, then id. One audit entry names the patients listed."""
    found = services.list_events(actor(request), clinic(request), view="api", patient_id=patient_id, event_type=event_type,
                                 severity=severity, unresolved=unresolved, needs_review=needs_review, page=page,
                                 page_size=page_size)
    return {"items": [_out(e) for e in found.items], **found.meta}


@router.post("/adverse-events", response={201: EventOut}, auth=auth.CLINICAL, summary="Report an adverse event")
def report(request: HttpRequest, payload: EventIn, response: HttpResponse) -> Any:
    """The lots default to those used in the linked session."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), payload.patient_id, audit_read=False)
    event = services.report_event(
        who, patient, session=payload.session_id, lots=payload.lot_ids, event_type=payload.event_type,
        severity=payload.severity, onset_date=payload.onset_date, description=payload.description,
        action_taken=payload.action_taken, reported_by=request.user,  # type: ignore[arg-type]
    )
    set_etag(response, event.version)
    return Status(201, _out(event))


@router.get("/adverse-events/{event_id}", response=EventOut, auth=auth.CLINICAL, summary="Read an adverse event")
def get_event(request: HttpRequest, event_id: int, response: HttpResponse) -> Any:
    event = services.read_event(actor(request), clinic(request), event_id)
    set_etag(response, event.version)
    return _out(event)


@router.post("/adverse-events/{event_id}/resolve", response=EventOut, auth=auth.CLINICAL, summary="Record the resolution date")
def resolve(request: HttpRequest, event_id: int, payload: ResolveIn, response: HttpResponse) -> Any:
    """Needs If-Match (the event's ETag): a stale change is refused with 409."""
    expected = if_match(request)
    event = services.get_event(clinic(request), event_id)
    updated = services.resolve_event(actor(request), event, payload.resolved_on, expected_version=expected)
    set_etag(response, updated.version)
    return _out(updated)


@router.post("/adverse-events/{event_id}/review", response=EventOut, auth=auth.TRICHOLOGIST, summary="Review an adverse event")
def review(request: HttpRequest, event_id: int, payload: ReviewIn, response: HttpResponse) -> Any:
    """A trichologist's review; a reviewed event no longer blocks the next session. Needs If-Match."""
    expected = if_match(request)
    event = services.get_event(clinic(request), event_id)
    updated = services.review_event(actor(request), event, payload.note, request.user, expected_version=expected)  # type: ignore[arg-type]
    set_etag(response, updated.version)
    return _out(updated)


# ------------------------------------------------------------------------------- follow-ups

class FollowUpOut(Schema):
    id: int
    patient_id: int
    session_id: int
    due_from: dt.datetime
    due_until: dt.datetime
    state: Literal["upcoming", "due", "overdue", "done"]
    method: str
    side_effects_reported: bool | None
    outcome: str
    recorded_by_id: int | None
    recorded_at: dt.datetime | None


class FollowUpIn(Schema):
    method: Literal["call", "patient_report", "visit"]
    side_effects_reported: bool
    outcome: str = ""


def _follow_up_out(task: FollowUpTask, now: dt.datetime) -> dict[str, Any]:
    data = {name: getattr(task, name) for name in FollowUpOut.model_fields if name != "state"}
    data["state"] = services.follow_up_state(task, now)
    return data


@router.get("/follow-ups", response=page_of(FollowUpOut), auth=auth.ANY_STAFF, tags=["follow-ups"],
            summary="List open follow-ups (24-48 h after each session)")
def list_follow_ups(request: HttpRequest, page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Open tasks, oldest window first (overdue, due, upcoming); every member of staff, as on the
    follow-ups page. One audit entry names the patients listed."""
    found = services.list_open_follow_ups(actor(request), clinic(request), view="api", page=page, page_size=page_size)
    now = timezone.now()
    return {"items": [_follow_up_out(t, now) for t in found.items], **found.meta}


@router.get("/follow-ups/{task_id}", response=FollowUpOut, auth=auth.ANY_STAFF, tags=["follow-ups"], summary="Read a follow-up")
def get_follow_up(request: HttpRequest, task_id: int) -> Any:
    task = services.read_follow_up(actor(request), clinic(request), task_id)
    return _follow_up_out(task, timezone.now())


@router.post("/follow-ups/{task_id}/record", response=FollowUpOut, auth=auth.ANY_STAFF, tags=["follow-ups"],
             summary="Record a follow-up's outcome")
def record_follow_up(request: HttpRequest, task_id: int, payload: FollowUpIn) -> Any:
    """How it was made, whether the patient reported side effects (then ``outcome`` says what;
    clinical staff record the details as an adverse event). Recorded once: again, 409."""
    task = services.get_follow_up(clinic(request), task_id)
    done = services.record_follow_up(actor(request), task, method=payload.method,
                                     side_effects_reported=payload.side_effects_reported, outcome=payload.outcome,
                                     recorded_by=request.user)  # type: ignore[arg-type]
    return _follow_up_out(done, timezone.now())


class ClusterOut(Schema):
    lot_id: int
    lot_number: str
    product_name: str
    patient_ids: list[int]
    first_onset: dt.date
    last_onset: dt.date
    current: bool


@router.get("/infection-clusters", response=list[ClusterOut], auth=auth.CLINICAL, summary="Infection clusters by lot")
def infection_clusters(request: HttpRequest) -> Any:
    """Two or more patients who received the same lot and whose infections began within the
    window (12 weeks by default): the current alerts (``current``) and those of the past year, as
    on the clusters page. One audit entry names the patients."""
    today = timezone.localdate()
    current = services.infection_clusters_for(clinic(request), today)
    shown = {(c.lot.pk, c.cluster.patient_ids) for c in current}
    earlier = [c for c in services.infection_clusters_for(clinic(request), today, lookback_days=365)
               if (c.lot.pk, c.cluster.patient_ids) not in shown]
    alerts = [(c, True) for c in current] + [(c, False) for c in earlier]
    services.record_patient_list_read(actor(request), "infection_clusters", clinic(request).pk,
                                      (pid for c, _ in alerts for pid in c.cluster.patient_ids))
    return [{"lot_id": c.lot.pk, "lot_number": c.lot.lot_number, "product_name": c.lot.product.name,
             "patient_ids": list(c.cluster.patient_ids), "first_onset": c.cluster.first_onset,
             "last_onset": c.cluster.last_onset, "current": is_current} for c, is_current in alerts]
