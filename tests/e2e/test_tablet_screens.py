"""The session record on a tablet (issue 20, item 3): at 1024×768 each of the four screens fits
without scrolling, and everything the nurse taps on it is at least 44 px each way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from .test_session_journey import fill_check_in_product_and_map, prepare_patient

pytestmark = pytest.mark.django_db(transaction=True)

# What a finger taps on a screen: buttons, choices, chips, lot cards, fields and the fold-outs.
TARGETS = ("button, select, summary, label.choice, label.lot-pick, .checkbox-chips label, .pain-choice span, .flag-confirm, "
           "input:not([type=hidden]):not([type=radio]):not([type=checkbox])")
MEASURE = """([selector, step]) => {
  const screen = document.querySelectorAll('#session-form .step')[step];
  const small = [];
  for (const el of screen.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (a closed fold-out's content)
    if (box.width < 44 || box.height < 44) small.push(`${el.tagName.toLowerCase()} ${(el.textContent || el.name || '').trim().slice(0, 30)} ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return {page: document.documentElement.scrollHeight, window: window.innerHeight, bottom: screen.getBoundingClientRect().bottom, small};
}"""


def test_each_screen_of_the_session_record_fits_a_tablet_with_44_px_targets(page, sign_in, clinic, trichologist, practitioner, make_patient):
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
    for number in ("VC-0925", "VC-1025"):  # two lot cards, as a clinic with stock has
        receive_lot(actor, product, lot_number=number, expiry_date=today + dt.timedelta(days=120), quantity_ml=Decimal("25"),
                    supplier="Derma Supplies", received_on=today - dt.timedelta(days=10))
    slot = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    if slot.hour >= 22:
        slot = slot.replace(hour=21)
    anita = make_patient(clinic, given_name="Anita", family_name="Desai")
    appointment = prepare_patient(clinic, anita, trichologist, practitioner, room, text, slot)

    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(practitioner.username)
    page.goto(reverse("procedures:record", args=[appointment.pk]))
    expect(page.get_by_test_id("safety-strip")).to_contain_text("Anita Desai")
    for step, name in enumerate(["Check-in", "Product", "Map", "After and sign"]):
        page.locator(f'.step-tabs button[data-step="{step}"]').click()
        expect(page.locator(".step-tabs button", has_text=name)).to_have_attribute("aria-current", "step")
        measured = page.evaluate(MEASURE, [TARGETS, step])
        assert measured["page"] <= measured["window"], f"{name}: the page is {measured['page']} px tall on a 768 px screen"
        assert measured["bottom"] <= measured["window"], f"{name}: the screen ends at {measured['bottom']} px"
        assert not measured["small"], f"{name}: targets under 44 px: {measured['small']}"

    # Filled in and sent: the last screen asks "Sign this session?" and still fits.
    page.locator('.step-tabs button[data-step="0"]').click()
    fill_check_in_product_and_map(page, "VC-0925")
    # The volumes agree: the reason for a difference is no longer asked for.
    expect(page.get_by_label("Reason the volumes drawn, prescribed and injected differ")).to_be_hidden()
    page.get_by_role("button", name="Next: after").click()
    page.locator("label.pain-choice", has_text="3").first.click()
    page.get_by_role("button", name="Review and sign").click()
    expect(page.get_by_test_id("confirm-sign")).to_be_visible()
    measured = page.evaluate(MEASURE, [TARGETS, 3])
    assert measured["page"] <= measured["window"], f"confirmation: the page is {measured['page']} px tall on a 768 px screen"
    assert not measured["small"], f"confirmation: targets under 44 px: {measured['small']}"
