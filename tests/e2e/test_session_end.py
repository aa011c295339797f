"""The end of the tablet flow (issue 20, item 3): once the nurse has signed, the aftercare sheet is
printed, downloaded as a PDF and sent through the patient's channel, and the next session is
booked from it; a patient whose course already holds the next session is shown that booking."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from tests.web.outcomes.pdftext import pdf_text

from .test_session_journey import fill_check_in_product_and_map, prepare_patient

pytestmark = pytest.mark.django_db(transaction=True)


def _stock_and_patient(clinic, trichologist, practitioner, make_patient):
    from anagen.audit.services import Actor
    from anagen.catalog.models import Product
    from anagen.catalog.services import receive_lot
    from anagen.consents.services import publish_text
    from anagen.scheduling.services import create_room

    actor = Actor.system("setup", clinic.pk)
    today = timezone.localdate()
    room = create_room(clinic, "Procedure room 1")
    text = publish_text(actor, clinic, "treatment", "en", "Consent to scalp mesotherapy", "I consent.")
    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose",
                                     vial_volume_ml=Decimal("5"), low_stock_threshold_ml=Decimal("5"))
    product.components.create(ingredient_code="ghk_cu", concentration=Decimal("1"), concentration_unit="mg/mL")
    product.components.create(ingredient_code="dexpanthenol", concentration=Decimal("50"), concentration_unit="mg/mL")
    receive_lot(actor, product, lot_number="VC-0925", expiry_date=today + dt.timedelta(days=120), quantity_ml=Decimal("25"),
                supplier="Derma Supplies", received_on=today - dt.timedelta(days=10))
    slot = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    if slot.hour >= 22:
        slot = slot.replace(hour=21)
    anita = make_patient(clinic, given_name="Anita", family_name="Desai", phone="+919820012345")
    appointment = prepare_patient(clinic, anita, trichologist, practitioner, room, text, slot)
    return actor, anita, appointment, room


def _sign_the_session(page):
    fill_check_in_product_and_map(page, "VC-0925")
    page.get_by_role("button", name="Next: after").click()
    page.locator("label.pain-choice", has_text="2").first.click()
    page.get_by_role("button", name="Review and sign").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_role("heading", name="After your scalp mesotherapy session")).to_be_visible()


def test_after_signing_the_sheet_is_printed_downloaded_sent_and_the_next_session_booked(page, sign_in, clinic, trichologist, practitioner,
                                                                                         receptionist, make_patient):
    from anagen.consents.services import publish_text, sign_consent
    from anagen.reminders import services as reminders
    from anagen.reminders.models import OutboxMessage
    from anagen.scheduling.models import Appointment

    actor, anita, appointment, _room = _stock_and_patient(clinic, trichologist, practitioner, make_patient)
    # Anita agreed to reminders by SMS: the sheet offers that channel.
    reminders_text = publish_text(actor, clinic, "reminders", "en", "Reminders", "You may send me reminders.")
    sign_consent(actor, anita, reminders_text, method="typed", typed_name=anita.full_name, acknowledged=True, witness=receptionist)
    reminders.opt_in(actor, anita, "sms", "en")

    sign_in(practitioner.username)
    page.goto(reverse("procedures:record", args=[appointment.pk]))
    _sign_the_session(page)

    # Print: the browser's print dialog opens (counted instead of shown, headless).
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") == 1

    # Download as PDF: a real PDF of the sheet, with the patient's name.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert re.fullmatch(r"aftercare-\d+-en\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "After your scalp mesotherapy session" in text and "Anita Desai" in text

    # Send by SMS: queued once; a second send says it already went.
    page.get_by_label("SMS").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Aftercare message queued by SMS")).to_be_visible()
    assert list(OutboxMessage.objects.filter(patient=anita).values_list("kind", "channel")) == [("aftercare", "sms")]
    page.get_by_label("SMS").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text(re.compile("already sent by SMS"))).to_be_visible()
    assert OutboxMessage.objects.filter(patient=anita).count() == 1

    # Book next session: the booking form with Anita, the session type and the practitioner filled
    # in, on an open day two weeks on; a free time fills the rest.
    page.get_by_role("link", name="Book next session").click()
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    expect(page.get_by_label(re.compile("Anita Desai"))).to_be_checked()
    expect(page.get_by_label("Appointment type")).to_have_value("mesotherapy_session")
    offered_day = dt.date.fromisoformat(page.get_by_label("Date").input_value())
    assert offered_day >= timezone.localdate() + dt.timedelta(days=14)
    page.locator(".free-times .slot-list a").first.click()
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_text(re.compile("Booked Anita Desai"))).to_be_visible()
    booked = Appointment.objects.filter(patient=anita).exclude(pk=appointment.pk).get()
    assert (booked.kind, booked.status, timezone.localtime(booked.starts_at).date()) == ("mesotherapy_session", "booked", offered_day)


def test_a_course_whose_next_session_is_booked_shows_it_after_signing(page, sign_in, clinic, trichologist, practitioner, make_patient):
    from anagen.scheduling.services import book_appointment, link_to_course
    from anagen.treatments.models import Course

    actor, anita, appointment, room = _stock_and_patient(clinic, trichologist, practitioner, make_patient)
    course = Course.objects.create(clinic=clinic, patient=anita, start_date=timezone.localdate(), intensive_sessions=4, interval_days=14,
                                   maintenance_sessions=0, maintenance_interval_days=30, created_by=trichologist,
                                   consultation=anita.consultations.get(), formulation=anita.formulations.get())
    link_to_course(actor, appointment, course_id=course.pk, session_number=1, reason="Session 1 of the course")
    # Session 2 on the next open day at least two weeks on, as the planner would book it.
    day = timezone.localdate() + dt.timedelta(days=14)
    while day.weekday() == 6:
        day += dt.timedelta(days=1)
    second = book_appointment(actor, clinic, patient=anita, practitioner=practitioner, room=room, kind="mesotherapy_session",
                              starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(11, 0))), duration_minutes=45,
                              course_id=course.pk, course_session_number=2)

    sign_in(practitioner.username)
    page.goto(reverse("procedures:record", args=[appointment.pk]))
    _sign_the_session(page)
    next_session = page.get_by_test_id("next-session")
    expect(next_session).to_contain_text(f"Already booked: {day:%a} {day.day} {day:%b %Y} at 11:00.")
    expect(next_session.get_by_role("link", name="Book next session")).to_have_count(0)
    next_session.get_by_role("link", name="Open the appointment").click()
    page.wait_for_url(f"**{reverse('scheduling:detail', args=[second.pk])}")
