from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _publish_treatment_text(admin_user):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text

    actor = Actor(user_id=admin_user.pk, username=admin_user.username, clinic_id=admin_user.clinic_id, ip_address=None)
    return publish_text(actor, admin_user.clinic, "treatment", "en", "Consent to scalp mesotherapy", "Redness and bruising for 24-48 hours are common.")


def test_a_patient_draws_a_signature_and_the_record_shows_it_signed(page, sign_in, admin_user, receptionist, patient):
    _publish_treatment_text(admin_user)
    sign_in(receptionist.username)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Consents and history").click()
    page.get_by_role("link", name=re.compile("Sign consent for mesotherapy treatment")).click()
    expect(page.get_by_text("Redness and bruising for 24-48 hours are common.")).to_be_visible()
    expect(page.get_by_text("Version 1")).to_be_visible()

    # An empty box is refused next to the signature pad.
    page.get_by_role("button", name="Sign consent").click()
    expect(page.locator("#signature-errors")).to_contain_text("empty")

    canvas = page.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 40, y + 120)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(x + 40 + step * 12, y + 120 - (step % 7) * 9)
    page.mouse.up()
    expect(page.locator("input[name=signature_png]")).to_have_value(re.compile(r"^data:image/png;base64,"))
    page.get_by_role("button", name="Sign consent").click()

    expect(page.get_by_text("Signed: Mesotherapy treatment, version 1.")).to_be_visible()
    expect(page.get_by_text("Consent given")).to_be_visible()
    expect(page.get_by_text("Consent to scalp mesotherapy, version 1 (English)")).to_be_visible()
    signature = page.get_by_role("img", name=re.compile("Signature of"))
    expect(signature).to_be_visible()
    # Visible is not loaded: wait for the authenticated image to decode before measuring it.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=signature.element_handle())
    assert signature.evaluate("img => img.naturalWidth") == 600


def test_the_clear_button_empties_the_pad_and_a_typed_name_needs_the_checkbox(page, sign_in, admin_user, trichologist, patient):
    _publish_treatment_text(admin_user)
    sign_in(trichologist.username)
    page.goto(f"/consents/patients/{patient.pk}/sign/treatment/")
    page.locator("canvas.signature-pad").scroll_into_view_if_needed()
    box = page.locator("canvas.signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 90)
    page.mouse.up()
    page.get_by_role("button", name="Clear signature").click()
    expect(page.locator("input[name=signature_png]")).to_have_value("")

    page.get_by_label("Typed name").check()
    expect(page.locator("canvas.signature-pad")).to_be_hidden()
    page.get_by_label("Patient's full name, typed by the patient").fill("Asha Patil")
    page.get_by_role("button", name="Sign consent").click()
    expect(page.locator(".consent-agree")).to_contain_text("tick the box")
    page.get_by_label("Typed name").check()
    page.get_by_label("I have read and agree to this consent").check()
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed: Mesotherapy treatment, version 1.")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Asha Patil")).to_be_visible()
