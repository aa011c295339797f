"""Browser journey: reception sells a package, redeems a session at a visit, prints the invoice."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_reception_sells_a_package_redeems_a_session_and_prints_the_invoice(page, sign_in, clinic, receptionist, trichologist,
                                                                             make_patient):
    from anagen.audit.services import Actor
    from anagen.billing.models import BillingSettings, PatientPackage, PriceItem
    from anagen.scheduling import services as scheduling
    from anagen.scheduling.models import Room

    BillingSettings.objects.create(clinic=clinic, state_code="27", invoice_prefix="MUM")
    PriceItem.objects.create(clinic=clinic, kind="package", name="6-session intensive course", price_paise=36_000_00,
                             tax_class="medical_exempt", code="9993", gst_rate_bp=0, sessions=6)
    patient = make_patient(clinic)
    actor = Actor.system("test", clinic.pk)
    starts = datetime.combine(timezone.localdate() - timedelta(days=1), time(10, 0)).replace(tzinfo=timezone.get_default_timezone())
    room = Room.objects.create(clinic=clinic, name="Room 1")
    appointment = scheduling.book_appointment(actor, clinic, patient=patient, practitioner=trichologist, room=room,
                                              kind="mesotherapy_session", starts_at=starts, duration_minutes=60)
    appointment = scheduling.mark_arrived(actor, appointment, now=starts)
    scheduling.mark_completed(actor, appointment, now=starts + timedelta(hours=1))

    sign_in(receptionist.username)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Item 1").select_option(label="6-session intensive course (₹36,000.00, Course package)")
    page.get_by_role("button", name="Issue invoice").click()
    page.wait_for_url(re.compile(r"/billing/invoices/\d+/$"))
    page.get_by_text("MUM/").first.wait_for()
    invoice_url = page.url

    page.get_by_role("link", name="6-session intensive course").first.click()
    page.get_by_label("Appointment the session was used at").select_option(index=1)
    page.get_by_role("button", name="Redeem one session").click()
    page.get_by_text("Session redeemed: 5 left.").wait_for()
    assert page.get_by_test_id("sessions-left").inner_text() == "5 of 6"
    assert PatientPackage.objects.get().sessions_used == 1

    page.goto(invoice_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download invoice PDF").click()
    path = download_info.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
