"""Photographs taken at home (issue 22, item 7), in Chromium: a portal patient uploads a photograph
of the top of their head, sees it listed with its thumbnail, and the trichologist sees it in the
patient's gallery labelled as taken by the patient at home."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "violet kettle morning 42"


def _jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (200, 160, 130))
    ImageDraw.Draw(image).ellipse((170, 90, 470, 390), fill=(60, 40, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _prepare(clinic, receptionist, practitioner, patient):
    from tests.web.photos.conftest import consent_to_photographs

    from anagen.audit.services import Actor
    from anagen.portal import services

    consent_to_photographs(clinic, patient, practitioner)
    staff = Actor(user_id=receptionist.pk, username=receptionist.username, clinic_id=clinic.pk, ip_address=None)
    _, token = services.invite_patient(staff, patient, by=receptionist)
    return services.accept_invitation(token, patient.mrn, PASSWORD)


def test_a_patient_uploads_a_photograph_taken_at_home_and_the_trichologist_sees_it_labelled(
    page, sign_in, clinic, receptionist, practitioner, trichologist, patient
):
    from django.urls import reverse
    from django.utils import timezone

    from anagen.photos.models import Photo

    user = _prepare(clinic, receptionist, practitioner, patient)
    page.set_default_timeout(30_000)
    sign_in(user.username, PASSWORD)
    page.wait_for_url(re.compile("/portal/$"))
    page.get_by_role("navigation", name="Your portal").get_by_role("link", name="My photographs").click()
    expect(page.get_by_role("heading", name="My photographs", exact=True)).to_be_visible()

    # A day in the future is refused, naming the field; nothing is kept.
    day = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("View", exact=True).select_option("vertex")
    page.get_by_label("Day taken").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Photographs", exact=True).set_input_files({"name": "top.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Day taken: the day cannot be in the future.")).to_be_visible()
    assert not Photo.objects.exists()

    # Yesterday's photograph of the top of the head.
    page.get_by_label("View", exact=True).select_option("vertex")
    page.get_by_label("Day taken").fill(day.isoformat())
    page.get_by_label("Photographs", exact=True).set_input_files({"name": "top.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    page.get_by_role("button", name="Upload").click()
    shown = f"{day.day} {day:%b %Y}"
    expect(page.get_by_text(f"1 photograph saved for {shown}.")).to_be_visible()
    listed = page.get_by_test_id("home-photos")
    expect(listed).to_contain_text("Top of the head (vertex)")
    expect(listed).to_contain_text(f"Taken on {shown}")
    thumbnail = listed.locator("img").first
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    photo = Photo.objects.get(patient=patient)
    assert photo.taken_by_patient and photo.uploaded_by_id == user.pk and photo.visit_date == day
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))

    # The trichologist's gallery: the photograph, labelled as the patient's from home.
    sign_in(trichologist.username)
    page.goto(reverse("photos:gallery", args=[patient.pk]))
    expect(page.get_by_role("heading", name=re.compile(f"Taken by the patient at home on {shown}"))).to_be_visible()
    expect(page.get_by_test_id("taken-at-home")).to_have_text("Taken by the patient at home")
    staff_thumbnail = page.locator(f'img[src="{reverse("photos:thumbnail", args=[photo.pk])}"]')
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=staff_thumbnail.element_handle())
