"""Today, each role's first screen (issue 20, item 2), and the slips it catches the day before."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def row_of(html: str, appointment) -> str:
    match = re.search(rf'<tr id="appt-{appointment.pk}".*?</tr>', html, re.S)
    assert match, "the appointment is not on the list"
    return match.group(0)


def book(actor, clinic, patient, practitioner, room, kind, at, **kw):
    from anagen.scheduling.services import book_appointment

    return book_appointment(actor, clinic, patient=patient, practitioner=practitioner, room=room, kind=kind, starts_at=at,
                            duration_minutes=45, **kw)


def test_reception_sees_the_day_in_time_order_with_status_readiness_and_a_late_flag(client, clinic, receptionist, practitioner,
                                                                                    make_patient, ready, actor):
    bare = make_patient(clinic, given_name="Priya", family_name="Deshmukh")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    from anagen.scheduling.services import local_datetime

    unready = book(actor, clinic, bare, practitioner, ready["room"], "mesotherapy_session", local_datetime(tomorrow, dt.time(10, 30)))
    client.force_login(receptionist)
    # Tomorrow's list shows the blocker the day before: no consent, no screening, no formulation.
    html = client.get(reverse("home") + f"?day={tomorrow.isoformat()}").content.decode()
    row = row_of(html, unready)
    for key in ("consent", "screening", "formulation"):
        assert re.search(rf'class="ready ready-no" data-ready="{key}"', row), key
    assert 'data-ready="balance"' in row and "Arrived" not in row  # arrivals are marked on the day
    # Today's list: the prepared patient is ready on every count and may be marked arrived.
    html = client.get(reverse("home")).content.decode()
    row = row_of(html, ready["appointment"])
    assert "ready-no" not in row and "Booked" in row and "Arrived" in row


def test_one_tap_arrived_returns_the_row_with_its_new_status(client, receptionist, ready):
    client.force_login(receptionist)
    url = reverse("today_arrived", args=[ready["appointment"].pk])
    response = client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"appt-{ready['appointment'].pk}")
    assert response.status_code == 200
    row = response.content.decode()
    assert row.strip().startswith(f'<tr id="appt-{ready["appointment"].pk}"') and "Arrived" in row and "status-arrived" in row
    ready["appointment"].refresh_from_db()
    assert ready["appointment"].status == "arrived"
    # A second tap (a double click) changes nothing and breaks nothing.
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200


def test_a_patient_booked_and_not_arrived_ten_minutes_after_the_start_is_flagged_late(clinic, ready):
    from anagen.web.today import day_rows

    start = ready["appointment"].starts_at
    early = day_rows(clinic, timezone.localdate(), now=start + dt.timedelta(minutes=5), clinical=False)
    late = day_rows(clinic, timezone.localdate(), now=start + dt.timedelta(minutes=11), clinical=False)
    assert [r.late for r in early] == [False] and [r.late for r in late] == [True]


def test_a_finished_visit_offers_book_next_with_the_patient_filled_in(client, receptionist, practitioner, ready):
    from tests.web.pointofcare.conftest import session_post

    client.force_login(practitioner)
    assert client.post(reverse("procedures:record", args=[ready["appointment"].pk]), session_post(ready["lot"])).status_code == 302
    client.force_login(receptionist)
    row = row_of(client.get(reverse("home")).content.decode(), ready["appointment"])
    assert "Completed" in row and "Book next" in row
    link = re.search(r'href="([^"]+)">Book next', row).group(1).replace("&amp;", "&")
    assert f"patient={ready['appointment'].patient_id}" in link and "kind=mesotherapy_session" in link
    form = client.get(link)
    assert form.context["form"].initial["patient"] == str(ready["appointment"].patient_id)
    assert form.context["free"]["slots"] or form.context["free"]["closed"]


def test_new_patient_from_today_ends_on_the_booking_form_with_free_times(client, receptionist, ready):
    client.force_login(receptionist)
    today = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("patients:create")}?then=book"' in today
    response = client.post(reverse("patients:create"), {"given_name": "Priya", "family_name": "Deshmukh", "date_of_birth": "1991-02-03",
                                                        "sex": "female", "phone": "9820099999", "then": "book"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("scheduling:book") + "?patient=")
    form = client.get(response["Location"])
    assert "Free times" in form.content.decode()


def test_the_nurse_sees_a_card_per_patient_with_the_blockers_and_starts_the_session(client, clinic, practitioner, make_patient, ready, actor):
    bare = make_patient(clinic, given_name="Priya", family_name="Deshmukh")
    at = ready["appointment"].starts_at + dt.timedelta(minutes=45)
    if timezone.localtime(at).date() != timezone.localdate():
        at = ready["appointment"].starts_at - dt.timedelta(minutes=45)
    blocked = book(actor, clinic, bare, practitioner, ready["room"], "mesotherapy_session", at)
    client.force_login(practitioner)
    html = client.get(reverse("home")).content.decode()
    cards = re.findall(r'<article class="card patient-card.*?</article>', html, re.S)
    assert len(cards) == 2
    blocked_card = next(c for c in cards if "Priya Deshmukh" in c)
    assert "is-blocked" in blocked_card and "No signed treatment consent" in blocked_card and "No formulation prescribed" in blocked_card
    ready_card = next(c for c in cards if "Priya Deshmukh" not in c)
    assert "Start session" in ready_card and "2 mL" in ready_card and 'data-chip="allergies"' in ready_card
    response = client.post(reverse("today_start", args=[ready["appointment"].pk]))
    assert response["Location"] == reverse("procedures:record", args=[ready["appointment"].pk])
    ready["appointment"].refresh_from_db()
    assert ready["appointment"].status == "in_chair"
    assert blocked.pk


def test_the_trichologists_consultation_belongs_to_its_appointment_which_is_done_when_signed(client, clinic, trichologist, make_patient, ready, actor):
    from anagen.consultations.models import Consultation

    patient = make_patient(clinic, given_name="Priya", family_name="Deshmukh")
    at = ready["appointment"].starts_at
    appointment = book(actor, clinic, patient, trichologist, ready["room"], "consultation", at - dt.timedelta(hours=1)
                       if timezone.localtime(at - dt.timedelta(hours=1)).date() == timezone.localdate() else at + dt.timedelta(hours=1))
    client.force_login(trichologist)
    assert "Priya Deshmukh" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("today_consult", args=[appointment.pk]))
    consultation = Consultation.objects.get(appointment=appointment)
    assert response["Location"] == reverse("consultations:edit", args=[consultation.pk])
    # Back and re-submit: the same consultation opens, no second one is started.
    client.post(reverse("today_consult", args=[appointment.pk]))
    assert Consultation.objects.filter(patient=patient).count() == 1
    appointment.refresh_from_db()
    assert appointment.status == "in_chair"
    from anagen.consultations.services import save_draft, sign_consultation

    save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia"},
               measurements=None, labs={}, expected_version=None)
    sign_consultation(actor, consultation, trichologist)
    appointment.refresh_from_db()
    assert appointment.status == "completed"
