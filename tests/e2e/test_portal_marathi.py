"""A patient signs in, switches the portal to Marathi from the header, and finds no English
interface word on any portal page: only their own data (names, record number, usernames in the
access log) and the brand and file-format names stay in Latin letters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "violet kettle morning 42"
# Names that are the same in every language: the product, the language list's own "English",
# file formats and services the clinic names as they are.
LATIN_ALLOWED = {"Anagen", "English", "PDF", "ZIP", "PRF", "SMS", "WhatsApp", "ABDM"}


def _prepare(clinic, trichologist, practitioner, receptionist, patient):
    from django.utils import timezone

    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent
    from anagen.portal import services
    from anagen.scheduling.models import Room
    from anagen.scheduling.services import book_appointment

    actor = Actor.system("seed", clinic.pk)
    # A name of their own, so a role label left in English could not hide behind the name.
    trichologist.first_name, trichologist.last_name = "Meera", "Kulkarni"
    trichologist.save()
    room = Room.objects.create(clinic=clinic, name="Room 1")
    starts = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(11, 0)).replace(tzinfo=timezone.get_default_timezone())
    book_appointment(actor, clinic, patient=patient, practitioner=trichologist, room=room, kind="review", starts_at=starts, duration_minutes=30)
    text = publish_text(actor, clinic, "marketing_photographs", "hi", "फोटो", "क्लिनिक मेरी तस्वीरें दिखा सकता है।")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=practitioner)
    staff = Actor(user_id=receptionist.pk, username=receptionist.username, clinic_id=clinic.pk, ip_address=None)
    _, token = services.invite_patient(staff, patient, by=receptionist)
    return services.accept_invitation(token, patient.mrn, PASSWORD)


def _english_words(page, data: set[str]) -> list[str]:
    text = page.locator("body").inner_text()
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w not in LATIN_ALLOWED]


def test_a_patient_switches_the_portal_to_marathi_and_reads_no_english(
    page, sign_in, clinic, receptionist, trichologist, practitioner, patient
):
    from anagen.audit.models import AuditEntry

    user = _prepare(clinic, trichologist, practitioner, receptionist, patient)
    # A ceiling for a loaded machine (this test walks many pages), never a speed check (rule 7).
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    sign_in(user.username, PASSWORD)
    page.wait_for_url(re.compile("/portal/$"))
    expect(page.get_by_role("heading", name=f"Hello, {patient.given_name}")).to_be_visible()

    page.get_by_label("Language").select_option("mr")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name=f"नमस्कार, {patient.given_name}")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "mr")
    patient.refresh_from_db()
    assert patient.preferred_language == "mr"

    for link, heading in [(None, None), ("माझी नोंद कोणी उघडली", "माझी नोंद कोणी उघडली"), ("माझ्या माहितीची प्रत", "माझ्या माहितीची प्रत"), ("माझी काळजी", None)]:
        if link:
            page.get_by_role("navigation", name="तुमचे पोर्टल").get_by_role("link", name=link).click()
        if heading:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        # Names are data, not English: the access log names staff by name (issue 20).
        data = {clinic.name, patient.given_name, patient.family_name, patient.full_name, patient.mrn, str(trichologist), user.username,
                receptionist.get_full_name(), practitioner.get_full_name(), trichologist.get_full_name(),
                *AuditEntry.objects.filter(patient_id=patient.pk).values_list("username", flat=True)}
        assert _english_words(page, {d for d in data if d}) == [], page.url

    # The withdrawal page and its refusal of an empty reason are Marathi too (Django's own messages included).
    page.get_by_role("link", name=re.compile("संमती मागे घ्या")).click()
    page.get_by_role("button", name="माझी संमती मागे घ्या").click()
    expect(page.locator(".errorlist")).to_be_visible()
    assert _english_words(page, {clinic.name, patient.given_name, patient.family_name, patient.full_name, patient.mrn, user.username, "फोटो"}) == []

    # Signing out and back in keeps Marathi: it is the patient's, not the browser's.
    page.get_by_role("button", name="साइन आउट").click()
    page.wait_for_url(re.compile("/login/"))
    page.goto("/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", name=f"नमस्कार, {patient.given_name}")).to_be_visible()
