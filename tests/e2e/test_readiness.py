"""Reception's list shows a session's consent blocker the day before, and it clears once the patient
signs (issue 20, item 2). The calendar grid itself shows no readiness: Today's list is where it is."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_reception_sees_tomorrows_session_blocked_by_a_missing_consent_until_the_patient_signs_it(page, sign_in, clinic, trichologist,
                                                                                               practitioner, receptionist, make_patient):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation
    from anagen.core.formulation import Component
    from anagen.scheduling.services import book_appointment, create_room, local_datetime
    from anagen.treatments.services import save_formulation

    actor = Actor.system("setup", clinic.pk)
    publish_text(actor, clinic, "treatment", "en", "Consent to scalp mesotherapy", "I consent.")
    meera = make_patient(clinic, given_name="Meera", family_name="Joshi")
    # Screened and prescribed, but the treatment consent is not signed yet.
    consultation = start_consultation(actor, meera, trichologist, timezone.localdate() - dt.timedelta(days=7))
    save_draft(actor, consultation, {"presenting_complaint": "Thinning crown", "diagnosis_primary": "androgenetic_alopecia"},
               measurements=None, labs={}, expected_version=None)
    consultation = sign_consultation(actor, consultation, trichologist)
    save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("1.0"), Decimal("50"))],
                     author=trichologist, signoff=False, consent_documented=False)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    session = book_appointment(actor, clinic, patient=meera, practitioner=practitioner, room=create_room(clinic, "Procedure room 1"),
                               kind="mesotherapy_session", starts_at=local_datetime(tomorrow, dt.time(10, 30)), duration_minutes=45)

    sign_in(receptionist.username)
    tomorrows_list = reverse("home") + f"?day={tomorrow.isoformat()}"
    page.goto(tomorrows_list)
    row = page.locator(f"#appt-{session.pk}")
    expect(row).to_contain_text("Meera Joshi")
    consent = row.locator('[data-ready="consent"]')
    expect(consent).to_have_class(re.compile(r"\bready-no\b"))
    expect(consent).to_have_attribute("title", "No signed treatment consent")
    # The consent is the only thing missing: screening and formulation are in place.
    expect(row.locator(".ready-no")).to_have_count(1)
    for key in ("screening", "formulation"):
        expect(row.locator(f'[data-ready="{key}"]')).to_have_class(re.compile(r"\bready-ok\b"))

    # Meera signs at the desk (typed name), and tomorrow's row clears.
    page.goto(reverse("consents:sign", args=[meera.pk, "treatment"]))
    page.get_by_label("Typed name").check()
    page.get_by_label("Patient's full name, typed by the patient").fill("Meera Joshi")
    page.get_by_label("I have read and agree to this consent").check()
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text(re.compile("Signed: .*version 1"))).to_be_visible()

    page.goto(tomorrows_list)
    consent = page.locator(f'#appt-{session.pk} [data-ready="consent"]')
    expect(consent).to_have_class(re.compile(r"\bready-ok\b"))
    expect(consent).to_have_attribute("title", "Treatment consent signed")
    expect(page.locator(f"#appt-{session.pk} .ready-no")).to_have_count(0)
