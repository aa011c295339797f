"""Each role's Today in Chromium (issue 20, items 2 and 9 and "done when"): reception sees the
day's list with readiness and marks an arrival in one tap, tomorrow's blocker the day before; the
nurse starts the session from her card and a volume mismatch is refused until a reason is given;
the trichologist starts the consultation booked with her, a visit dated ahead is refused, and once
signed the back button shows no editable form and the appointment is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from .test_programme_journey import sign_out
from .test_session_end import _stock_and_patient
from .test_session_journey import fill_check_in_product_and_map

pytestmark = pytest.mark.django_db(transaction=True)


def _current_quarter_hour():
    """Now, rounded down to the quarter hour, with the minutes left before midnight (a booking
    must end by then): an appointment that has not ended, whatever the time of day."""
    now = timezone.localtime()
    at = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    minutes_left = int((at.replace(hour=0, minute=0) + dt.timedelta(days=1) - at).total_seconds() // 60)
    return at, min(45, minutes_left)


def test_reception_nurse_and_trichologist_walk_their_today_and_the_slips_are_refused(page, sign_in, clinic, trichologist, practitioner,
                                                                                      receptionist, make_patient):
    from anagen.scheduling.models import Appointment
    from anagen.scheduling.services import book_appointment, create_room, local_datetime

    actor, anita, session_appointment, room = _stock_and_patient(clinic, trichologist, practitioner, make_patient)
    consultation_room = create_room(clinic, "Consultation room")
    priya = make_patient(clinic, given_name="Priya", family_name="Deshmukh")
    at, minutes = _current_quarter_hour()
    consultation_appointment = book_appointment(actor, clinic, patient=priya, practitioner=trichologist, room=consultation_room,
                                                kind="consultation", starts_at=at, duration_minutes=minutes)
    # Priya's first session is already booked for tomorrow, with nothing in place yet.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    unready = book_appointment(actor, clinic, patient=priya, practitioner=practitioner, room=room, kind="mesotherapy_session",
                               starts_at=local_datetime(tomorrow, dt.time(10, 30)), duration_minutes=45)

    # Reception: today's list with both patients, Anita ready on every count; one tap marks her arrived.
    sign_in(receptionist.username)
    expect(page.get_by_role("heading", level=1, name=re.compile("^Today"))).to_be_visible()
    row = page.locator(f"#appt-{session_appointment.pk}")
    expect(row).to_contain_text("Anita Desai")
    expect(row.locator(".ready-no")).to_have_count(0)
    expect(page.locator(f"#appt-{consultation_appointment.pk}")).to_contain_text("Priya Deshmukh")
    row.get_by_role("button", name="Arrived").click()
    expect(page.locator(f"#appt-{session_appointment.pk} .status-chip")).to_have_text("Arrived")
    assert Appointment.objects.get(pk=session_appointment.pk).status == "arrived"
    # Tomorrow's list shows Priya's blockers the day before, not at the chair.
    page.goto(reverse("home") + f"?day={tomorrow.isoformat()}")
    tomorrow_row = page.locator(f"#appt-{unready.pk}")
    for key in ("consent", "screening", "formulation"):
        expect(tomorrow_row.locator(f'.ready-no[data-ready="{key}"]')).to_have_count(1)
    sign_out(page)

    # Nurse: Anita's card (session 1, formulation, allergies) starts the session on the tablet flow.
    sign_in(practitioner.username)
    card = page.locator(f"#card-{session_appointment.pk}")
    expect(card).to_contain_text("Anita Desai")
    expect(card).to_contain_text("2 mL")
    expect(card.locator('[data-chip="allergies"]')).to_be_visible()
    card.get_by_role("button", name="Start session").click()
    expect(page.get_by_test_id("safety-strip")).to_contain_text("Anita Desai")
    assert Appointment.objects.get(pk=session_appointment.pk).status == "in_chair"
    # The slip of the trial: 2 mL drawn, 0.5 mL on the map. The reason is asked for and signing refused without it.
    fill_check_in_product_and_map(page, "VC-0925")
    for zone, taps in [("vertex", 8), ("frontal", 7)]:
        for _ in range(taps):
            page.locator(f'[data-zone-remove="{zone}"]').click()
    expect(page.locator("#running-total")).to_contain_text("0.50 mL on the map · 2.00 mL drawn")
    expect(page.locator("#running-total")).to_have_class(re.compile("is-mismatch"))
    reason = page.get_by_label("Reason the volumes drawn, prescribed and injected differ")
    expect(reason).to_be_visible()
    page.get_by_role("button", name="Next: after").click()
    page.locator("label.pain-choice", has_text="2").first.click()
    page.get_by_role("button", name="Review and sign").click()
    confirm = page.get_by_role("button", name="Confirm and sign")
    if confirm.count():
        confirm.click()
    # Refused: the map screen opens again with the reason asked for; nothing is signed.
    expect(page.locator(".step-tabs button", has_text="Map")).to_have_attribute("aria-current", "step")
    expect(page.locator("#step-map .reason")).to_have_class(re.compile("has-error"))
    assert Appointment.objects.get(pk=session_appointment.pk).status == "in_chair"
    sign_out(page)

    # Trichologist: the consultation booked with her; a visit dated six weeks ahead is refused.
    sign_in(trichologist.username)
    row = page.locator(f"#appt-{consultation_appointment.pk}")
    expect(row).to_contain_text("Priya Deshmukh")
    row.get_by_role("button", name="Start consultation").click()
    page.get_by_label("Presenting complaint").fill("Widening part for a year")
    page.get_by_label("Primary diagnosis").select_option("androgenetic_alopecia")
    ahead = timezone.localdate() + dt.timedelta(days=42)
    page.locator("#id_consulted_on").fill(ahead.isoformat())
    page.get_by_role("button", name="Sign consultation").click()
    expect(page.get_by_text(re.compile("cannot be in the future")).first).to_be_visible()
    page.locator("#id_consulted_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Sign consultation").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text("Consultation signed")).to_be_visible()
    assert Appointment.objects.get(pk=consultation_appointment.pk).status == "completed"
    # Back to the form after the submit (its address, as the history holds it; the POST itself is
    # never cached): the signed record, never an editable draft.
    from anagen.consultations.models import Consultation

    consultation = Consultation.objects.get(appointment=consultation_appointment)
    page.goto(reverse("consultations:edit", args=[consultation.pk]))
    expect(page.get_by_text("Consultation signed").or_(page.get_by_text(re.compile("signed", re.I))).first).to_be_visible()
    expect(page.get_by_role("button", name="Sign consultation")).to_have_count(0)
    expect(page.get_by_label("Presenting complaint")).to_have_count(0)
    # Her Today no longer offers to start it.
    page.goto(reverse("home"))
    expect(page.locator(f"#appt-{consultation_appointment.pk}").get_by_role("button", name="Start consultation")).to_have_count(0)
