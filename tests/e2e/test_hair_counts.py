"""In Chromium: measure hairs on a trichoscopy image, correct the marks by clicking, file the
figures into a follow-up visit and see them on the progress chart."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

SHAFTS = [(60, 90, 340, 110, 60, 0.8), (80, 310, 330, 290, 50, 0.8), (80, 200, 330, 190, 22, 0.4)]


def _setup(clinic, patient, user):
    from django.utils import timezone
    from PIL import Image
    from tests.core.hairs.test_measurement import scene

    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent
    from anagen.consultations.models import MeasurementSet
    from anagen.photos import services
    from anagen.photos.models import Dermatoscope

    actor = Actor.system("test", clinic.pk)
    text = publish_text(actor, clinic, "photographs", "en", "Consent to clinical photographs", "I agree to clinical photographs.")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=user)
    today = timezone.localdate()
    MeasurementSet.objects.create(clinic=clinic, patient=patient, measured_on=today - dt.timedelta(days=90),
                                  site_zone="vertex", site_offset_cm=Decimal("10.0"), density_per_cm2=Decimal("150.0"))
    out = io.BytesIO()
    Image.fromarray(scene(SHAFTS)).save(out, "JPEG", quality=95)
    data = out.getvalue()
    services.upload_photos(actor, patient, [services.UploadedFile("tricho.jpg", len(data), io.BytesIO(data))],
                           view_choice="trichoscopy", visit_date=today, today=today, uploaded_by=user,
                           site=services.Site("vertex", Decimal("10.0"), ""))
    Dermatoscope.objects.create(clinic=clinic, name="Handyscope", micrometres_per_pixel=Decimal("5.000"))


def _click_picture(page, x_px, y_px, size=400):
    # A click on the element itself: Playwright scrolls it into view first and checks that nothing
    # (the sticky patient header of issue 20) covers the point, which raw mouse coordinates did not.
    overlay = page.locator("svg.hair-overlay.editable")
    box = overlay.bounding_box()
    overlay.click(position={"x": x_px * box["width"] / size, "y": y_px * box["height"] / size})


def test_a_trichologist_measures_corrects_and_files_hair_counts_in_the_browser(page, sign_in, clinic, trichologist, patient):
    from anagen.photos.models import HairCount

    _setup(clinic, patient, trichologist)
    sign_in(trichologist.username)
    page.goto(f"/outcomes/patients/{patient.pk}/")
    page.get_by_role("link", name="Measure from an image").first.click()
    page.get_by_role("button", name="Measure").click()

    expect(page.get_by_role("heading", name="Hair count")).to_be_visible()
    marks = page.locator("svg.hair-overlay g.mark")
    expect(marks).to_have_count(3)
    expect(page.locator("svg.hair-overlay g.mark.vellus")).to_have_count(1)
    expect(page.locator("svg.hair-overlay g.mark.terminal")).to_have_count(2)
    expect(page.locator('[data-figure="count"]')).to_have_text("3")
    expect(page.locator('[data-figure="vellus"]')).to_have_text("33.3%")

    _click_picture(page, 205, 195)  # on the vellus hair's mark: removed
    expect(marks).to_have_count(2)
    expect(page.locator('[data-figure="count"]')).to_have_text("2")
    expect(page.locator('[data-figure="vellus"]')).to_have_text("0.0%")
    _click_picture(page, 205, 195)  # the same hair again, now unmarked: a mark is added there
    expect(marks).to_have_count(3)
    expect(page.locator("svg.hair-overlay g.mark.added")).to_have_count(1)
    expect(page.locator('[data-figure="count"]')).to_have_text("3")
    expect(page.get_by_text("Marks corrected by")).to_be_visible()

    page.get_by_label("Visit").select_option("new")
    page.get_by_role("button", name="Use these figures").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    count = HairCount.objects.get()
    assert count.auto_count == 3 and count.final_count == 3 and count.corrected_by_id == trichologist.pk
    assert count.filed_to is not None
    value = float(count.filed_to.density_per_cm2)
    shown = f"{value:.0f}" if value == round(value) else f"{value:.1f}"
    # The density chart's description lists its points: the filed density is one of them.
    expect(page.locator("figure.chart desc").first).to_contain_text(f": {shown}/cm²")
