"""Browser test of online booking (issue 22): a new patient books a first consultation from the
public page, confirms with the code the clinic's SMS gateway received (a local server speaking
MSG91's API), and reception then finds the appointment in its day list and the calendar, flagged
for a duplicate check."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.web.booking.conftest import DLT_TEMPLATE_ID, last_code
from tests.web.reminders.fake_providers import MSG91_OK, FakeProvider

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sms_gateway(settings):
    server = FakeProvider(MSG91_OK)
    settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "msg91", "whatsapp": "log"}
    settings.ANAGEN_MSG91_AUTHKEY = "test-authkey"
    settings.ANAGEN_MSG91_API_BASE = server.base_url
    yield server
    server.close()


def test_a_new_patient_books_online_and_reception_sees_the_appointment(page, sign_in, receptionist, trichologist, sms_gateway):
    from anagen.booking.models import OnlineBookingSettings
    from anagen.reminders.models import MessagingAccount
    from anagen.scheduling.models import Appointment, Room

    clinic = receptionist.clinic
    Room.objects.create(clinic=clinic, name="Consultation room")
    MessagingAccount.objects.create(clinic=clinic, sms_sender_id="LOTUSH")
    OnlineBookingSettings.objects.create(clinic=clinic, enabled=True, code_channel="sms", dlt_template_id=DLT_TEMPLATE_ID)

    page.goto("/login/")
    page.get_by_role("link", name="New patient? Book a first consultation online").click()
    expect(page.get_by_role("heading", name=f"Book a first consultation at {clinic.name}")).to_be_visible()
    first_time = page.locator("input[name=starts_at]").first
    chosen_label = page.locator("label.slot").first.inner_text().strip()
    first_time.check()
    page.get_by_label("Given name").fill("Meera")
    page.get_by_label("Family name").fill("Kulkarni")
    page.get_by_label("Date of birth").fill("1994-05-24")
    page.get_by_label("Female").check()
    page.get_by_label("Mobile number").fill("98201 23456")
    page.get_by_role("button", name="Send me the code").click()

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_text(re.compile("by SMS to your mobile ending 3456"))).to_be_visible()
    assert "98201" not in page.url and "Meera" not in page.url
    # A wrong code first: the page says how many tries are left.
    code = last_code(sms_gateway)
    page.get_by_label("Code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("That code is not right. 4 tries left.")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="Booked")).to_be_visible()
    expect(page.get_by_text(re.compile(f"is booked for .*{chosen_label}"))).to_be_visible()

    appointment = Appointment.objects.get(clinic=clinic)
    day = timezone.localtime(appointment.starts_at).date()
    page.context.clear_cookies()
    sign_in(receptionist.username)
    page.goto(f"/?day={day.isoformat()}")
    row = page.locator("tr.today-row", has_text="Meera Kulkarni")
    expect(row).to_contain_text(chosen_label)
    expect(row).to_contain_text("Booked online: check for duplicates")
    page.goto(f"/calendar/?date={day.isoformat()}")
    card = page.locator(".cal-appt", has_text="Meera Kulkarni")
    expect(card).to_contain_text("Consultation")
    expect(card).to_contain_text(chosen_label)

    # Reception opens the record, sees the flag in the header and clears it.
    page.goto(f"/patients/{appointment.patient_id}/")
    expect(page.get_by_test_id("patient-header")).to_contain_text("Check for duplicates")
    page.get_by_role("button", name="Not a duplicate: clear the flag").click()
    expect(page.get_by_text("Checked: this record is no longer flagged as a possible duplicate.")).to_be_visible()
    expect(page.get_by_test_id("patient-header")).not_to_contain_text("Check for duplicates")
