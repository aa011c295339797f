"""Issue 6 in the browser: the practitioner opens today's appointment, completes the checklist,
records volumes on the scalp map by clicking zones, picks a lot and signs; the aftercare sheet
opens; the 24-48 h follow-up task appears; infections recorded for two patients who received the
same lot raise the cluster alert, and the recall list names both."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def prepare_patient(clinic, patient, trichologist, practitioner, room, text, at):
    """Consulted, consented, prescribed, with a mesotherapy session booked at ``at`` today."""
    from anagen.audit.services import Actor
    from anagen.consents.services import sign_consent
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation
    from anagen.core.formulation import Component
    from anagen.scheduling.services import book_appointment
    from anagen.treatments.services import save_formulation

    actor = Actor.system("setup", clinic.pk)
    consultation = start_consultation(actor, patient, trichologist, timezone.localdate() - dt.timedelta(days=7))
    save_draft(actor, consultation, {"presenting_complaint": "Thinning crown", "diagnosis_primary": "androgenetic_alopecia"},
               measurements=None, labs={}, expected_version=None)
    consultation = sign_consultation(actor, consultation, trichologist)
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=practitioner)
    save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("1.0"), Decimal("50"))],
                     author=trichologist, signoff=False, consent_documented=False)
    return book_appointment(actor, clinic, patient=patient, practitioner=practitioner, room=room, kind="mesotherapy_session",
                            starts_at=at, duration_minutes=45, course_session_number=1)


def fill_check_in_product_and_map(page, lot_number):
    """The tablet's first three screens as a nurse fills them: identity confirmed, the lot drawn
    (2 mL) and the scalp cleansed, then the prescription's 2 mL put on the map in twenty taps of 0.1 mL."""
    page.locator('[data-field="identity_confirmed"] label.choice-yes').click()
    page.get_by_role("button", name="Next: product").click()
    page.locator(".lot-card", has_text=lot_number).locator('input[type="checkbox"]').check()
    page.get_by_label(f"Volume drawn from lot {lot_number} (mL)").fill("2.00")
    page.locator('[data-field="scalp_cleansed"] label.choice-yes').click()
    page.get_by_role("button", name="Next: map").click()
    for zone, taps in [("vertex", 8), ("mid_scalp", 4), ("frontal", 8)]:
        for _ in range(taps):
            page.locator(f'[data-zone-add="{zone}"]').click()


def report_infection(page, patient):
    page.goto(f"/safety/patients/{patient.pk}/events/")
    page.get_by_role("link", name="Report an adverse event").click()
    page.get_by_label("Type").select_option("infection")
    page.get_by_label("Moderate").check()
    page.get_by_label("Onset").fill(timezone.localdate().isoformat())
    page.get_by_label("What happened").fill("Tender red nodules at injection points")
    page.get_by_label("Action taken").fill("Swab sent; referred to dermatology")
    page.get_by_role("button", name="Record the event").click()
    expect(page.get_by_text(re.compile("Infection"))).to_be_visible()


def test_a_session_is_recorded_on_the_map_and_an_infection_cluster_is_found(page, sign_in, clinic, trichologist, practitioner, make_patient):
    from anagen.audit.services import Actor
    from anagen.catalog.models import Product
    from anagen.catalog.services import receive_lot
    from anagen.consents.services import publish_text
    from anagen.core.measurements import ScalpZone
    from anagen.core.safety import InjectionPoint
    from anagen.procedures.services import LotUse, SessionInput, record_session
    from anagen.scheduling.services import create_room

    actor = Actor.system("setup", clinic.pk)
    today = timezone.localdate()
    room, other_room = create_room(clinic, "Procedure room 1"), create_room(clinic, "Procedure room 2")
    text = publish_text(actor, clinic, "treatment", "en", "Consent to scalp mesotherapy", "I consent.")
    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose",
                                     vial_volume_ml=Decimal("5"), low_stock_threshold_ml=Decimal("5"))
    product.components.create(ingredient_code="ghk_cu", concentration=Decimal("1"), concentration_unit="mg/mL")
    product.components.create(ingredient_code="dexpanthenol", concentration=Decimal("50"), concentration_unit="mg/mL")
    lot = receive_lot(actor, product, lot_number="VC-0925", expiry_date=today + dt.timedelta(days=120), quantity_ml=Decimal("25"),
                      supplier="Derma Supplies", received_on=today - dt.timedelta(days=10))
    slot = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    if slot.hour >= 22:
        slot = slot.replace(hour=21)
    anita = make_patient(clinic, given_name="Anita", family_name="Desai")
    rahul = make_patient(clinic, given_name="Rahul", family_name="Menon", sex="male")
    prepare_patient(clinic, anita, trichologist, practitioner, room, text, slot)
    # Rahul had his session earlier today with the same lot, in the other room.
    other_practitioner = trichologist
    appointment = prepare_patient(clinic, rahul, trichologist, other_practitioner, other_room, text, slot)
    record_session(actor, appointment, SessionInput(
        identity_confirmed=True, fever_today=False, scalp_infection_today=False, pregnant_today=False, new_medicines="",
        new_medication_codes=(), scalp_cleansed=True, numbing_spray=False, technique="needle", needle_gauge=32,
        needle_length_mm=Decimal("4"), mesogun_settings="", depth_mm=Decimal("2"), injection_style="nappage",
        injection_map=tuple(InjectionPoint(ScalpZone.VERTEX, Decimal("0.5"), Decimal("0.6"), Decimal("0.2")) for _ in range(10)),
        lots=(LotUse(lot.pk, Decimal("2.0")),), pain_score=2, immediate_reactions=(), reaction_notes="", aftercare_language="en",
    ), practitioner=other_practitioner, today=today)

    # The practitioner opens today's appointment from the calendar.
    sign_in(practitioner.username)
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.locator(".cal-appt", has_text="Anita Desai").get_by_role("link").first.click()
    page.get_by_role("link", name="Record the session").click()
    expect(page.get_by_test_id("safety-strip")).to_be_visible()

    # The tablet flow (issue 20): check-in, product, map, after; each screen one tap away.
    expect(page.get_by_test_id("safety-strip")).to_contain_text("Anita Desai")
    fill_check_in_product_and_map(page, "VC-0925")
    expect(page.locator("#running-total")).to_contain_text("2.00 mL on the map · 2.00 mL drawn")
    expect(page.locator("svg#scalp-map circle.point")).to_have_count(20)
    page.get_by_role("button", name="Next: after").click()
    page.locator("label.pain-choice", has_text="3").first.click()
    page.get_by_role("button", name="Review and sign").click()
    expect(page.get_by_test_id("confirm-sign")).to_be_visible()
    page.get_by_role("button", name="Confirm and sign").click()

    # The aftercare sheet opens at once; the follow-up task is on the list.
    expect(page.get_by_role("heading", name="After your scalp mesotherapy session")).to_be_visible()
    expect(page.get_by_text("Do not wash your hair for one day.")).to_be_visible()
    page.get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_text("Anita Desai").first).to_be_visible()

    # The session record draws the map again from its data.
    page.goto(f"/patients/{anita.pk}/")
    expect(page.locator(".sessions-history svg circle.point")).to_have_count(20)

    # Infections in both patients who received lot VC-0925: the dashboard raises the cluster alert.
    report_infection(page, anita)
    report_infection(page, rahul)
    page.goto("/")
    alert = page.locator(".cluster-alert")
    expect(alert).to_contain_text("lot VC-0925")
    alert.get_by_role("link", name=re.compile("See everyone who received lot VC-0925")).click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Anita Desai")
    expect(table).to_contain_text("Rahul Menon")
