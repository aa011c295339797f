"""A recall reminder's link books (issue 22, item 3: "a recall link books"): the worker sends the
recall of a maintenance session nobody booked, its one-tap link opens the booking step in Chromium,
the patient books a time, and reception sees it on Today. A second tap reads that the link was used."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from tests import builders
from tests.web.reminders.conftest import ProviderServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(settings):
    server = ProviderServer()
    server.thread.start()
    settings.ANAGEN_SMS_WEBHOOK_URL = server.url
    settings.ANAGEN_SMS_WEBHOOK_TOKEN = "sms-token"
    settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "webhook", "whatsapp": "log"}
    yield server
    server.server.shutdown()
    server.server.server_close()


def _opted_in(patient, receptionist):
    from anagen.consents import services as consents
    from anagen.reminders import services as reminders

    actor = builders.system_actor(patient.clinic)
    text = consents.publish_text(actor, patient.clinic, "reminders", "en", "Reminders", "You may send me reminders.")
    consents.sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=receptionist)
    reminders.opt_in(actor, patient, "sms", "en")


def test_a_recall_reminders_link_opens_the_booking_step_the_patient_books_and_reception_sees_it(
        page, sign_in, clinic, receptionist, trichologist, patient, provider):
    from django.utils import timezone

    from anagen.reminders import services as reminders
    from anagen.scheduling.models import Appointment, Room

    _opted_in(patient, receptionist)
    room = Room.objects.create(clinic=clinic, name="Procedure room 1")
    start = timezone.localdate() + dt.timedelta(days=8)
    start += dt.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
    course, recall = builders.recalled_session(patient, trichologist, room, start=start)
    send_at = dt.datetime.combine(recall.send_on, dt.time(9, 0)).replace(tzinfo=timezone.get_default_timezone())
    assert reminders.run_once(send_at).sent == 1
    text = provider.requests[0]["text"]
    link = re.search(r"https?://\S+/portal/recall/[A-Za-z0-9_-]+/", text).group(0)

    page.goto(urlsplit(link).path)  # the live server, at the link's path
    page.wait_for_url(re.compile(r"/portal/recall/$"))  # the token left the address bar
    expect(page.get_by_role("heading", name="Book your maintenance session")).to_be_visible()
    due = recall.due_date
    expect(page.get_by_text(f"planned your next maintenance session for around {due:%a} {due.day} {due:%b %Y}")).to_be_visible()
    day_label = f"{due:%a} {due.day} {due:%b %Y}"
    page.locator(".portal-day", has_text=day_label).get_by_label("14:00").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="Your session is booked")).to_be_visible()
    expect(page.get_by_text(f"is booked for {day_label}, 14:00")).to_be_visible()
    booked = Appointment.objects.get(course_id=course.pk, course_session_number=2, status="booked")
    assert timezone.localtime(booked.starts_at).time() == dt.time(14, 0)

    page.goto(urlsplit(link).path)
    expect(page.get_by_text("This link has already been used.")).to_be_visible()
    expect(page.get_by_role("link", name="Go to sign in")).to_be_visible()

    sign_in(receptionist.username)
    page.goto("/")
    panel = page.get_by_test_id("self-service-changes")
    expect(panel).to_contain_text(patient.full_name)
    expect(panel).to_contain_text(f"booked maintenance session 2 for {day_label}, 14:00 from a recall")
