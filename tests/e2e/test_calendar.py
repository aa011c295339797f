"""Browser test of the clinic calendar: reception books from the grid; a double booking is refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_reception_books_from_the_calendar_and_a_second_booking_of_the_slot_is_refused(page, sign_in, receptionist, trichologist, make_patient):
    from anagen.scheduling.models import Room

    clinic = receptionist.clinic
    Room.objects.create(clinic=clinic, name="Procedure room 1")
    Room.objects.create(clinic=clinic, name="Procedure room 2")
    make_patient(clinic, given_name="Asha", family_name="Bhosale")
    make_patient(clinic, given_name="Vikram", family_name="Rao")
    tomorrow = timezone.localdate() + timedelta(days=1)

    sign_in(receptionist.username)
    page.get_by_role("link", name="Calendar", exact=True).click()
    expect(page.get_by_role("heading", name=f"{timezone.localdate():%a} {timezone.localdate().day} {timezone.localdate():%b %Y}")).to_be_visible()
    page.get_by_role("link", name="Next day").click()
    expect(page.get_by_role("heading", name=f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b %Y}")).to_be_visible()

    # Click the free 10:00 slot in the trichologist's column: the form comes prefilled.
    page.get_by_role("link", name=f"Book 10:00, {trichologist}").click()
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    expect(page.get_by_label("Start time")).to_have_value("10:00")
    page.wait_for_load_state("load")  # htmx wires the live search once its script has run
    page.get_by_label("Find patient").fill("bhosale")
    page.get_by_label(re.compile("Asha Bhosale")).check()
    page.get_by_label("Room").select_option(label="Procedure room 1")
    page.get_by_label("Appointment type").select_option(label="Consultation")
    expect(page.get_by_label("Duration (minutes)")).to_have_value("45")
    page.get_by_role("button", name="Book appointment").click()

    expect(page.get_by_text(re.compile("Booked Asha Bhosale"))).to_be_visible()
    card = page.locator(".cal-appt", has_text="Asha Bhosale")
    expect(card).to_contain_text("10:00–10:45")
    expect(card).to_contain_text("Consultation")
    expect(card).to_contain_text("Procedure room 1")

    # Another patient, same trichologist, overlapping time in the other room: refused, naming the field.
    page.get_by_role("link", name="Book appointment").click()
    page.wait_for_load_state("load")
    page.get_by_label("Find patient").fill("rao")
    page.get_by_label(re.compile("Vikram Rao")).check()
    page.get_by_label("Practitioner").select_option(str(trichologist.pk))
    page.get_by_label("Room").select_option(label="Procedure room 2")
    page.get_by_label("Appointment type").select_option(label="Review")
    page.get_by_label("Start time").fill("10:15")
    page.get_by_role("button", name="Book appointment").click()
    practitioner_group = page.locator(".field", has=page.get_by_label("Practitioner"))
    expect(practitioner_group).to_contain_text("already booked")
    page.get_by_role("link", name="Back to the calendar").click()
    page.goto(f"/calendar/?date={tomorrow.isoformat()}")
    expect(page.locator(".cal-appt")).to_have_count(1)
