"""Course, appointment and "next appointment" follow every move and completion (issue 20, item 4):
no page keeps the old start of a course, a session done stays "next", or a consultation that took
place is still to come."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.core import display

from .test_patient_header import chip

pytestmark = pytest.mark.django_db


def _course(actor, patient, ready, trichologist, *, start, sessions):
    from anagen.scheduling.services import bookable_practitioners
    from anagen.treatments.services import CourseChoices, book_course

    return book_course(actor, patient, ready["formulation"], CourseChoices(start, sessions, 14, 0, 60),
                       practitioner=bookable_practitioners(patient.clinic).first(), room=ready["room"], session_time=dt.time(7, 0),
                       duration_minutes=45, author=trichologist, today=timezone.localdate())


def _session(course, number):
    from anagen.scheduling.models import Appointment

    return Appointment.objects.get(course_id=course.pk, course_session_number=number, status="booked")


def _day_of(appointment):
    return timezone.localtime(appointment.starts_at).date()


def _open_day_on_or_after(day):
    while day.weekday() == 6:  # the clinic is closed on Sundays
        day += dt.timedelta(days=1)
    return day


def test_moving_session_1_moves_the_courses_start_on_every_page_and_the_headers_next_session(client, trichologist, patient, ready, actor):
    from anagen.audit.models import AuditEntry
    from anagen.scheduling.services import move_appointment

    course = _course(actor, patient, ready, trichologist, start=timezone.localdate() + dt.timedelta(days=2), sessions=4)
    first = _session(course, 1)
    # Booked, the course starts on its first session's day (the planner moves it off a Sunday).
    assert course.start_date == _day_of(first)
    new_day = _open_day_on_or_after(_day_of(first) + dt.timedelta(days=5))
    local = timezone.localtime(first.starts_at)
    move_appointment(actor, first, starts_at=local.replace(year=new_day.year, month=new_day.month, day=new_day.day))

    course.refresh_from_db()
    assert course.start_date == new_day
    entry = AuditEntry.objects.filter(object_type="course", object_id=str(course.pk), action="update").latest("seq")
    assert entry.changes["start_date"]["new"] == new_day.isoformat()
    client.force_login(trichologist)
    assert f"from {display.day(new_day)}" in client.get(reverse("treatments:course", args=[course.pk])).content.decode()
    patient_page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert f"from {display.day(new_day)}" in patient_page
    assert f"0/4 · next {display.day_short(new_day)}" in chip(patient_page, "course")


def test_moving_a_later_session_leaves_the_courses_start_alone(trichologist, patient, ready, actor):
    from anagen.scheduling.services import move_appointment

    course = _course(actor, patient, ready, trichologist, start=timezone.localdate() + dt.timedelta(days=2), sessions=4)
    start = course.start_date
    second = _session(course, 2)
    new_day = _open_day_on_or_after(_day_of(second) + dt.timedelta(days=2))
    local = timezone.localtime(second.starts_at)
    move_appointment(actor, second, starts_at=local.replace(year=new_day.year, month=new_day.month, day=new_day.day))
    course.refresh_from_db()
    assert course.start_date == start


def test_completing_a_session_marks_its_appointment_done_and_the_course_counts_it(client, clinic, trichologist, practitioner, patient,
                                                                                 ready, actor):
    from anagen.scheduling.models import Appointment
    from anagen.treatments.models import Course

    # An 8-session course with sessions 1-5 done on earlier weeks, session 6 booked now.
    today_session = ready["appointment"]
    course = Course.objects.create(clinic=clinic, patient=patient, consultation=ready["formulation"].consultation, formulation=ready["formulation"],
                                   start_date=timezone.localdate() - dt.timedelta(days=70), intensive_sessions=8, interval_days=14,
                                   maintenance_sessions=0, maintenance_interval_days=60, created_by=trichologist)
    for number in range(1, 6):
        at = today_session.starts_at - dt.timedelta(days=14 * (6 - number))
        Appointment.objects.create(clinic=clinic, patient=patient, practitioner=practitioner, room=ready["room"], kind="mesotherapy_session",
                                   starts_at=at, ends_at=at + dt.timedelta(minutes=45), status="completed", course_id=course.pk,
                                   course_session_number=number)
    Appointment.objects.filter(pk=today_session.pk).update(course_id=course.pk, course_session_number=6)
    client.force_login(practitioner)
    before = chip(client.get(reverse("patients:detail", args=[patient.pk])).content.decode(), "course")
    assert f"5/8 · next {display.day_short(timezone.localdate())}" in before

    from .conftest import session_post

    response = client.post(reverse("procedures:record", args=[today_session.pk]), session_post(ready["lot"]))
    assert response.status_code == 302
    today_session.refresh_from_db()
    assert today_session.status == "completed"
    after = chip(client.get(reverse("patients:detail", args=[patient.pk])).content.decode(), "course")
    assert "6/8" in after and "next" not in after


def test_a_consultation_started_from_the_patients_page_belongs_to_todays_consultation_which_is_done_when_signed(
        client, clinic, trichologist, make_patient, actor):
    from anagen.consultations.models import Consultation
    from anagen.consultations.services import save_draft, sign_consultation
    from anagen.scheduling.services import book_appointment, create_room

    priya = make_patient(clinic, given_name="Priya", family_name="Deshmukh")
    # Booked in the current quarter hour, so it has not ended yet whatever the time of day (and
    # ends by midnight, as appointments must).
    now = timezone.localtime()
    at = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    minutes_left = int((at.replace(hour=0, minute=0) + dt.timedelta(days=1) - at).total_seconds() // 60)
    appointment = book_appointment(actor, clinic, patient=priya, practitioner=trichologist, room=create_room(clinic, "Consultation room"),
                                   kind="consultation", starts_at=at, duration_minutes=min(45, minutes_left))
    client.force_login(trichologist)
    progress = client.get(reverse("outcomes:progress", args=[priya.pk])).content.decode()
    assert "Consultation ·" in chip(progress, "next")

    page = client.get(reverse("patients:detail", args=[priya.pk])).content.decode()
    # Both "Start consultation" buttons (the header's and the Overview's) start it at the appointment.
    assert page.count(f'action="{reverse("today_consult", args=[appointment.pk])}"') == 2
    assert reverse("consultations:start", args=[priya.pk]) not in page
    response = client.post(reverse("today_consult", args=[appointment.pk]))
    consultation = Consultation.objects.get(patient=priya)
    assert response["Location"] == reverse("consultations:edit", args=[consultation.pk]) and consultation.appointment_id == appointment.pk
    save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia"},
               measurements=None, labs={}, expected_version=None)
    sign_consultation(actor, consultation, trichologist)

    appointment.refresh_from_db()
    assert appointment.status == "completed"
    progress = client.get(reverse("outcomes:progress", args=[priya.pk])).content.decode()
    assert "Consultation ·" not in chip(progress, "next") and "Nothing booked" in chip(progress, "next")
    # Without a consultation booked today, the button starts one on its own, as before.
    page = client.get(reverse("patients:detail", args=[priya.pk])).content.decode()
    assert f'action="{reverse("consultations:start", args=[priya.pk])}"' in page


def test_a_stand_alone_appointment_recorded_as_a_course_session_is_linked_and_the_courses_own_booking_freed(
        client, trichologist, practitioner, patient, ready, actor):
    from anagen.scheduling.models import Appointment

    course = _course(actor, patient, ready, trichologist, start=timezone.localdate() + dt.timedelta(days=2), sessions=4)
    planned_first, second = _session(course, 1), _session(course, 2)
    stand_alone = ready["appointment"]
    client.force_login(practitioner)
    form = client.get(reverse("procedures:record", args=[stand_alone.pk])).content.decode()
    # The nurse is asked which session of the course this is.
    assert "Which session of the patient&#x27;s course is this?" in form or "Which session of the patient's course is this?" in form
    assert re.search(rf'<option value="{course.pk}:1">Session 1 of 4 of the course from {display.day(course.start_date)}', form)

    from .conftest import session_post

    response = client.post(reverse("procedures:record", args=[stand_alone.pk]), session_post(ready["lot"], course_session=f"{course.pk}:1"))
    assert response.status_code == 302
    stand_alone.refresh_from_db()
    assert (stand_alone.course_id, stand_alone.course_session_number, stand_alone.status) == (course.pk, 1, "completed")
    planned_first.refresh_from_db()
    assert planned_first.status == "cancelled"
    assert Appointment.objects.filter(course_id=course.pk, status="completed").count() == 1
    bar = chip(client.get(reverse("patients:detail", args=[patient.pk])).content.decode(), "course")
    assert f"1/4 · next {display.day_short(_day_of(second))}" in bar


def test_a_course_session_number_not_offered_is_refused_naming_the_field(client, trichologist, practitioner, patient, ready, actor):
    course = _course(actor, patient, ready, trichologist, start=timezone.localdate() + dt.timedelta(days=2), sessions=4)
    client.force_login(practitioner)

    from .conftest import session_post

    response = client.post(reverse("procedures:record", args=[ready["appointment"].pk]),
                           session_post(ready["lot"], course_session=f"{course.pk}:9"))
    assert response.status_code == 400
    assert "Choose a session of the patient&#x27;s course, or none." in response.content.decode() or \
        "Choose a session of the patient's course, or none." in response.content.decode()
    ready["appointment"].refresh_from_db()
    assert ready["appointment"].status != "completed" and ready["appointment"].course_id is None
