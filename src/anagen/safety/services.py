"""Use cases of patient safety after a session: the 24-48 hour follow-up, adverse events, the rule
that blocks the next session, lot recipients for a recall, and the infection-cluster alert.

The clinical rules live in anagen.core.safety (``FOLLOW_UP_WINDOW_HOURS``, ``session_blockers``,
``infection_clusters``); this module loads rows, calls the core, saves and writes the audit trail.
Every write runs in ``transaction.atomic()`` (a savepoint inside the caller's transaction) and
appends an audit entry; every read of patient data that a page or export shows is audited too.

Refusals of input raise ``anagen.core.errors.InvalidInput`` naming each bad field; a person without
the role a use case needs gets ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import CLINICAL_ROLES, Clinic, Role, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.catalog.models import Lot
from anagen.core import display
from anagen.core.errors import FieldError, InvalidInput, InvalidState, NotFound, StaleWrite
from anagen.core.safety import (
    FOLLOW_UP_WINDOW_HOURS,
    AdverseEventType,
    Cluster,
    ClusterPolicy,
    EventState,
    Exposure,
    Infection,
    Severity,
    infection_clusters,
    session_blockers,
)
from anagen.patients.models import Patient
from anagen.procedures.models import LotUsage, TreatmentSession
from anagen.safety.models import (
    AdverseEvent,
    FollowUpMethod,
    FollowUpStatus,
    FollowUpTask,
    SessionDrawReview,
)
from anagen.ui.labels import label

MAX_TEXT = 5000
BLOCKING_SEVERITIES = (Severity.MODERATE.value, Severity.SEVERE.value)
EVENT_TYPES = frozenset(t.value for t in AdverseEventType)
SEVERITIES = frozenset(s.value for s in Severity)


# ------------------------------------------------------------------------------------ follow-ups


def create_follow_up(session: TreatmentSession, *, actor: Actor | None = None) -> FollowUpTask:
    """The follow-up task of a signed session, due 24-48 hours after signing
    (``FOLLOW_UP_WINDOW_HOURS``: side effects resolve in 24-48 h, source article). Called by the
    session sign-off inside its transaction; calling it again returns the existing task."""
    start_h, end_h = FOLLOW_UP_WINDOW_HOURS
    with transaction.atomic():
        existing = FollowUpTask.objects.filter(session=session).first()
        if existing is not None:
            return existing
        task = FollowUpTask.objects.create(
            clinic_id=session.clinic_id, patient_id=session.patient_id, session=session,
            due_from=session.signed_at + dt.timedelta(hours=start_h),
            due_until=session.signed_at + dt.timedelta(hours=end_h),
        )
        audit.append(
            actor or Actor.system("session-sign-off", session.clinic_id), Action.CREATE,
            object_type="follow_up_task", object_id=task.pk, patient_id=session.patient_id,
            changes=audit.snapshot_created({"session_id": session.pk, "due_from": task.due_from, "due_until": task.due_until}),
        )
    return task


def follow_up_state(task: FollowUpTask, now: dt.datetime) -> str:
    """"overdue" after the window, "due" inside it, "upcoming" before it, "done" once recorded."""
    if task.status == FollowUpStatus.DONE:
        return "done"
    if now > task.due_until:
        return "overdue"
    if now >= task.due_from:
        return "due"
    return "upcoming"


def open_follow_ups(clinic: Clinic) -> QuerySet[FollowUpTask]:
    """Open tasks, oldest window first: overdue, then due now, then upcoming (all windows are the
    same length, so ordering by ``due_from`` is that order)."""
    return (
        FollowUpTask.objects.filter(clinic=clinic, status=FollowUpStatus.OPEN)
        .select_related("patient", "session")
        .order_by("due_from", "id")
    )


def side_effects_without_event(clinic: Clinic) -> QuerySet[FollowUpTask]:
    """Follow-ups where side effects were reported but no adverse event names the session yet."""
    return (
        FollowUpTask.objects.filter(clinic=clinic, status=FollowUpStatus.DONE, side_effects_reported=True)
        .exclude(session__adverse_events__isnull=False)
        .select_related("patient", "session", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


def overdue_follow_up_count(clinic: Clinic, now: dt.datetime) -> int:
    return FollowUpTask.objects.filter(clinic=clinic, status=FollowUpStatus.OPEN, due_until__lt=now).count()


def get_follow_up(clinic: Clinic | None, task_id: int) -> FollowUpTask:
    """One of the clinic's follow-up tasks; 404 for any other clinic's id."""
    if clinic is None:
        raise NotFound
    try:
        return FollowUpTask.objects.select_related("patient", "session", "recorded_by").get(pk=task_id, clinic=clinic)
    except FollowUpTask.DoesNotExist:
        raise NotFound("No such follow-up") from None


def read_follow_up(actor: Actor, clinic: Clinic | None, task_id: int) -> FollowUpTask:
    """``get_follow_up``, audited as a read of the patient's record."""
    task = get_follow_up(clinic, task_id)
    audit.record_read(actor, "follow_up_task", task.pk, task.patient_id)
    return task


def list_open_follow_ups(actor: Actor, clinic: Clinic, *, view: str, page: int = 1, page_size: int = 25) -> Page[FollowUpTask]:
    """One page of ``open_follow_ups``; one audit entry (``view`` names the list) names its patients."""
    found = page_of_query(open_follow_ups(clinic), page, page_size)
    record_patient_list_read(actor, "follow_up_list", view, [t.patient_id for t in found.items])
    return found


def record_patient_list_read(actor: Actor, object_type: str, object_id: object, patient_ids: Iterable[int]) -> None:
    """A page or export that names several patients: one audit entry naming them all."""
    ids = sorted(set(patient_ids))
    if ids:
        audit.append(actor, Action.READ, object_type=object_type, object_id=object_id, patient_id=None,
                     changes={"patient_ids": ids})


def record_follow_up(
    actor: Actor,
    task: FollowUpTask,
    *,
    method: str,
    side_effects_reported: bool,
    outcome: str,
    recorded_by: User,
) -> FollowUpTask:
    """Record the call or the patient's report. Any member of staff may; the side effects' clinical
    detail is then recorded as an adverse event by clinical staff (``report_event``)."""
    # A recorded follow-up is refused before its input is read (checked again under the lock below).
    if task.status == FollowUpStatus.DONE:
        raise InvalidState(gettext("This follow-up is already recorded."), field="method")
    errors: list[FieldError] = []
    if method not in FollowUpMethod.values:
        errors.append(FieldError("method", gettext("Choose how the follow-up was made.")))
    if not isinstance(side_effects_reported, bool):
        errors.append(FieldError("side_effects_reported", gettext("Say whether the patient reported side effects.")))
    outcome = (outcome or "").strip()
    if side_effects_reported is True and not outcome:
        errors.append(FieldError("outcome", gettext("Note what the patient reported.")))
    if len(outcome) > MAX_TEXT:
        errors.append(FieldError("outcome", gettext("Keep the notes under %(limit)d characters.") % {"limit": MAX_TEXT}))
    if recorded_by.clinic_id != task.clinic_id or not recorded_by.is_clinic_staff:
        errors.append(FieldError("recorded_by", gettext("Only this clinic's staff may record a follow-up.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        if locked.status == FollowUpStatus.DONE:
            raise InvalidState(gettext("This follow-up is already recorded."), field="method")
        before = {"status": locked.status, "method": locked.method, "side_effects_reported": locked.side_effects_reported, "outcome": locked.outcome}
        locked.status = FollowUpStatus.DONE
        locked.method = method
        locked.side_effects_reported = side_effects_reported
        locked.outcome = outcome
        locked.recorded_by = recorded_by
        locked.recorded_at = timezone.now()
        locked.save()
        after = {"status": locked.status, "method": method, "side_effects_reported": side_effects_reported, "outcome": outcome}
        audit.append(actor, Action.UPDATE, object_type="follow_up_task", object_id=locked.pk,
                     patient_id=locked.patient_id, changes=audit.diff(before, after))
    return locked


# -------------------------------------------------------------------------------- adverse events


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def sessions_of(patient: Patient) -> QuerySet[TreatmentSession]:
    return TreatmentSession.objects.filter(patient=patient, clinic_id=patient.clinic_id).order_by("-performed_on", "-id")


def session_lots(session: TreatmentSession) -> list[Lot]:
    return [u.lot for u in LotUsage.objects.filter(session=session).select_related("lot__product").order_by("id")]


def patient_lots(patient: Patient) -> QuerySet[Lot]:
    """Lots that went into this patient's sessions: what an event is most often linked to."""
    return (
        Lot.objects.filter(usages__session__patient=patient, product__clinic_id=patient.clinic_id)
        .select_related("product").distinct().order_by("product__name", "lot_number", "id")
    )


def report_event(
    actor: Actor,
    patient: Patient,
    *,
    session: TreatmentSession | int | None = None,
    lots: Iterable[Lot | int] = (),
    event_type: str,
    severity: str,
    onset_date: dt.date,
    description: str,
    action_taken: str,
    reported_by: User,
    today: dt.date | None = None,
) -> AdverseEvent:
    """Record an adverse event. The onset may not be in the future nor before the linked session;
    the lots default to those used in the session (LotUsage) and must be the patient's clinic's."""
    today = today or timezone.localdate()
    errors: list[FieldError] = []
    if event_type not in EVENT_TYPES:
        errors.append(FieldError("event_type", gettext("Unknown type %(value)s: choose one from the list.") % {"value": repr(event_type)}))
    if severity not in SEVERITIES:
        errors.append(FieldError("severity", gettext("Choose mild, moderate or severe.")))
    onset = _as_date(onset_date)
    if onset is None:
        errors.append(FieldError("onset_date", gettext("Enter the date the event began.")))
    elif onset > today:
        errors.append(FieldError("onset_date", gettext("The onset cannot be in the future (today is %(today)s).") % {"today": display.day(today)}))
    the_session: TreatmentSession | None = None
    if session is not None:
        session_id = session.pk if isinstance(session, TreatmentSession) else session
        the_session = TreatmentSession.objects.filter(pk=session_id, patient=patient, clinic_id=patient.clinic_id).first() \
            if isinstance(session_id, int) else None
        if the_session is None:
            errors.append(FieldError("session", gettext("Choose one of this patient's sessions.")))
        elif onset is not None and onset < the_session.performed_on:
            errors.append(FieldError("onset_date", gettext("The onset cannot be before the session it follows (%(day)s).")
                                     % {"day": display.day(the_session.performed_on)}))
    lot_ids: list[int] = []
    for item in lots:
        lot_id = item.pk if isinstance(item, Lot) else item
        if not isinstance(lot_id, int) or isinstance(lot_id, bool):
            errors.append(FieldError("lots", gettext("Unknown lot %(value)s.") % {"value": repr(lot_id)}))
        elif lot_id not in lot_ids:
            lot_ids.append(lot_id)
    if lot_ids:
        found = set(Lot.objects.filter(pk__in=lot_ids, product__clinic_id=patient.clinic_id).values_list("pk", flat=True))
        missing = [i for i in lot_ids if i not in found]
        if missing:
            errors.append(FieldError("lots", gettext("Lot %(lots)s is not one of this clinic's lots.") % {"lots": ", ".join(map(str, missing))}))
    description = (description or "").strip()
    action_taken = (action_taken or "").strip()
    if event_type == AdverseEventType.OTHER and not description:
        errors.append(FieldError("description", gettext("Describe the event.")))
    for name, text in (("description", description), ("action_taken", action_taken)):
        if len(text) > MAX_TEXT:
            errors.append(FieldError(name, gettext("Keep it under %(limit)d characters.") % {"limit": MAX_TEXT}))
    if reported_by.clinic_id != patient.clinic_id or not reported_by.has_role(*CLINICAL_ROLES):
        errors.append(FieldError("reported_by", gettext("Adverse events are recorded by this clinic's clinical staff.")))
    if errors:
        raise InvalidInput(errors)
    if not lot_ids and the_session is not None:
        lot_ids = [lot.pk for lot in session_lots(the_session)]
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            clinic_id=patient.clinic_id, patient=patient, session=the_session, event_type=event_type, severity=severity,
            onset_date=onset, description=description, action_taken=action_taken, reported_by=reported_by,
        )
        if lot_ids:
            event.lots.set(lot_ids)
        audit.append(
            actor, Action.CREATE, object_type="adverse_event", object_id=event.pk, patient_id=patient.pk,
            changes=audit.snapshot_created({
                "event_type": event_type, "severity": severity, "onset_date": onset,
                "session_id": the_session.pk if the_session else None, "lot_ids": ",".join(map(str, sorted(lot_ids))),
                "description": description, "action_taken": action_taken,
            }),
        )
    return event


def _locked_event(event: AdverseEvent, expected_version: int | None) -> AdverseEvent:
    locked = AdverseEvent.objects.select_for_update().get(pk=event.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleWrite(gettext("Someone else changed this event meanwhile: reload the page and try again."), field="version")
    return locked


def resolve_event(
    actor: Actor, event: AdverseEvent, resolved_on: dt.date, *, today: dt.date | None = None, expected_version: int | None = None
) -> AdverseEvent:
    """Record the date the event resolved: not before its onset, not in the future."""
    today = today or timezone.localdate()
    day = _as_date(resolved_on)
    if day is None:
        raise InvalidInput.single("resolved_on", gettext("Enter the date the event resolved."))
    if day > today:
        raise InvalidInput.single("resolved_on", gettext("The resolution date cannot be in the future (today is %(today)s).")
                                  % {"today": display.day(today)})
    with transaction.atomic():
        locked = _locked_event(event, expected_version)
        if locked.resolved_on is not None:
            raise InvalidInput.single("resolved_on", gettext("This event was already recorded as resolved on %(day)s.")
                                      % {"day": display.day(locked.resolved_on)})
        if day < locked.onset_date:
            raise InvalidInput.single("resolved_on", gettext("The resolution cannot be before the onset (%(day)s).")
                                      % {"day": display.day(locked.onset_date)})
        locked.resolved_on = day
        locked.version += 1
        locked.save(update_fields=["resolved_on", "version"])
        audit.append(actor, Action.UPDATE, object_type="adverse_event", object_id=locked.pk, patient_id=locked.patient_id,
                     changes=audit.diff({"resolved_on": None}, {"resolved_on": day}))
    return locked


def _review_note(note: str | None) -> str:
    """A trichologist's review (of an adverse event or of a session's draw) says what was decided."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput.single("note", gettext("Write the review: what was decided and why."))
    if len(note) > MAX_TEXT:
        raise InvalidInput.single("note", gettext("Keep the review under %(limit)d characters.") % {"limit": MAX_TEXT})
    return note


def review_event(
    actor: Actor, event: AdverseEvent, note: str, reviewer: User, *, expected_version: int | None = None
) -> AdverseEvent:
    """A trichologist's review of the event (only a trichologist of the event's clinic may): a
    reviewed event no longer blocks the next session."""
    if reviewer.clinic_id != event.clinic_id or not reviewer.has_role(Role.TRICHOLOGIST):
        raise PermissionDenied("Only a trichologist may review an adverse event.")
    note = _review_note(note)
    with transaction.atomic():
        locked = _locked_event(event, expected_version)
        if locked.reviewed_at is not None:
            raise InvalidInput.single("note", gettext("This event has already been reviewed."))
        locked.reviewed_by = reviewer
        locked.reviewed_at = timezone.now()
        locked.review_note = note
        locked.version += 1
        locked.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "version"])
        audit.append(actor, Action.UPDATE, object_type="adverse_event", object_id=locked.pk, patient_id=locked.patient_id,
                     changes=audit.diff({"reviewed_by": None, "review_note": ""}, {"reviewed_by": reviewer.username, "review_note": note}))
    return locked


def event_state(event: AdverseEvent) -> EventState:
    return EventState(
        event_id=event.pk, severity=Severity(event.severity),
        resolved=event.resolved_on is not None, reviewed=event.reviewed_at is not None,
    )


def event_blockers(states: Iterable[EventState]) -> list[str]:
    """``core.session_blockers`` in the reader's language: the core decides, one event at a time,
    whether it blocks the next session; this writes the sentence a person reads."""
    return [
        gettext("Adverse event %(number)s (%(severity)s) is unresolved and not yet reviewed by a trichologist.")
        % {"number": state.event_id, "severity": label(state.severity, "event_severity").lower()}
        for state in states
        if session_blockers([state])
    ]


def session_blockers_for(patient: Patient) -> list[str]:
    """Why the patient's next session may not go ahead (core.session_blockers): each unresolved
    moderate or severe event a trichologist has not yet reviewed."""
    events = AdverseEvent.objects.filter(patient=patient).only("pk", "severity", "resolved_on", "reviewed_at").order_by("onset_date", "id")
    return event_blockers(event_state(e) for e in events)


def get_event(clinic: Clinic | None, event_id: int) -> AdverseEvent:
    """One of the clinic's adverse events; 404 for any other clinic's id."""
    if clinic is None:
        raise NotFound
    try:
        return AdverseEvent.objects.select_related("patient", "session", "reported_by", "reviewed_by").get(pk=event_id, clinic=clinic)
    except AdverseEvent.DoesNotExist:
        raise NotFound("No such adverse event") from None


def events_of(patient: Patient) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.filter(patient=patient).select_related("session", "reported_by", "reviewed_by").prefetch_related("lots__product")


def events_needing_review(clinic: Clinic) -> QuerySet[AdverseEvent]:
    """Moderate and severe events no trichologist has reviewed yet, unresolved (blocking) first."""
    return (
        AdverseEvent.objects.filter(clinic=clinic, severity__in=BLOCKING_SEVERITIES, reviewed_at__isnull=True)
        .select_related("patient").order_by(F("resolved_on").asc(nulls_first=True), "onset_date", "id")
    )


def list_events(actor: Actor, clinic: Clinic, *, view: str, patient_id: int | None = None, event_type: str | None = None,
                severity: str | None = None, unresolved: bool = False, needs_review: bool = False, page: int = 1,
                page_size: int = 25) -> Page[AdverseEvent]:
    """Newest onset first, then id; one audit entry (``view`` names the list) names the patients on
    the page. ``needs_review``: only those of ``events_needing_review``."""
    records = AdverseEvent.objects.filter(clinic=clinic).prefetch_related(Prefetch("lots", queryset=Lot.objects.only("pk")))
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if event_type is not None:
        records = records.filter(event_type=event_type)
    if severity is not None:
        records = records.filter(severity=severity)
    if unresolved:
        records = records.filter(resolved_on__isnull=True)
    if needs_review:
        records = records.filter(pk__in=events_needing_review(clinic).values("pk"))
    found = page_of_query(records.order_by("-onset_date", "-id"), page, page_size)
    record_patient_list_read(actor, "adverse_event_list", view, [e.patient_id for e in found.items])
    return found


def read_event(actor: Actor, clinic: Clinic | None, event_id: int) -> AdverseEvent:
    """``get_event``, audited as a read of the patient's record."""
    event = get_event(clinic, event_id)
    audit.record_read(actor, "adverse_event", event.pk, event.patient_id)
    return event


def sessions_needing_draw_review(clinic: Clinic) -> QuerySet[TreatmentSession]:
    """Sessions signed with a written reason for another product or for volumes that did not
    reconcile (anagen.core.safety.check_session_draw) that no trichologist has reviewed yet."""
    return (
        TreatmentSession.objects.filter(clinic=clinic, draw_review__isnull=True)
        .filter(~Q(product_substitution_reason="") | ~Q(volume_discrepancy_reason=""))
        .select_related("patient", "practitioner").order_by("performed_on", "id")
    )


def review_session_draw(actor: Actor, session: TreatmentSession, note: str, reviewer: User) -> SessionDrawReview:
    """A trichologist's review of a session's product substitution or volume discrepancy: appended
    once beside the signed session, which is never changed."""
    if reviewer.clinic_id != session.clinic_id or not reviewer.has_role(Role.TRICHOLOGIST):
        raise PermissionDenied("Only a trichologist may review a session's product or volumes.")
    if not (session.product_substitution_reason or session.volume_discrepancy_reason):
        raise InvalidInput.single("note", gettext("This session was signed as prescribed: there is nothing to review."))
    note = _review_note(note)
    with transaction.atomic():
        TreatmentSession.objects.select_for_update().filter(pk=session.pk).first()
        if SessionDrawReview.objects.filter(session=session).exists():
            raise InvalidInput.single("note", gettext("This session has already been reviewed."))
        review = SessionDrawReview.objects.create(session=session, reviewed_by=reviewer, reviewed_at=timezone.now(), note=note)
        audit.append(actor, Action.CREATE, object_type="session_draw_review", object_id=review.pk, patient_id=session.patient_id,
                     changes={"session": {"old": None, "new": str(session.pk)}, "note": {"old": None, "new": note}})
    return review


# ---------------------------------------------------------------------------------------- recall


@dataclass(frozen=True)
class ReportedEvent:
    event_id: int
    event_type: str
    severity: str
    onset_date: dt.date


@dataclass(frozen=True)
class Recipient:
    """One use of the lot in one patient's session, with what a recall call needs."""

    patient_id: int
    mrn: str
    name: str
    phone: str
    email: str
    session_id: int
    performed_on: dt.date
    volume_ml: Decimal
    events: tuple[ReportedEvent, ...] = field(default=())

    @property
    def reported_event(self) -> bool:
        return bool(self.events)

    @property
    def infection(self) -> bool:
        return any(e.event_type == AdverseEventType.INFECTION for e in self.events)


def lot_recipients(clinic: Clinic, lot: Lot, *, actor: Actor | None = None) -> list[Recipient]:
    """Every patient who received the lot (LotUsage -> session -> patient), oldest session first,
    with contact details and the adverse events they reported that name this lot or that session.
    404 for another clinic's lot. With ``actor``, writes one audit entry naming the patients."""
    if lot.product.clinic_id != clinic.pk:
        raise NotFound("No such lot")
    usages = list(
        LotUsage.objects.filter(lot=lot, session__clinic=clinic)
        .select_related("session__patient").order_by("session__performed_on", "session_id", "id")
    )
    patient_ids = {u.session.patient_id for u in usages}
    session_ids = {u.session_id for u in usages}
    events = (
        AdverseEvent.objects.filter(clinic=clinic, patient_id__in=patient_ids)
        .filter(Q(lots=lot) | Q(session_id__in=session_ids)).distinct().order_by("onset_date", "id")
    )
    by_patient: dict[int, list[ReportedEvent]] = {}
    for e in events:
        by_patient.setdefault(e.patient_id, []).append(ReportedEvent(e.pk, e.event_type, e.severity, e.onset_date))
    rows = []
    for u in usages:
        p = u.session.patient
        rows.append(Recipient(
            patient_id=p.pk, mrn=p.mrn, name=p.full_name, phone=p.phone, email=p.email, session_id=u.session_id,
            performed_on=u.session.performed_on, volume_ml=u.volume_ml, events=tuple(by_patient.get(p.pk, ())),
        ))
    if actor is not None:
        record_patient_list_read(actor, "lot_recipients", lot.pk, (r.patient_id for r in rows))
    return rows


# -------------------------------------------------------------------------------------- clusters


@dataclass(frozen=True)
class ClusterAlert:
    lot: Lot
    cluster: Cluster

    @property
    def patient_count(self) -> int:
        return len(self.cluster.patient_ids)


def infection_clusters_for(
    clinic: Clinic, today: dt.date, *, policy: ClusterPolicy | None = None, lookback_days: int | None = None
) -> list[ClusterAlert]:
    """Infection clusters by lot (core.infection_clusters): two or more patients who received the
    same lot and whose infections began within the window (12 weeks by default).

    By default only current alerts: clusters whose last onset falls within one window before
    ``today``. ``lookback_days`` widens that (e.g. 365 for the past year's clusters)."""
    policy = policy or ClusterPolicy()
    recent = lookback_days if lookback_days is not None else policy.window_days
    onset_from = today - dt.timedelta(days=recent + policy.window_days)
    exposed_from = onset_from - dt.timedelta(days=policy.window_days)
    infections = [
        Infection(patient_id=pid, onset=onset)
        for pid, onset in AdverseEvent.objects.filter(
            clinic=clinic, event_type=AdverseEventType.INFECTION, onset_date__gte=onset_from, onset_date__lte=today,
        ).values_list("patient_id", "onset_date")
    ]
    if not infections:
        return []
    infected = {i.patient_id for i in infections}
    exposures = [
        Exposure(patient_id=pid, lot_id=lot_id, on=on)
        for pid, lot_id, on in LotUsage.objects.filter(
            session__clinic=clinic, session__patient_id__in=infected,
            session__performed_on__gte=exposed_from, session__performed_on__lte=today,
        ).values_list("session__patient_id", "lot_id", "session__performed_on")
    ]
    clusters = [c for c in infection_clusters(exposures, infections, policy) if (today - c.last_onset).days <= recent]
    lots = Lot.objects.select_related("product").in_bulk([c.lot_id for c in clusters])
    return [ClusterAlert(lots[c.lot_id], c) for c in clusters if c.lot_id in lots]


# ------------------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class Dashboard:
    clusters: list[ClusterAlert]
    overdue_follow_ups: int
    due_follow_ups: int
    needing_review: int
    side_effects_unrecorded: int


def dashboard(clinic: Clinic, now: dt.datetime, today: dt.date) -> Dashboard:
    return Dashboard(
        clusters=infection_clusters_for(clinic, today),
        overdue_follow_ups=overdue_follow_up_count(clinic, now),
        due_follow_ups=FollowUpTask.objects.filter(
            clinic=clinic, status=FollowUpStatus.OPEN, due_from__lte=now, due_until__gte=now
        ).count(),
        needing_review=events_needing_review(clinic).count(),
        side_effects_unrecorded=side_effects_without_event(clinic).count(),
    )
