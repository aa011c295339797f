from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.scheduling.models import Appointment
from anagen.treatments.models import Course

from .conftest import TODAY, next_monday

pytestmark = pytest.mark.django_db


def course_form(formulation, practitioner, room, start, **extra):
    data = {
        "formulation": formulation.pk, "start_date": start.isoformat(), "intensive_sessions": "6", "interval_days": "14",
        "maintenance_sessions": "0", "maintenance_interval_days": "60", "practitioner": practitioner.pk, "room": room.pk,
        "session_time": "10:00", "duration_minutes": "45",
        "combo-TOTAL_FORMS": "2", "combo-INITIAL_FORMS": "0", "action": "book",
    }
    data.update(extra)
    return data


def test_it_previews_and_books_a_six_session_course_as_appointments(client, trichologist, practitioner, patient, formulation, room):
    client.force_login(trichologist)
    start = next_monday(TODAY)
    preview = client.post(reverse("treatments:course_preview", args=[patient.pk]), course_form(formulation, practitioner, room, start))
    assert preview.status_code == 200
    assert len(preview.context["plan"].sessions) == 6
    response = client.post(reverse("treatments:course_new", args=[patient.pk]), course_form(formulation, practitioner, room, start))
    assert response.status_code == 302, (response.context["form"].errors, response.context.get("plan_errors"))
    course = Course.objects.get()
    sessions = Appointment.objects.filter(course_id=course.pk).order_by("starts_at")
    assert [a.course_session_number for a in sessions] == [1, 2, 3, 4, 5, 6]
    days = [timezone.localtime(a.starts_at).date() for a in sessions]
    assert days[0] == start
    assert all((b - a).days >= 14 for a, b in zip(days, days[1:], strict=False))
    assert timezone.localtime(sessions[0].starts_at).time() == dt.time(10, 0)


def test_a_stop_finding_blocks_booking_a_course(client, trichologist, practitioner, patient, formulation, room):
    from anagen.audit.services import Actor
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation

    actor = Actor.system("test", patient.clinic_id)
    later = start_consultation(actor, patient, trichologist, TODAY)
    save_draft(actor, later, {"presenting_complaint": "x", "diagnosis_primary": "androgenetic_alopecia", "condition_codes": ["bleeding_disorder"]},
               measurements=None, labs={}, expected_version=None)
    sign_consultation(actor, later, trichologist)
    client.force_login(trichologist)
    response = client.post(reverse("treatments:course_new", args=[patient.pk]), course_form(formulation, practitioner, room, next_monday(TODAY)))
    assert response.status_code == 400
    assert b"Not eligible" in response.content
    assert not Course.objects.exists() and not Appointment.objects.exists()


def test_a_taken_slot_books_nothing_at_all(client, trichologist, practitioner, patient, formulation, room, make_patient):
    from anagen.audit.services import Actor
    from anagen.scheduling.services import book_appointment, local_datetime

    start = next_monday(TODAY)
    other = make_patient(patient.clinic, given_name="Other")
    # Session 3 of the plan would fall on start + 28 days at 10:00: somebody already has it.
    book_appointment(Actor.system("test", patient.clinic_id), patient.clinic, patient=other, practitioner=practitioner, room=room,
                     kind="review", starts_at=local_datetime(start + dt.timedelta(days=28), dt.time(10, 0)), duration_minutes=30)
    client.force_login(trichologist)
    response = client.post(reverse("treatments:course_new", args=[patient.pk]), course_form(formulation, practitioner, room, start))
    assert response.status_code == 400
    assert b"session 3" in response.content
    assert not Course.objects.exists()
    assert Appointment.objects.count() == 1


def test_bad_course_settings_are_refused_naming_the_field(client, trichologist, practitioner, patient, formulation, room):
    client.force_login(trichologist)
    response = client.post(reverse("treatments:course_new", args=[patient.pk]),
                           course_form(formulation, practitioner, room, next_monday(TODAY), interval_days="3"))
    assert response.status_code == 400
    assert "interval_days" in response.context["form"].errors
    assert not Course.objects.exists()


def test_a_course_cannot_start_in_the_past(client, trichologist, practitioner, patient, formulation, room):
    client.force_login(trichologist)
    response = client.post(reverse("treatments:course_new", args=[patient.pk]),
                           course_form(formulation, practitioner, room, TODAY - dt.timedelta(days=7)))
    assert response.status_code == 400
    assert "start_date" in response.context["form"].errors


def test_combination_therapy_is_booked_inside_the_course(client, trichologist, practitioner, patient, formulation, room):
    client.force_login(trichologist)
    start = next_monday(TODAY)
    data = course_form(formulation, practitioner, room, start, **{
        "combo-0-therapy": "prf", "combo-0-start_date": (start + dt.timedelta(days=3)).isoformat(),
        "combo-0-interval_days": "28", "combo-0-sessions": "2",
    })
    assert client.post(reverse("treatments:course_new", args=[patient.pk]), data).status_code == 302
    assert Appointment.objects.filter(kind="prf").count() == 2


def test_moving_a_session_offers_a_core_replan_of_the_rest(client, trichologist, practitioner, patient, formulation, room):
    from anagen.audit.services import Actor
    from anagen.scheduling.services import local_datetime, move_appointment

    client.force_login(trichologist)
    start = next_monday(TODAY)
    client.post(reverse("treatments:course_new", args=[patient.pk]), course_form(formulation, practitioner, room, start))
    course = Course.objects.get()
    second = Appointment.objects.get(course_id=course.pk, course_session_number=2)
    new_day = timezone.localtime(second.starts_at).date() + dt.timedelta(days=7)
    move_appointment(Actor.system("test", patient.clinic_id), second, starts_at=local_datetime(new_day, dt.time(10, 0)))
    url = reverse("treatments:replan", kwargs={"course_id": course.pk}) + f"?appointment={second.pk}"
    preview = client.get(url)
    assert preview.status_code == 200
    assert len(preview.context["replan"].changes) == 4
    client.post(url, {"appointment": second.pk})
    third = Appointment.objects.get(course_id=course.pk, course_session_number=3)
    assert timezone.localtime(third.starts_at).date() == new_day + dt.timedelta(days=14)


def test_another_clinic_gets_404_for_a_course(client, other_clinic, make_user, trichologist, practitioner, patient, formulation, room):
    client.force_login(trichologist)
    client.post(reverse("treatments:course_new", args=[patient.pk]), course_form(formulation, practitioner, room, next_monday(TODAY)))
    course = Course.objects.get()
    client.force_login(make_user(other_clinic, "trichologist"))
    assert client.get(reverse("treatments:course", args=[course.pk])).status_code == 404


def test_the_preview_proposes_times_of_day_free_for_every_session_of_the_course(client, trichologist, practitioner, patient, formulation,
                                                                               room, make_patient):
    from anagen.audit.services import Actor
    from anagen.scheduling.services import book_appointment, local_datetime

    start = next_monday(TODAY)
    other = make_patient(patient.clinic, given_name="Other")
    actor = Actor.system("test", patient.clinic_id)
    # Session 3's date (start + 28 days) is taken 10:00-10:30 with this practitioner.
    book_appointment(actor, patient.clinic, patient=other, practitioner=practitioner, room=room, kind="review",
                     starts_at=local_datetime(start + dt.timedelta(days=28), dt.time(10, 0)), duration_minutes=30)
    client.force_login(trichologist)
    preview = client.post(reverse("treatments:course_preview", args=[patient.pk]), course_form(formulation, practitioner, room, start))
    assert preview.status_code == 200
    free = preview.context["free_times"]
    # 45 minutes cannot start from 09:30 to 10:15 on session 3's date; 10:30 can.
    assert dt.time(9, 15) in free and dt.time(10, 30) in free
    assert not {dt.time(9, 30), dt.time(9, 45), dt.time(10, 0), dt.time(10, 15)} & set(free)
    assert preview.context["chosen_time_free"] is False
    page = preview.content.decode()
    assert 'data-session-time="10:30"' in page and 'data-session-time="10:00"' not in page
    assert "At 10:00 the practitioner, the room or the patient is already booked on at least one of these dates" in page
    # The time proposed books the whole course.
    response = client.post(reverse("treatments:course_new", args=[patient.pk]),
                           course_form(formulation, practitioner, room, start, session_time="10:30"))
    assert response.status_code == 302
    assert Appointment.objects.filter(course_id=Course.objects.get().pk).count() == 6


def test_the_patients_own_appointments_are_not_proposed(client, trichologist, practitioner, patient, formulation, room):
    from anagen.audit.services import Actor
    from anagen.scheduling.services import book_appointment, create_room, local_datetime

    start = next_monday(TODAY)
    elsewhere = create_room(patient.clinic, "Room 9")
    # The patient is in another room at 15:00 on session 2's date, with the same practitioner's
    # colleague: the course's practitioner and room are free then, the patient is not.
    book_appointment(Actor.system("test", patient.clinic_id), patient.clinic, patient=patient, practitioner=trichologist, room=elsewhere,
                     kind="review", starts_at=local_datetime(start + dt.timedelta(days=14), dt.time(15, 0)), duration_minutes=30)
    client.force_login(trichologist)
    preview = client.post(reverse("treatments:course_preview", args=[patient.pk]), course_form(formulation, practitioner, room, start))
    free = preview.context["free_times"]
    assert dt.time(14, 0) in free and dt.time(15, 30) in free
    assert not {dt.time(14, 30), dt.time(14, 45), dt.time(15, 0), dt.time(15, 15)} & set(free)
    assert preview.context["chosen_time_free"] is True
