"""A portal patient moves a session of their course to another free time, and reception sees the
change on its Today screen (issue 22, item 2: "a portal patient moves a session and reception sees it")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests import builders

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "violet kettle morning 42"


def _course_and_account(patient, trichologist):
    from django.utils import timezone

    from anagen.portal import services as portal
    from anagen.scheduling.models import Appointment, Room
    from anagen.treatments.services import CourseChoices, create_course

    actor = builders.system_actor(patient.clinic)
    room = Room.objects.create(clinic=patient.clinic, name="Procedure room 1")
    consultation = builders.signed_consultation(patient, trichologist, actor=actor)
    formulation = builders.formulation(consultation, trichologist, actor=actor)
    start = timezone.localdate() + dt.timedelta(days=8)
    start += dt.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
    course = create_course(actor, consultation, formulation, CourseChoices(start, 3, 14, 0, 60), practitioner=trichologist, room=room,
                           session_time=dt.time(10, 0), duration_minutes=45, author=trichologist)
    _invitation, token = portal.invite_patient(actor, patient, by=trichologist)
    user = portal.accept_invitation(token, patient.mrn, PASSWORD)
    sessions = list(Appointment.objects.filter(course_id=course.pk).order_by("course_session_number"))
    return user, start, sessions


def test_a_portal_patient_moves_a_session_and_reception_sees_it_on_today(page, sign_in, clinic, receptionist, trichologist, patient):
    from anagen.scheduling.models import Appointment

    user, start, sessions = _course_and_account(patient, trichologist)
    new_day = start + dt.timedelta(days=8)  # a Tuesday, 8 days after session 1 and 20 before session 3

    sign_in(user.username, PASSWORD)
    page.goto("/portal/")
    page.locator(f"a[href='/portal/appointments/{sessions[1].pk}/move/']").click()
    expect(page.get_by_role("heading", name="Move a session")).to_be_visible()
    day_label = f"{new_day:%a} {new_day.day} {new_day:%b %Y}"
    day_block = page.locator(".portal-day", has_text=day_label)
    day_block.get_by_label("14:00").check()
    page.get_by_role("button", name="Move my session").click()
    page.wait_for_url(re.compile("/portal/$"))
    expect(page.get_by_text("Your session is moved.")).to_be_visible()
    expect(page.get_by_text(f"{day_label}, 14:00")).to_be_visible()
    moved = Appointment.objects.get(pk=sessions[1].pk)
    assert moved.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).time() == dt.time(14, 0)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))
    sign_in(receptionist.username)
    page.goto("/")
    panel = page.get_by_test_id("self-service-changes")
    expect(panel).to_contain_text(patient.full_name)
    expect(panel).to_contain_text("moved session 2 from")
    expect(panel).to_contain_text(f"to {day_label}, 14:00")
