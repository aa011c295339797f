"""The patient portal from both sides: reception invites, the patient sets a password, sees their
appointment and who opened their record, and withdraws the marketing-photographs consent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "violet kettle morning 42"


def _prepare(clinic, trichologist, practitioner, patient):
    from django.utils import timezone

    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent
    from anagen.scheduling.models import Room
    from anagen.scheduling.services import book_appointment

    actor = Actor.system("test", clinic.pk)
    room = Room.objects.create(clinic=clinic, name="Procedure room 1")
    day = timezone.localdate() + dt.timedelta(days=3)
    starts = dt.datetime.combine(day, dt.time(11, 0)).replace(tzinfo=timezone.get_default_timezone())
    appointment = book_appointment(actor, clinic, patient=patient, practitioner=trichologist, room=room, kind="review",
                                   starts_at=starts, duration_minutes=30)
    text = publish_text(actor, clinic, "marketing_photographs", "en", "Photographs in marketing", "The clinic may show my photographs.")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=practitioner)
    return appointment


def test_an_invited_patient_sets_a_password_sees_their_care_and_withdraws_a_consent(
    page, sign_in, clinic, receptionist, trichologist, practitioner, patient
):
    from anagen.consents.services import has_valid_consent

    appointment = _prepare(clinic, trichologist, practitioner, patient)

    # Reception invites the patient from the patient page and copies the one-time link.
    sign_in(receptionist.username)
    page.goto(f"/patients/{patient.pk}/data/")  # the portal lives on the record's Data tab (issue 20)
    page.get_by_role("button", name="Invite to the patient portal").click()
    link = page.locator("#invitation-link").inner_text().strip()
    assert "/portal/welcome/" in link
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))

    # The patient opens the link, keeps the suggested username and chooses a password.
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Welcome, {patient.given_name}")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(patient.mrn)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(re.compile("/portal/$"))

    # Their appointment, with a way to ask for a change.
    local_start = appointment.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    expect(page.get_by_text(f"{local_start.day} {local_start:%b %Y}")).to_be_visible()  # one date format (issue 20)
    expect(page.get_by_text("Request a change")).to_be_visible()

    # Who opened their record: reception, when inviting, and the patient themself.
    page.get_by_role("link", name="Who opened my record").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text(receptionist.get_full_name())  # staff by name and role (issue 20)
    expect(table).to_contain_text("You")

    # Withdraw the marketing-photographs consent, giving a reason.
    page.get_by_role("link", name="My care").click()
    page.get_by_role("link", name="Withdraw consent for use of photographs in marketing").click()
    page.get_by_label(re.compile("Why are you withdrawing")).fill("I would rather my photos stayed private.")
    page.get_by_role("button", name="Withdraw my consent").click()
    page.wait_for_url(re.compile("/portal/$"))
    expect(page.get_by_text("You have withdrawn your consent")).to_be_visible()
    expect(page.locator(".state-withdrawn")).to_have_text("Withdrawn")
    assert has_valid_consent(patient, "marketing_photographs") is False
