"""The patient header (issue 20, item 1): on every page about one patient, the safety facts and
the tabs; allergies red when listed, "None known" only when recorded as none, amber "Not
recorded" when never asked; reception sees no clinical fact."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.core import display

pytestmark = pytest.mark.django_db


def header(html: str) -> str:
    match = re.search(r'<header class="patient-header".*?</nav>', html, re.S)
    assert match, "no patient header on the page"
    return match.group(0)


def chip(html: str, kind: str) -> str:
    match = re.search(rf'<li class="chip[^"]*" data-chip="{kind}">.*?</li>', header(html), re.S)
    assert match, f"no {kind} chip"
    return match.group(0)


def test_the_header_shows_who_the_patient_is_and_the_tabs_on_every_page_about_them(client, trichologist, patient, ready):
    from anagen.patients.models import Patient

    Patient.objects.filter(pk=patient.pk).update(name_devanagari="आशा पाटील")
    client.force_login(trichologist)
    consultation = patient.consultations.get()
    pages = [reverse("patients:detail", args=[patient.pk]), reverse("consultations:detail", args=[consultation.pk]),
             reverse("billing:patient", args=[patient.pk]), reverse("consents:patient", args=[patient.pk]),
             reverse("outcomes:progress", args=[patient.pk]), reverse("treatments:formulation", args=[ready["formulation"].pk]),
             reverse("patients:data", args=[patient.pk]), reverse("patients:course", args=[patient.pk]),
             reverse("patients:consultations", args=[patient.pk])]
    for url in pages:
        html = client.get(url).content.decode()
        top = header(html)
        assert "Asha Patil" in top and "आशा पाटील" in top and patient.mrn in top, url
        assert f'href="tel:{patient.phone}"' in top
        for tab in ("Overview", "Consultations", "Course &amp; sessions", "Progress &amp; photos", "Consents", "Billing", "Data"):
            assert tab in top, (url, tab)
        assert top.count('aria-current="page"') == 1
    data = client.get(reverse("patients:data", args=[patient.pk])).content.decode()
    assert re.search(r'aria-current="page" class="active">Data<', data)


def test_allergies_read_not_recorded_until_asked_then_none_known_or_the_allergens_in_red(client, trichologist, patient, ready):
    from anagen.consultations.models import Consultation

    client.force_login(trichologist)
    url = reverse("patients:detail", args=[patient.pk])
    allergies = chip(client.get(url).content.decode(), "allergies")
    assert "chip-warn" in allergies and "Not recorded" in allergies

    Consultation.objects.filter(patient=patient).update(no_known_allergies=True)
    allergies = chip(client.get(url).content.decode(), "allergies")
    assert "chip-ok" in allergies and "None known" in allergies

    Consultation.objects.filter(patient=patient).update(no_known_allergies=False, allergy_ingredients=["biotin"], allergies_other="Penicillin")
    allergies = chip(client.get(url).content.decode(), "allergies")
    assert "chip-danger" in allergies and "Biotin" in allergies and "Penicillin" in allergies


def test_the_header_shows_screening_consent_course_next_appointment_and_balance(client, trichologist, patient, ready, actor):
    from anagen.billing.models import PriceItem
    from anagen.billing.services import LineRequest, create_invoice

    item = PriceItem.objects.create(clinic=patient.clinic, kind="session", name="Mesotherapy session", price_paise=350000,
                                    tax_class="medical_exempt", code="9993", gst_rate_bp=0)
    create_invoice(actor, patient, [LineRequest(item, 1)], today=timezone.localdate())
    from anagen.scheduling.services import book_appointment, local_datetime

    book_appointment(actor, patient.clinic, patient=patient, practitioner=trichologist, room=ready["room"], kind="mesotherapy_session",
                     starts_at=local_datetime(timezone.localdate() + dt.timedelta(days=1), dt.time(10, 0)), duration_minutes=45)
    client.force_login(trichologist)
    html = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert f"Eligible · {display.day(timezone.localdate() - dt.timedelta(days=7))}" in chip(html, "screening")
    assert "Signed" in chip(html, "consent") and "chip-ok" in chip(html, "consent")
    assert "Mesotherapy session" in chip(html, "next")
    assert "₹3,500.00" in chip(html, "balance")
    top = header(html)
    if timezone.now() < ready["appointment"].ends_at:
        assert "Record today&#x27;s session" in top or "Record today's session" in top


def test_reception_sees_consent_next_and_balance_but_no_clinical_fact(client, receptionist, patient, ready):
    client.force_login(receptionist)
    top = header(client.get(reverse("patients:detail", args=[patient.pk])).content.decode())
    assert 'data-chip="allergies"' not in top and "Screening" not in top and "Response" not in top
    assert "Treatment consent" in top
    assert ">Consultations<" not in top and ">Progress &amp; photos<" not in top
    assert "Start consultation" not in top and "Record today" not in top


def test_the_course_bar_counts_sessions_done_and_names_the_next(client, trichologist, patient, ready, actor):
    from anagen.scheduling.models import Appointment
    from anagen.scheduling.services import bookable_practitioners
    from anagen.treatments.services import CourseChoices, book_course

    start = timezone.localdate() + dt.timedelta(days=2)
    booked = book_course(actor, patient, ready["formulation"], CourseChoices(start, 6, 14, 2, 60),
                         practitioner=bookable_practitioners(patient.clinic).first(), room=ready["room"], session_time=dt.time(7, 0),
                         duration_minutes=45, author=trichologist, today=timezone.localdate())
    # The planner moves a session off a day the clinic is closed (start may fall on a Sunday).
    first = timezone.localtime(Appointment.objects.filter(course_id=booked.pk).order_by("starts_at").first().starts_at).date()
    assert start <= first <= start + dt.timedelta(days=2)
    client.force_login(trichologist)
    course = chip(client.get(reverse("patients:detail", args=[patient.pk])).content.decode(), "course")
    assert f"0/8 · next {first.day} {first:%b}" in course


def test_a_name_in_devanagari_is_checked_and_kept(client, receptionist, patient):
    from anagen.patients.forms import PatientForm

    values = {"given_name": "Priya", "family_name": "Deshmukh", "date_of_birth": "1990-05-17", "sex": "female",
              "phone": "9820012345", "name_devanagari": "Priya"}
    form = PatientForm(values)
    assert not form.is_valid() and "Devanagari" in form.errors["name_devanagari"][0]
    form = PatientForm({**values, "name_devanagari": "प्रिया  देशमुख"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name_devanagari"] == "प्रिया देशमुख"
