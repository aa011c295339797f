"""The patient's record between visits (issue 22, item 7), in Chromium: a patient records a day of
their shedding diary (corrects it when they miscounted) and answers the questionnaire of their last
visit; the trichologist sees both on the progress page, labelled as reported by the patient."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "violet kettle morning 42"


def _prepare(clinic, trichologist, receptionist, patient):
    from django.utils import timezone

    from anagen.audit.services import Actor
    from anagen.portal import services
    from anagen.scheduling.models import Appointment, Room
    from anagen.scheduling.services import local_datetime

    type(patient).objects.filter(pk=patient.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    room = Room.objects.create(clinic=clinic, name="Room 1")
    starts = local_datetime(timezone.localdate() - dt.timedelta(days=3), dt.time(11, 0))
    visit = Appointment.objects.create(clinic=clinic, patient=patient, practitioner=trichologist, room=room, kind="review",
                                       starts_at=starts, ends_at=starts + dt.timedelta(minutes=30), status="completed")
    staff = Actor(user_id=receptionist.pk, username=receptionist.username, clinic_id=clinic.pk, ip_address=None)
    _, token = services.invite_patient(staff, patient, by=receptionist)
    return services.accept_invitation(token, patient.mrn, PASSWORD), visit


def test_a_patient_keeps_a_shedding_diary_answers_the_questionnaire_and_the_trichologist_sees_both(
    page, sign_in, clinic, receptionist, trichologist, patient
):
    from django.utils import timezone

    from anagen.outcomes.models import ReportedOutcome, SheddingDiaryEntry

    user, visit = _prepare(clinic, trichologist, receptionist, patient)
    page.set_default_timeout(30_000)
    sign_in(user.username, PASSWORD)
    page.wait_for_url(re.compile("/portal/$"))
    nav = page.get_by_role("navigation", name="Your portal")

    # The diary: how to do the comb count, then today's counts.
    nav.get_by_role("link", name="Shedding diary").click()
    expect(page.get_by_role("heading", name="Shedding diary", exact=True)).to_be_visible()
    page.get_by_text("How to do the 60-second comb count").click()
    expect(page.get_by_text(re.compile("comb your hair from the back of your head to the front for 60 seconds"))).to_be_visible()
    page.get_by_label("Hairs shed").fill("45")
    page.get_by_label("60-second comb count").fill("14")
    page.get_by_role("button", name="Save this day").click()
    today = timezone.localdate()
    shown = f"{today.day} {today:%b %Y}"
    expect(page.get_by_text(f"Your entry for {shown} is saved.")).to_be_visible()
    expect(page.get_by_test_id("diary")).to_contain_text("45")

    # A second count for the same day is refused, naming the day; the patient replaces it.
    page.get_by_label("Hairs shed").fill("60")
    page.get_by_label("60-second comb count").fill("14")
    page.get_by_role("button", name="Save this day").click()
    expect(page.get_by_text(re.compile(f"you have already recorded {shown} \\(45 hairs shed\\)"))).to_be_visible()
    page.get_by_label("Replace my entry for that day").check()
    page.get_by_role("button", name="Save this day").click()
    expect(page.get_by_text(f"Your entry for {shown} is replaced.")).to_be_visible()
    entry = SheddingDiaryEntry.objects.get(patient=patient)
    assert (entry.day, entry.hairs_shed, entry.comb_count) == (today, 60, 14)

    # The questionnaire of the last visit.
    nav.get_by_role("link", name="How is your hair?").click()
    visit_day = timezone.localdate(visit.starts_at)
    expect(page.get_by_role("heading", name=f"After your visit of {visit_day.day} {visit_day:%b %Y}")).to_be_visible()
    page.get_by_label("Slightly better", exact=True).check()
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers are saved")).to_be_visible()
    expect(page.get_by_test_id("answered")).to_be_visible()
    answer = ReportedOutcome.objects.get(patient=patient)
    assert (answer.appointment_id, answer.change, answer.satisfaction) == (visit.pk, 1, 4)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/login/"))

    # The trichologist's progress page: beside the measurements, labelled as the patient's.
    sign_in(trichologist.username)
    page.goto(f"/outcomes/patients/{patient.pk}/")
    section = page.get_by_test_id("reported-by-patient")
    expect(section.get_by_role("heading", name="Reported by the patient", exact=True)).to_be_visible()
    expect(section.locator("#chart-reported-shedding")).to_be_visible()
    diary = section.locator("#reported-diary-table")
    expect(diary).to_contain_text(shown)
    expect(diary.locator("tbody tr").first).to_contain_text("60")
    expect(diary.locator("tbody tr").first).to_contain_text("14")
    expect(section.locator("#reported-answers-table")).to_contain_text("+1 · Slightly better")
    expect(section.locator("#reported-answers-table")).to_contain_text("4 · Satisfied")
