"""Use cases of recall: keep each course's recalls in step with its plan, say which are due, and
issue and check the one-time links their messages carry (issue 22, item 3).

The messages themselves go through the reminders outbox (``reminders.services.schedule_recalls``);
the booking step the link opens is the portal's (``portal.services.book_recall``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from anagen.accounts.models import Clinic
from anagen.accounts.protocols import protocol_for
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.core import recall as rules
from anagen.core.course import plan_course
from anagen.recall.models import Recall, RecallLink, RecallStatus
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.treatments.models import Course, CourseStatus
from anagen.treatments.services import CourseChoices, course_request, session_history

HELD = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.IN_CHAIR, AppointmentStatus.COMPLETED)
PLANNER = "recall-planner"


def held_sessions(course_ids: list[int]) -> dict[int, dict[int, Appointment]]:
    """For each course, its mesotherapy sessions an appointment holds: {course: {number: appointment}}."""
    held: dict[int, dict[int, Appointment]] = {pk: {} for pk in course_ids}
    rows = Appointment.objects.filter(course_id__in=course_ids, kind=Kind.MESOTHERAPY_SESSION, status__in=HELD,
                                      course_session_number__isnull=False)
    for appointment in rows:
        held[appointment.course_id][appointment.course_session_number] = appointment
    return held


def owed_for(course: Course, held_numbers: set[int], days_before: int, today: dt.date) -> list[rules.RecallDue]:
    """The course's maintenance sessions still to book, as its plan (recomputed now) dates them."""
    completed, missed = session_history(course)
    choices = CourseChoices(course.start_date, course.intensive_sessions, course.interval_days,
                            course.maintenance_sessions, course.maintenance_interval_days)
    plan = plan_course(course_request(course.clinic, choices, completed, missed), protocol_for(course.clinic))
    return rules.recalls_owed(plan, held_numbers, days_before, today)


@dataclass
class SyncResult:
    created: int = 0
    moved: int = 0
    withdrawn: int = 0
    booked: int = 0


def _audit(actor: Actor, action: str, recall: Recall, changes: dict) -> None:
    audit.append(actor, action, object_type="recall", object_id=recall.pk, patient_id=recall.patient_id, changes=changes)


def sync_clinic(clinic: Clinic, today: dt.date, days_before: int, *, now: dt.datetime | None = None) -> SyncResult:
    """Recompute every active course's maintenance recalls: create those now owed, move those not
    yet sent whose date changed, withdraw those not sent that are no longer owed, and mark booked
    any whose session an appointment now holds. Safe to run again and again (no duplicates)."""
    now = now or timezone.now()
    actor = Actor.system(PLANNER, clinic.pk)
    result = SyncResult()
    courses = list(Course.objects.filter(clinic=clinic, status=CourseStatus.ACTIVE, maintenance_sessions__gt=0).select_related("clinic"))
    existing: dict[tuple[int, int], Recall] = {
        (r.course_id, r.session_number): r
        for r in Recall.objects.filter(clinic=clinic, status__in=(RecallStatus.PLANNED, RecallStatus.SENT))
    }
    held = held_sessions([c.pk for c in courses])
    active_ids = {c.pk for c in courses}
    with transaction.atomic():
        for course in courses:
            owed = {r.number: r for r in owed_for(course, set(held[course.pk]), days_before, today)}
            for number, due in owed.items():
                recall = existing.get((course.pk, number))
                if recall is None:
                    recall = Recall(clinic=clinic, patient_id=course.patient_id, course=course, session_number=number,
                                    due_date=due.due_date, send_on=due.send_on, created_at=now, updated_at=now)
                    recall.save()
                    _audit(actor, Action.CREATE, recall, audit.snapshot_created(
                        {"course": course.pk, "session": number, "due_date": due.due_date, "send_on": due.send_on}))
                    result.created += 1
                elif recall.status == RecallStatus.PLANNED and (recall.due_date, recall.send_on) != (due.due_date, due.send_on):
                    before = {"due_date": recall.due_date, "send_on": recall.send_on}
                    recall.due_date, recall.send_on, recall.updated_at = due.due_date, due.send_on, now
                    recall.save(update_fields=["due_date", "send_on", "updated_at"])
                    _audit(actor, Action.UPDATE, recall, audit.diff(before, {"due_date": due.due_date, "send_on": due.send_on}))
                    result.moved += 1
            for number, appointment in held[course.pk].items():
                recall = existing.get((course.pk, number))
                if recall is not None and recall.status in (RecallStatus.PLANNED, RecallStatus.SENT):
                    _close(actor, recall, RecallStatus.BOOKED, now, appointment)
                    result.booked += 1
            for (course_id, number), recall in existing.items():
                if (course_id == course.pk and recall.status == RecallStatus.PLANNED and number not in owed
                        and number not in held[course.pk]):
                    _close(actor, recall, RecallStatus.WITHDRAWN, now)
                    result.withdrawn += 1
        for (course_id, _number), recall in existing.items():
            if course_id not in active_ids and recall.status == RecallStatus.PLANNED:
                _close(actor, recall, RecallStatus.WITHDRAWN, now)
                result.withdrawn += 1
    return result


def _close(actor: Actor, recall: Recall, status: str, now: dt.datetime, appointment: Appointment | None = None) -> None:
    before = recall.status
    recall.status, recall.updated_at = status, now
    if appointment is not None:
        recall.appointment = appointment
    recall.save(update_fields=["status", "updated_at", "appointment"])
    _audit(actor, Action.UPDATE, recall, {"status": {"old": before, "new": status}})


def due_recalls(clinic: Clinic, today: dt.date) -> list[Recall]:
    """Planned recalls whose sending day has come (and whose session is still ahead)."""
    return list(Recall.objects.filter(clinic=clinic, status=RecallStatus.PLANNED, send_on__lte=today, due_date__gte=today)
                .select_related("patient"))


def mark_sent(recall: Recall, now: dt.datetime) -> bool:
    """PLANNED -> SENT, once: True only for the caller that changed it."""
    return Recall.objects.filter(pk=recall.pk, status=RecallStatus.PLANNED).update(status=RecallStatus.SENT, sent_at=now, updated_at=now) == 1


def still_open(recall_id: int) -> bool:
    """The recall may still be booked through its link (at send time: not booked or withdrawn)."""
    return Recall.objects.filter(pk=recall_id, status__in=(RecallStatus.PLANNED, RecallStatus.SENT)).exists()


# --- the links ---------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()


def new_token() -> str:
    """A random token for one message's link (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def store_link(recall_id: int, token: str, now: dt.datetime) -> RecallLink:
    """Keep the link of a message about to be sent: only the token's hash, and when it expires."""
    return RecallLink.objects.create(recall_id=recall_id, token_sha256=token_hash(token), created_at=now,
                                     expires_at=rules.link_expires_at(now))


class LinkRefused(Exception):
    """Why a recall link cannot be used: ``state`` is ``unknown``, ``expired``, ``used`` or ``closed``."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def check_link(link: RecallLink | None, now: dt.datetime) -> RecallLink:
    """The link if it may still book, else LinkRefused. Reads only: nothing is written."""
    if link is None:
        raise LinkRefused("unknown")
    state = rules.link_state(link.expires_at, link.used_at is not None or link.recall.status == RecallStatus.BOOKED, now)
    if state is not rules.LinkState.VALID:
        raise LinkRefused(state.value)
    if link.recall.status not in (RecallStatus.PLANNED, RecallStatus.SENT):
        raise LinkRefused("closed")
    return link


def link_for_token(raw: str, now: dt.datetime) -> RecallLink:
    found = RecallLink.objects.select_related("recall", "recall__clinic").filter(token_sha256=token_hash(raw)).first()
    return check_link(found, now)


def link_for_claim(link_id: int, digest: str, now: dt.datetime, *, lock: bool = False) -> RecallLink:
    rows = RecallLink.objects.select_related("recall", "recall__clinic", "recall__patient", "recall__course")
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.filter(pk=link_id, token_sha256=digest).first()
    return check_link(found, now)


def mark_booked(link: RecallLink, appointment: Appointment, now: dt.datetime) -> None:
    """Inside the booking's transaction: the link is used and the recall booked."""
    link.used_at = now
    link.save(update_fields=["used_at"])
    recall = link.recall
    recall.status, recall.appointment, recall.updated_at = RecallStatus.BOOKED, appointment, now
    recall.save(update_fields=["status", "appointment", "updated_at"])
