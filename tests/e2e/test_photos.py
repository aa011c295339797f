from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _jpeg(colour, size=(400, 300)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((60, 40, 340, 260), fill=(min(255, colour[0] + 40), colour[1], colour[2]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _baseline_visit(clinic, patient, user, on):
    from anagen.audit.services import Actor
    from anagen.photos import services

    files = []
    for index in range(6):
        data = _jpeg((150 + index * 10, 110, 90))
        files.append(services.UploadedFile(f"b{index}.jpg", len(data), io.BytesIO(data)))
    services.upload_photos(Actor.system("test", clinic.pk), patient, files, view_choice="standard_order", visit_date=on,
                           today=on, uploaded_by=user)


def _consent_to_photographs(clinic, patient, witness):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent

    actor = Actor.system("test", clinic.pk)
    text = publish_text(actor, clinic, "photographs", "en", "Consent to clinical photographs", "I agree to clinical photographs.")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=witness)


def test_a_clinician_uploads_a_visits_photographs_and_compares_them_with_the_baseline(page, sign_in, clinic, trichologist, practitioner, patient):
    from django.utils import timezone

    _consent_to_photographs(clinic, patient, practitioner)
    today = timezone.localdate()
    baseline = today - dt.timedelta(days=90)
    _baseline_visit(clinic, patient, trichologist, baseline)

    sign_in(practitioner.username)
    page.goto(f"/patients/{patient.pk}/")
    panel = page.locator("#photos-panel")
    expect(panel).to_contain_text("6 photographs")
    panel.get_by_role("link", name="Upload photographs").click()

    files = [{"name": f"IMG_{i:04d}.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((100 + i * 12, 80, 60))} for i in range(7)]
    page.get_by_label("Photographs").set_input_files(files)
    rows = page.locator("#upload-list li")
    expect(rows).to_have_count(7)
    # The files are the standard views in order; the seventh is set by hand to the trichoscopy image.
    expect(rows.nth(0).get_by_label("View")).to_have_value("vertex")
    expect(rows.nth(5).get_by_label("View")).to_have_value("occipital")
    rows.nth(6).get_by_label("View").select_option("trichoscopy")
    page.get_by_label("Trichoscopy site: zone").select_option("vertex")
    page.get_by_label("Site: cm behind the hairline").fill("10")
    page.get_by_role("button", name="Upload").click()

    expect(page.locator("#upload-list .state-done")).to_have_count(7)
    thumbnails = page.locator("#uploaded-grid img")
    expect(thumbnails).to_have_count(7)
    for index in range(7):
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnails.nth(index).element_handle())
    assert thumbnails.first.evaluate("img => img.naturalWidth") == 320

    page.get_by_role("link", name="See all photographs").click()
    expect(page.get_by_role("heading", name=re.compile(f"Visit of {today:%-d %b %Y}"))).to_be_visible()
    expect(page.get_by_role("img", name=f"Frontal, {today:%-d %b %Y}")).to_be_visible()
    expect(page.get_by_text("Vertex, 10.0 cm behind the hairline")).to_be_visible()

    page.get_by_role("link", name="Compare visits").click()
    expect(page.locator("#before-date")).to_have_text(f"{baseline:%-d %b %Y}")
    expect(page.locator("#after-date")).to_have_text(f"{today:%-d %b %Y}")
    expect(page.locator("#session-count")).to_contain_text("0 treatment sessions")
    top = page.locator("#compare-top")
    expect(top).to_have_attribute("data-shown", "50")
    slider = page.get_by_label("Later photograph shown (%)")
    slider.focus()
    page.keyboard.press("End")
    expect(top).to_have_attribute("data-shown", "100")
    assert top.evaluate("img => getComputedStyle(img).clipPath") == "inset(0px 0% 0px 0px)"
    for _ in range(30):
        page.keyboard.press("ArrowLeft")
    expect(top).to_have_attribute("data-shown", "70")
    assert top.evaluate("img => getComputedStyle(img).clipPath") == "inset(0px 30% 0px 0px)"
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    expect(page.locator("#compare-slider-value")).to_have_text(re.compile(r"^[0-3]$"))
