"""The recall planner keeps each course's recalls in step with its plan: one per maintenance date
nobody booked, never two, moved or withdrawn while not yet sent (issue 22, item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests import builders

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.recall import services as recalls
from anagen.recall.models import Recall, RecallStatus
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Status
from anagen.treatments.models import CourseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def start() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=8)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)  # a Monday


@pytest.fixture
def recalled(patient, trichologist, clinic, start):
    return builders.recalled_session(patient, trichologist, builders.room(clinic), start=start)


def test_a_cancelled_maintenance_session_is_owed_one_recall_two_weeks_before_its_planned_date(recalled, start):
    course, recall = recalled
    assert recall.status == RecallStatus.PLANNED
    assert recall.due_date == start + dt.timedelta(days=28)
    assert recall.send_on == recall.due_date - dt.timedelta(days=14)
    # Session 3 is still booked: no recall for it.
    assert list(Recall.objects.filter(course=course).values_list("session_number", flat=True)) == [2]
    assert AuditEntry.objects.filter(object_type="recall", object_id=str(recall.pk), action="create").exists()


def test_running_the_planner_again_makes_no_duplicate(recalled, clinic):
    course, _recall = recalled
    again = recalls.sync_clinic(clinic, timezone.localdate(), 14)
    assert (again.created, again.moved, again.withdrawn) == (0, 0, 0)
    assert Recall.objects.filter(course=course).count() == 1


def test_a_recomputed_plan_moves_a_recall_not_yet_sent(recalled, clinic, start):
    course, recall = recalled
    first = Appointment.objects.get(course_id=course.pk, course_session_number=1)
    scheduling.move_appointment(Actor.system("test", clinic.pk), first, starts_at=first.starts_at + dt.timedelta(days=7))
    result = recalls.sync_clinic(clinic, timezone.localdate(), 14)
    recall.refresh_from_db()
    assert result.moved == 1
    assert recall.due_date == start + dt.timedelta(days=35)
    assert recall.send_on == recall.due_date - dt.timedelta(days=14)


def test_a_recall_not_yet_sent_is_withdrawn_when_its_course_stops(recalled, clinic):
    course, recall = recalled
    course.status = CourseStatus.STOPPED
    course.save(update_fields=["status"])
    assert recalls.sync_clinic(clinic, timezone.localdate(), 14).withdrawn == 1
    recall.refresh_from_db()
    assert recall.status == RecallStatus.WITHDRAWN


def test_a_recall_is_closed_as_booked_when_reception_books_the_session(recalled, clinic, trichologist):
    course, recall = recalled
    room = scheduling.active_rooms(clinic).first()
    booked = scheduling.book_appointment(Actor.system("test", clinic.pk), clinic, patient=course.patient, practitioner=trichologist,
                                         room=room, kind="mesotherapy_session",
                                         starts_at=scheduling.local_datetime(recall.due_date, dt.time(12, 0)),
                                         duration_minutes=45, course_id=course.pk, course_session_number=2)
    assert recalls.sync_clinic(clinic, timezone.localdate(), 14).booked == 1
    recall.refresh_from_db()
    assert recall.status == RecallStatus.BOOKED and recall.appointment == booked
    assert booked.status == Status.BOOKED


def test_a_sent_recall_is_never_moved_or_sent_again(recalled, clinic):
    course, recall = recalled
    now = timezone.now()
    assert recalls.mark_sent(recall, now)
    assert not recalls.mark_sent(recall, now)
    first = Appointment.objects.get(course_id=course.pk, course_session_number=1)
    scheduling.move_appointment(Actor.system("test", clinic.pk), first, starts_at=first.starts_at + dt.timedelta(days=7))
    assert recalls.sync_clinic(clinic, timezone.localdate(), 14).moved == 0
    recall.refresh_from_db()
    assert recall.status == RecallStatus.SENT
