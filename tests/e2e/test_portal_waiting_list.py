"""Patient A cancels a course session in the portal; patient B, waiting for an earlier time,
takes the freed time from the portal's Waiting list; reception sees the wait, the offer and the
take on Today (issue 22, item 2: the freed slot offered first-come)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests import builders

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "violet kettle morning 42"


def _course_and_account(patient, trichologist, room, start: dt.date):
    from anagen.portal import services as portal
    from anagen.scheduling.models import Appointment
    from anagen.treatments.services import CourseChoices, create_course

    actor = builders.system_actor(patient.clinic)
    consultation = builders.signed_consultation(patient, trichologist, actor=actor)
    formulation = builders.formulation(consultation, trichologist, actor=actor)
    course = create_course(actor, consultation, formulation, CourseChoices(start, 3, 14, 0, 60), practitioner=trichologist, room=room,
                           session_time=dt.time(10, 0), duration_minutes=45, author=trichologist)
    _invitation, token = portal.invite_patient(actor, patient, by=trichologist)
    user = portal.accept_invitation(token, patient.mrn, PASSWORD)
    return user, list(Appointment.objects.filter(course_id=course.pk).order_by("course_session_number"))


def test_a_cancelled_time_goes_to_the_waiting_patient_who_takes_it_and_reception_sees_it(
        page, sign_in, clinic, receptionist, trichologist, patient, make_patient):
    from django.utils import timezone

    from anagen.scheduling.models import Appointment, Room

    room = Room.objects.create(clinic=clinic, name="Procedure room 1")
    start = timezone.localdate() + dt.timedelta(days=8)
    start += dt.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
    a_user, a_sessions = _course_and_account(patient, trichologist, room, start)
    waiting = make_patient(clinic, given_name="Ravi", family_name="Menon", sex="male")
    b_user, b_sessions = _course_and_account(waiting, trichologist, room, start + dt.timedelta(days=7))
    freed = a_sessions[1]  # start + 14, 10:00: earlier than B's session 2 (start + 21)
    local = timezone.localtime(freed.starts_at)
    freed_label = f"{local:%a} {local.day} {local:%b %Y}, 10:00"

    # B waits for an earlier time for session 2.
    sign_in(b_user.username, PASSWORD)
    page.goto("/portal/")
    page.locator(f"form[action='/portal/appointments/{b_sessions[1].pk}/waiting-list/'] button").click()
    page.wait_for_url(re.compile("/portal/waiting-list/$"))
    expect(page.get_by_text("You are on the waiting list.")).to_be_visible()
    expect(page.get_by_test_id("waiting-entry")).to_have_count(1)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))

    # A cancels session 2 in the portal.
    sign_in(a_user.username, PASSWORD)
    page.goto(f"/portal/appointments/{freed.pk}/cancel/")
    page.get_by_role("button", name="Cancel my session").click()
    page.wait_for_url(re.compile("/portal/$"))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))

    # B finds the offer and takes it.
    sign_in(b_user.username, PASSWORD)
    page.goto("/portal/")
    page.get_by_role("link", name="Waiting list").click()
    offer = page.get_by_test_id("offer")
    expect(offer).to_contain_text(freed_label)
    offer.get_by_role("button", name="Take this time").click()
    page.wait_for_url(re.compile("/portal/$"))
    expect(page.get_by_text("The time is yours")).to_be_visible()
    assert Appointment.objects.get(pk=b_sessions[1].pk).starts_at == freed.starts_at
    page.goto("/portal/waiting-list/")
    expect(page.get_by_test_id("offer-state")).to_have_text("You took this time.")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))

    # Reception sees it all on Today.
    sign_in(receptionist.username)
    page.goto("/")
    events = page.get_by_test_id("waiting-list-events")
    expect(events).to_contain_text(f"{waiting.full_name}: joined the waiting list with session 2")
    expect(events).to_contain_text(f"the freed time {freed_label} offered to 1 waiting patient")
    expect(events).to_contain_text(f"{waiting.full_name}: took the offered time {freed_label} for session 2")
    changes = page.get_by_test_id("self-service-changes")
    expect(changes).to_contain_text(f"{patient.full_name}: cancelled session 2")
