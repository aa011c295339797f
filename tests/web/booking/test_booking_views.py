"""The public online-booking pages: no sign-in, nothing personal in URLs or log lines, every bad
input named, limits per address, and reception seeing the result."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.booking.conftest import last_code

from anagen.booking import services
from anagen.booking.models import BookingRequest, OnlineBookingSettings
from anagen.patients.models import Patient
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment

pytestmark = pytest.mark.django_db

DOB = "1994-05-24"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def free_times(clinic: Any) -> list[Any]:
    now = timezone.now()
    for day in services.open_days(clinic, timezone.localdate(now)):
        times = services.free_consultation_times(clinic, day, now)
        if times:
            return times
    raise AssertionError("no free time")


def form(starts_at: Any, **overrides: str) -> dict[str, str]:
    local = timezone.localtime(starts_at)
    return {"day": local.date().isoformat(), "starts_at": local.isoformat(), "given_name": "Meera", "family_name": "Kulkarni",
            "date_of_birth": DOB, "sex": "female", "phone": "98201 23456", "email": "", "website": "", **overrides}


def test_book_lists_the_clinics_that_take_bookings_and_goes_straight_to_the_only_one(booking_clinic, other_clinic):
    client = Client()
    assert client.get("/book/")["Location"] == reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk})
    OnlineBookingSettings.objects.create(clinic=other_clinic, enabled=True, dlt_template_id="1107160000000000002")
    page = client.get("/book/").content.decode()
    assert booking_clinic.name in page and other_clinic.name in page


def test_the_sign_in_page_links_to_online_booking():
    assert 'href="/book/"' in Client().get(reverse("login")).content.decode()


def test_a_clinic_that_does_not_take_bookings_says_so(clinic):
    response = Client().get(reverse("booking:clinic", kwargs={"clinic_id": clinic.pk}))
    assert response.status_code == 200 and "does not take bookings online" in response.content.decode()


def test_an_unknown_clinic_is_a_404():
    assert Client().get("/book/999999/").status_code == 404


def test_a_new_patient_books_end_to_end_and_no_url_or_log_line_carries_their_details(booking_clinic, sms_gateway, receptionist, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client()
    start = free_times(booking_clinic)[0]
    page = client.get(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), {"day": timezone.localtime(start).date().isoformat()})
    assert page.status_code == 200 and timezone.localtime(start).isoformat() in page.content.decode()

    sent = client.post(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), form(start))
    assert sent.status_code == 302 and sent["Location"] == reverse("booking:confirm", kwargs={"clinic_id": booking_clinic.pk})
    confirm_page = client.get(sent["Location"]).content.decode()
    assert "ending 3456" in confirm_page
    done = client.post(sent["Location"], {"code": last_code(sms_gateway)})
    assert done.status_code == 302 and done["Location"] == reverse("booking:done", kwargs={"clinic_id": booking_clinic.pk})
    assert "is booked for" in client.get(done["Location"]).content.decode()

    appointment = Appointment.objects.get(clinic=booking_clinic)
    assert appointment.patient.needs_duplicate_check and appointment.starts_at == start
    for url in (sent["Location"], done["Location"]):
        assert "Meera" not in url and "98201" not in url and "23456" not in url
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("Meera", "Kulkarni", "9820123456", last_code(sms_gateway), DOB):
        assert secret not in logged

    # Reception sees the new patient, flagged, on Today and in the patient list, and clears the flag.
    staff = Client()
    staff.force_login(receptionist)
    today = staff.get(reverse("home"), {"day": timezone.localtime(start).date().isoformat()}).content.decode()
    listed = staff.get(reverse("patients:list")).content.decode()
    assert "Booked online: check for duplicates" in listed
    detail = staff.get(reverse("patients:detail", args=[appointment.patient_id])).content.decode()
    assert "Check for duplicates" in detail
    cleared = staff.post(reverse("patients:duplicate_checked", args=[appointment.patient_id]))
    assert cleared.status_code == 302
    assert not Patient.objects.get(pk=appointment.patient_id).needs_duplicate_check
    assert "Meera Kulkarni" in today and 'data-flag="booked-online"' in today


def test_todays_list_flags_a_patient_who_booked_online(booking_clinic, receptionist, make_patient, trichologist):
    patient = make_patient(booking_clinic, given_name="Anil")
    Patient.objects.filter(pk=patient.pk).update(needs_duplicate_check=True)
    room = scheduling.active_rooms(booking_clinic).get()
    now = timezone.localtime()
    start = now.replace(hour=23, minute=0, second=0, microsecond=0)
    scheduling.book_appointment(services.actor_for(booking_clinic, None), booking_clinic, patient=patient, practitioner=trichologist,
                                room=room, kind="consultation", starts_at=start, duration_minutes=45)
    staff = Client()
    staff.force_login(receptionist)
    page = staff.get(reverse("home")).content.decode()
    assert "Anil" in page and 'data-flag="booked-online"' in page


def test_bad_input_names_each_field_and_is_never_a_500(booking_clinic, sms_gateway):
    client = Client()
    url = reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk})
    start = free_times(booking_clinic)[0]
    response = client.post(url, form(start, given_name="", phone="12", date_of_birth="yesterday", sex="robot", email="x@"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"given_name", "phone", "date_of_birth", "sex", "email"}
    response = client.post(url, {**form(start), "starts_at": "not a time"})
    assert response.status_code == 400 and "starts_at" in response.context["form"].errors
    response = client.post(url, form(start, phone="+44 20 7946 0958"))
    assert response.status_code == 400 and "Indian mobile" in str(response.context["form"].errors["phone"])
    response = client.post(url, {})
    assert response.status_code == 400
    assert sms_gateway.requests == []


def test_a_wrong_code_says_how_many_tries_are_left_and_an_expired_one_says_start_again(booking_clinic, sms_gateway):
    client = Client()
    start = free_times(booking_clinic)[0]
    client.post(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), form(start))
    confirm = reverse("booking:confirm", kwargs={"clinic_id": booking_clinic.pk})
    code = last_code(sms_gateway)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(confirm, {"code": wrong})
    assert response.status_code == 400 and "4 tries left" in response.content.decode()
    BookingRequest.objects.update(sent_at=timezone.now() - timedelta(minutes=11))
    response = client.post(confirm, {"code": code})
    assert response.status_code == 400 and "expired" in response.content.decode() and "Start again" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_time_taken_meanwhile_asks_for_another_and_keeps_the_details(booking_clinic, sms_gateway, patient, trichologist):
    client = Client()
    first = free_times(booking_clinic)[0]
    client.post(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), form(first))
    room = scheduling.active_rooms(booking_clinic).get()
    scheduling.book_appointment(services.actor_for(booking_clinic, None), booking_clinic, patient=patient, practitioner=trichologist,
                                room=room, kind="review", starts_at=first, duration_minutes=30)
    response = client.post(reverse("booking:confirm", kwargs={"clinic_id": booking_clinic.pk}), {"code": last_code(sms_gateway)}, follow=True)
    page = response.content.decode()
    assert "That time was just taken" in page and "Choose another time" in page
    second = free_times(booking_clinic)[0]
    local = timezone.localtime(second)
    response = client.post(reverse("booking:rechoose", kwargs={"clinic_id": booking_clinic.pk}),
                           {"day": local.date().isoformat(), "starts_at": local.isoformat()})
    assert response.status_code == 302
    booked = Appointment.objects.get(clinic=booking_clinic, kind="consultation")
    assert booked.starts_at == second and booked.patient.full_name == "Meera Kulkarni"


def test_an_address_gets_ten_code_requests_an_hour(booking_clinic, sms_gateway):
    client = Client()
    url = reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk})
    start = free_times(booking_clinic)[0]
    for n in range(10):
        client.post(url, form(start, phone=f"98201 0{n:04d}"))
    response = client.post(url, form(start, phone="98201 19999"))
    assert response.status_code == 429 and "Too many" in response.content.decode()
    assert len(sms_gateway.requests) == 10


def test_a_filled_honeypot_sends_nothing(booking_clinic, sms_gateway):
    start = free_times(booking_clinic)[0]
    response = Client().post(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), form(start, website="http://x.example"))
    assert response.status_code == 400 and "could not be accepted" in response.content.decode()
    assert sms_gateway.requests == []


def test_posts_without_the_csrf_token_are_refused(booking_clinic, sms_gateway):
    start = free_times(booking_clinic)[0]
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), form(start)).status_code == 403


def test_the_language_switch_shows_the_page_in_the_visitors_language(booking_clinic):
    client = Client()
    url = reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk})
    response = client.post(reverse("booking:language"), {"language": "hi", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert re.search(r'<html lang="hi"', client.get(url).content.decode())
    # Somewhere else than this site is not followed.
    assert Client().post(reverse("booking:language"), {"language": "mr", "next": "https://evil.example/"})["Location"] == "/book/"


def test_the_patient_record_takes_the_language_the_page_was_read_in(booking_clinic, sms_gateway):
    client = Client()
    client.post(reverse("booking:language"), {"language": "mr", "next": "/book/"})
    client.post(reverse("booking:clinic", kwargs={"clinic_id": booking_clinic.pk}), form(free_times(booking_clinic)[0]))
    client.post(reverse("booking:confirm", kwargs={"clinic_id": booking_clinic.pk}), {"code": last_code(sms_gateway)})
    assert Patient.objects.get(clinic=booking_clinic).preferred_language == "mr"


def test_the_clinic_admin_turns_online_booking_on_and_sms_needs_its_dlt_template(clinic, admin_user):
    client = Client()
    client.force_login(admin_user)
    url = reverse("booking:settings")
    response = client.post(url, {"enabled": "on", "code_channel": "sms", "dlt_template_id": ""})
    assert response.status_code == 400 and "dlt_template_id" in response.context["form"].errors
    response = client.post(url, {"enabled": "on", "code_channel": "sms", "dlt_template_id": "1107160000000000001"})
    assert response.status_code == 302 and services.takes_bookings(clinic)
