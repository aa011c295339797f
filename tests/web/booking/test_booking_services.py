"""Online booking's use cases (anagen.booking.services): the code, its limits, the provisional
patient and the consultation made in one transaction, and the race for a slot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.web.booking.conftest import DLT_TEMPLATE_ID, last_code

from anagen.audit.models import AuditEntry
from anagen.booking import services
from anagen.booking.models import BookingRequest
from anagen.core.errors import InvalidInput
from anagen.patients.models import Patient
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


def details(**overrides: Any) -> services.Details:
    values = {"given_name": "Meera", "family_name": "Kulkarni", "date_of_birth": timezone.localdate() - timedelta(days=365 * 31),
              "sex": "female", "phone": "98201 23456", "email": "", "language": "en-in"}
    return services.Details(**{**values, **overrides})


def first_free(clinic: Any, skip: int = 0) -> Any:
    now = timezone.now()
    for day in services.open_days(clinic, timezone.localdate(now)):
        times = services.free_consultation_times(clinic, day, now)
        if len(times) > skip:
            return times[skip]
    raise AssertionError("no free time")


def test_a_code_goes_by_dlt_sms_and_only_its_hash_is_kept(booking_clinic, sms_gateway):
    booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    [sent] = sms_gateway.requests
    assert sent["path"] == "/api/v2/sendsms"
    assert sent["json"]["DLT_TE_ID"] == DLT_TEMPLATE_ID and sent["json"]["sender"] == "LOTUSH"
    assert sent["json"]["sms"][0]["to"] == ["9820123456"]
    code = last_code(sms_gateway)
    stored = BookingRequest.objects.get(pk=booking.pk)
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.phone == "+919820123456" and stored.sent_by == "sms"


def test_the_right_code_makes_a_flagged_patient_and_a_booked_consultation_audited_as_online_booking(booking_clinic, sms_gateway, trichologist):
    starts_at = first_free(booking_clinic)
    booking = services.request_code(booking_clinic, starts_at=starts_at, details=details())
    booked = services.confirm_code(booking, last_code(sms_gateway), ip_address="203.0.113.7")

    appointment = booked.appointment
    assert appointment.kind == "consultation" and appointment.status == "booked"
    assert appointment.starts_at == starts_at and appointment.practitioner == trichologist
    patient = appointment.patient
    assert patient.full_name == "Meera Kulkarni" and patient.phone == "+919820123456"
    assert patient.needs_duplicate_check is True and patient.mrn.startswith("LOT-")
    entries = AuditEntry.objects.filter(patient_id=patient.pk, action="create")
    assert {e.object_type for e in entries} >= {"patient", "appointment", "online_booking"}
    assert {e.username for e in entries} == {"online booking"}
    # The request keeps ids only: the typed details live on in the patient record.
    stored = BookingRequest.objects.get(pk=booking.pk)
    assert stored.appointment_id == appointment.pk and stored.phone == "" and stored.given_name == "" and stored.date_of_birth is None


def test_an_expired_code_is_refused_and_nothing_is_created(booking_clinic, sms_gateway):
    booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    with pytest.raises(services.CodeExpired):
        services.confirm_code(booking, last_code(sms_gateway), now=timezone.now() + timedelta(minutes=10, seconds=1))
    assert not Patient.objects.filter(clinic=booking_clinic).exists()
    assert not Appointment.objects.filter(clinic=booking_clinic).exists()


def test_five_wrong_tries_use_the_code_up_and_then_the_right_code_is_refused(booking_clinic, sms_gateway):
    booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    code = last_code(sms_gateway)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput) as refused:
            services.confirm_code(booking, wrong)
        assert refused.value.errors[0].field == "code" and f"{left} tries left" in refused.value.errors[0].message
    with pytest.raises(services.CodeUsedUp):
        services.confirm_code(booking, wrong)
    with pytest.raises(services.CodeUsedUp):
        services.confirm_code(booking, code)
    assert BookingRequest.objects.get(pk=booking.pk).failed_tries == 5
    assert not Patient.objects.filter(clinic=booking_clinic).exists()


def test_a_code_that_is_not_six_digits_names_the_code_field_and_costs_no_try(booking_clinic, sms_gateway):
    booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    with pytest.raises(InvalidInput) as refused:
        services.confirm_code(booking, "12ab")
    assert refused.value.errors[0].field == "code"
    assert BookingRequest.objects.get(pk=booking.pk).failed_tries == 0


def test_a_number_gets_three_codes_an_hour_and_the_fourth_request_names_the_phone(booking_clinic, sms_gateway):
    for _ in range(3):
        services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    with pytest.raises(InvalidInput) as refused:
        services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details(phone="+91 98201 23456"))
    assert refused.value.errors[0].field == "phone"
    assert len(sms_gateway.requests) == 3
    # Another number is not held back.
    services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details(phone="98201 99999"))


def test_a_filled_honeypot_is_refused_and_nothing_is_sent(booking_clinic, sms_gateway):
    with pytest.raises(services.BookingRefused):
        services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details(), honeypot="http://spam.example")
    assert sms_gateway.requests == [] and not BookingRequest.objects.exists()


def test_bad_details_name_each_field(booking_clinic, sms_gateway):
    with pytest.raises(InvalidInput) as refused:
        services.request_code(booking_clinic, starts_at=first_free(booking_clinic),
                              details=details(given_name="", phone="022 2345 6789", sex="x",
                                              date_of_birth=timezone.localdate() + timedelta(days=1)))
    assert {e.field for e in refused.value.errors} == {"given_name", "phone", "sex", "date_of_birth"}
    assert sms_gateway.requests == []


def test_a_time_already_taken_is_refused_before_any_code_is_sent(booking_clinic, sms_gateway, trichologist, patient):
    starts_at = first_free(booking_clinic)
    room = scheduling.active_rooms(booking_clinic).get()
    scheduling.book_appointment(services.actor_for(booking_clinic, None), booking_clinic, patient=patient, practitioner=trichologist,
                                room=room, kind="review", starts_at=starts_at, duration_minutes=30)
    with pytest.raises(InvalidInput) as refused:
        services.request_code(booking_clinic, starts_at=starts_at, details=details())
    assert refused.value.errors[0].field == "starts_at" and sms_gateway.requests == []


def test_a_slot_taken_while_the_code_was_typed_is_refused_and_another_time_books_without_a_new_code(booking_clinic, sms_gateway, trichologist, patient):
    starts_at = first_free(booking_clinic)
    booking = services.request_code(booking_clinic, starts_at=starts_at, details=details())
    room = scheduling.active_rooms(booking_clinic).get()
    scheduling.book_appointment(services.actor_for(booking_clinic, None), booking_clinic, patient=patient, practitioner=trichologist,
                                room=room, kind="review", starts_at=starts_at, duration_minutes=30)
    with pytest.raises(services.SlotGone) as gone:
        services.confirm_code(booking, last_code(sms_gateway))
    assert gone.value.field == "starts_at" and "just taken" in gone.value.message
    assert not Patient.objects.filter(clinic=booking_clinic, needs_duplicate_check=True).exists()
    later = first_free(booking_clinic)
    booked = services.book_verified(BookingRequest.objects.get(pk=booking.pk), later)
    assert booked.appointment.starts_at == later and booked.appointment.patient.needs_duplicate_check
    assert len(sms_gateway.requests) == 1


def test_the_calendars_database_constraint_decides_a_race_and_loses_nothing(booking_clinic, sms_gateway, trichologist, patient, monkeypatch):
    """Both bookings passed every friendly check: the unique slot holds refuse the second."""
    starts_at = first_free(booking_clinic)
    booking = services.request_code(booking_clinic, starts_at=starts_at, details=details())
    room = scheduling.active_rooms(booking_clinic).get()
    stale = {starts_at: (trichologist, room)}
    scheduling.book_appointment(services.actor_for(booking_clinic, None), booking_clinic, patient=patient, practitioner=trichologist,
                                room=room, kind="review", starts_at=starts_at, duration_minutes=30)
    monkeypatch.setattr(services, "_free_on", lambda *args, **kwargs: stale)
    monkeypatch.setattr(scheduling, "_check_free", lambda *args, **kwargs: None)
    with pytest.raises(services.SlotGone):
        services.confirm_code(booking, last_code(sms_gateway))
    assert Patient.objects.filter(clinic=booking_clinic).count() == 1  # the reception's patient only
    assert Appointment.objects.filter(clinic=booking_clinic).count() == 1
    assert BookingRequest.objects.get(pk=booking.pk).verified_at is not None


def test_the_code_goes_by_email_when_the_sms_gateway_refuses_and_an_address_was_given(booking_clinic, sms_gateway, settings, monkeypatch):
    from anagen.reminders import providers

    sms_gateway.answers.append((401, {"type": "error", "message": "Authentication failure"}))
    sent: list[Any] = []
    real_provider_for = providers.provider_for

    class Capture:
        def send(self, message: Any) -> str:
            sent.append(message)
            return "captured"

    monkeypatch.setattr(services, "provider_for", lambda channel: Capture() if channel == "email" else real_provider_for(channel))
    booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details(email="meera@example.com"))
    assert booking.sent_by == "email" and sent[0].to == "meera@example.com" and sent[0].channel == "email"


def test_without_an_email_a_failed_send_says_so_on_the_phone_and_keeps_no_request(booking_clinic, sms_gateway):
    sms_gateway.answers.append((500, {"type": "error", "message": "down"}))
    with pytest.raises(services.CodeNotSent) as refused:
        services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    assert refused.value.field == "phone" and not BookingRequest.objects.exists()


def test_a_clinic_that_has_not_turned_online_booking_on_refuses(clinic, trichologist, sms_gateway):
    with pytest.raises(services.BookingClosed):
        services.request_code(clinic, starts_at=timezone.now() + timedelta(days=1), details=details())


def test_closed_days_offer_no_times(booking_clinic, admin_user):
    from anagen.accounts import services as accounts
    from anagen.audit.services import Actor

    today = timezone.localdate()
    day = services.open_days(booking_clinic, today)[0]
    accounts.add_closure(Actor.system("test", booking_clinic.pk), booking_clinic, day=day, reason="Diwali", today=today)
    assert day not in services.open_days(booking_clinic, today)
    assert services.free_consultation_times(booking_clinic, day, timezone.now()) == []


def test_reception_clears_the_duplicate_flag_and_the_trail_records_it(booking_clinic, sms_gateway, receptionist):
    from anagen.audit.services import Actor
    from anagen.patients.services import clear_duplicate_check

    booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
    patient = services.confirm_code(booking, last_code(sms_gateway)).appointment.patient
    cleared = clear_duplicate_check(Actor.system(receptionist.username, booking_clinic.pk), patient)
    assert cleared.needs_duplicate_check is False
    assert AuditEntry.objects.filter(patient_id=patient.pk, action="update", object_type="patient").exists()


def test_a_whatsapp_code_goes_as_the_clinics_authentication_template_with_the_copy_code_button(booking_clinic, settings):
    from tests.web.reminders.fake_providers import WHATSAPP_OK, FakeProvider

    from anagen.booking.models import OnlineBookingSettings
    from anagen.reminders.models import MessagingAccount

    cloud = FakeProvider(WHATSAPP_OK)
    try:
        settings.ANAGEN_WHATSAPP_API_BASE = cloud.base_url
        settings.ANAGEN_WHATSAPP_ACCESS_TOKEN = "test-token"
        settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "log", "whatsapp": "whatsapp_cloud"}
        MessagingAccount.objects.filter(clinic=booking_clinic).update(whatsapp_phone_number_id="106540352242922")
        OnlineBookingSettings.objects.filter(clinic=booking_clinic).update(code_channel="whatsapp", whatsapp_template="booking_code",
                                                                           whatsapp_language_code="en")
        booking = services.request_code(booking_clinic, starts_at=first_free(booking_clinic), details=details())
        [sent] = cloud.requests
        template = sent["json"]["template"]
        assert sent["path"].endswith("/106540352242922/messages") and sent["json"]["to"] == "919820123456"
        assert template["name"] == "booking_code" and template["language"] == {"code": "en"}
        [body, button] = template["components"]
        code = body["parameters"][0]["text"]
        assert len(code) == 6 and code.isdigit()
        assert button == {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": code}]}
        assert booking.sent_by == "whatsapp"
        assert services.confirm_code(booking, code).appointment.kind == "consultation"
    finally:
        cloud.close()
