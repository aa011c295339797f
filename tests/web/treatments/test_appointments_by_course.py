"""treatments.services.appointments_by_course: one query for several courses' appointments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anagen.scheduling.models import Appointment, Kind, Room
from anagen.treatments.services import appointments_by_course

pytestmark = pytest.mark.django_db


def _appointment(clinic, patient, practitioner, course_id, days_ahead):
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days_ahead)
    room, _ = Room.objects.get_or_create(clinic=clinic, name="Procedure room")
    return Appointment.objects.create(
        clinic=clinic, patient=patient, practitioner=practitioner, room=room, kind=Kind.MESOTHERAPY_SESSION,
        starts_at=starts, ends_at=starts + dt.timedelta(minutes=45), course_id=course_id, course_session_number=days_ahead,
    )


def test_it_groups_each_courses_appointments_in_time_order(clinic, patient, practitioner):
    late = _appointment(clinic, patient, practitioner, 101, 20)
    early = _appointment(clinic, patient, practitioner, 101, 6)
    other = _appointment(clinic, patient, practitioner, 102, 13)
    found = appointments_by_course(clinic.pk, [101, 102, 103])
    assert found == {101: [early, late], 102: [other], 103: []}


def test_it_leaves_out_another_clinics_appointments_under_the_same_course_id(clinic, other_clinic, patient, practitioner,
                                                                            make_patient, make_user):
    mine = _appointment(clinic, patient, practitioner, 101, 6)
    _appointment(other_clinic, make_patient(other_clinic), make_user(other_clinic, "practitioner"), 101, 7)
    assert appointments_by_course(clinic.pk, [101]) == {101: [mine]}
