"""The calendar's services: exclusivity of practitioners and rooms, status changes, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.audit.services import verify_chain
from anagen.scheduling import services
from anagen.scheduling.models import Appointment, PractitionerSlot, RoomSlot

pytestmark = pytest.mark.django_db


def test_it_books_an_appointment_and_holds_its_slots(book, tomorrow, at):
    appointment = book(start="10:00", duration_minutes=45)
    assert appointment.status == "booked"
    assert appointment.starts_at == at(tomorrow, "10:00")
    assert appointment.ends_at == at(tomorrow, "10:45")
    assert appointment.version == 1
    assert PractitionerSlot.objects.filter(appointment=appointment).count() == 3
    assert RoomSlot.objects.filter(appointment=appointment).count() == 3


def test_times_are_stored_in_utc_and_mean_clinic_time(book, tomorrow):
    appointment = book(start="10:00")
    stored = Appointment.objects.get(pk=appointment.pk).starts_at
    assert stored.utcoffset() == timedelta(0)
    assert (stored.hour, stored.minute) == (4, 30)  # 10:00 IST is 04:30 UTC
    assert timezone.localtime(stored).strftime("%H:%M") == "10:00"


def test_it_refuses_a_second_booking_of_the_same_practitioner_slot(book, room2, make_patient, clinic):
    book(start="10:00")
    with pytest.raises(services.SlotTaken) as refusal:
        book(start="10:00", room=room2, patient=make_patient(clinic))
    assert refusal.value.field == "practitioner"
    assert "already booked" in refusal.value.message
    assert Appointment.objects.count() == 1


def test_it_refuses_a_second_booking_of_the_same_room_slot(book, practitioner, make_patient, clinic):
    book(start="10:00")
    with pytest.raises(services.SlotTaken) as refusal:
        book(start="10:00", practitioner=practitioner, patient=make_patient(clinic))
    assert refusal.value.field == "room"
    assert "Procedure room 1 is already in use" in refusal.value.message
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(("start", "minutes"), [("09:30", 45), ("10:30", 60), ("10:15", 15), ("09:00", 240)])
def test_it_refuses_overlapping_but_not_identical_times(book, start, minutes):
    book(start="10:00", duration_minutes=45)
    with pytest.raises(services.SlotTaken):
        book(start=start, duration_minutes=minutes)
    assert Appointment.objects.count() == 1


def test_back_to_back_appointments_are_allowed(book):
    book(start="10:00", duration_minutes=45)
    book(start="10:45", duration_minutes=30)
    book(start="09:15", duration_minutes=45)
    assert Appointment.objects.count() == 3


def test_the_database_refuses_a_double_booking_the_service_did_not_see(book, tomorrow, trichologist, at):
    first = book(start="10:00")
    with pytest.raises(IntegrityError), transaction.atomic():
        PractitionerSlot.objects.create(practitioner=trichologist, slot_start=at(tomorrow, "10:15"), appointment=first)


def test_the_database_still_refuses_when_the_friendly_check_is_bypassed(book, monkeypatch, room2, make_patient, clinic):
    book(start="10:00")
    monkeypatch.setattr(services, "_check_free", lambda *args, **kwargs: None)
    with pytest.raises(services.SlotTaken) as refusal:
        book(start="10:30", room=room2, patient=make_patient(clinic))
    assert refusal.value.field == "practitioner"
    assert Appointment.objects.count() == 1
    assert PractitionerSlot.objects.count() == 3


def test_cancel_frees_the_slot(book, actor):
    appointment = book(start="10:00")
    services.cancel_appointment(actor, appointment, "Patient travelling")
    assert PractitionerSlot.objects.count() == RoomSlot.objects.count() == 0
    again = book(start="10:00")
    assert again.pk != appointment.pk
    appointment.refresh_from_db()
    assert (appointment.status, appointment.status_reason) == ("cancelled", "Patient travelling")


def test_cancel_and_no_show_need_a_reason(book, actor, tomorrow, at):
    appointment = book(start="10:00")
    for change in (lambda: services.cancel_appointment(actor, appointment, "  "), lambda: services.mark_no_show(actor, appointment, "", now=at(tomorrow, "11:00"))):
        with pytest.raises(services.BookingError) as refusal:
            change()
        assert refusal.value.field == "reason"
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_the_database_refuses_a_cancellation_without_a_reason(book):
    appointment = book()
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", status_reason="")


def test_a_no_show_frees_the_slot_but_not_before_the_day(book, actor, tomorrow, at):
    appointment = book(start="10:00")
    with pytest.raises(services.BookingError):
        services.mark_no_show(actor, appointment, "Did not come", now=at(tomorrow - timedelta(days=1), "18:00"))
    services.mark_no_show(actor, appointment, "Did not come", now=at(tomorrow, "11:00"))
    assert PractitionerSlot.objects.count() == 0
    book(start="10:00")


def test_arrival_then_completion_keeps_the_slot(book, actor, tomorrow, at):
    appointment = book(start="10:00")
    services.mark_arrived(actor, appointment, now=at(tomorrow, "09:55"))
    services.mark_completed(actor, appointment, now=at(tomorrow, "10:45"))
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    assert PractitionerSlot.objects.filter(appointment=appointment).count() == 3
    with pytest.raises(services.BookingError):
        services.cancel_appointment(actor, appointment, "too late")


def test_move_keeps_exclusivity(book, actor, make_patient, clinic, room2):
    first = book(start="10:00")
    second = book(start="11:00", patient=make_patient(clinic), room=room2)
    with pytest.raises(services.SlotTaken) as refusal:
        services.move_appointment(actor, second, starts_at=first.starts_at + timedelta(minutes=30))
    assert refusal.value.field == "practitioner"
    second.refresh_from_db()
    assert second.starts_at == first.starts_at + timedelta(hours=1)
    assert PractitionerSlot.objects.filter(appointment=second).count() == 3  # its holds came back with the rollback
    moved = services.move_appointment(actor, second, starts_at=first.ends_at)
    assert moved.starts_at == first.ends_at and moved.version == 2
    assert sorted(PractitionerSlot.objects.filter(appointment=second).values_list("slot_start", flat=True)) == services.slot_units(moved.starts_at, moved.ends_at)


def test_move_may_overlap_its_own_old_time(book, actor):
    appointment = book(start="10:00", duration_minutes=60)
    moved = services.move_appointment(actor, appointment, starts_at=appointment.starts_at + timedelta(minutes=15))
    assert moved.ends_at == appointment.ends_at + timedelta(minutes=15)
    assert PractitionerSlot.objects.count() == 4


def test_a_stale_move_is_refused(book, actor):
    appointment = book(start="10:00")
    services.move_appointment(actor, appointment, starts_at=appointment.starts_at + timedelta(hours=1), expected_version=1)
    with pytest.raises(services.StaleWrite):
        services.move_appointment(actor, appointment, starts_at=appointment.starts_at + timedelta(hours=2), expected_version=1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"duration_minutes": 50}, "duration_minutes"),
        ({"start": "10:10"}, "starts_at"),
        ({"start": "23:30", "duration_minutes": 60}, "duration_minutes"),
        ({"kind": "botox"}, "kind"),
        ({"patient": 999999}, "patient"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(book, overrides, field):
    with pytest.raises(services.BookingError) as refusal:
        book(**overrides)
    assert refusal.value.field == field
    assert Appointment.objects.count() == PractitionerSlot.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="appointment").exists()


def test_it_refuses_another_clinics_patient_room_or_practitioner(book, other_clinic, make_patient, other_room, make_user):
    for overrides, field in (
        ({"patient": make_patient(other_clinic)}, "patient"),
        ({"room": other_room}, "room"),
        ({"practitioner": make_user(other_clinic, "trichologist")}, "practitioner"),
    ):
        with pytest.raises(services.BookingError) as refusal:
            book(**overrides)
        assert refusal.value.field == field
    assert Appointment.objects.count() == 0


def test_only_practitioners_and_trichologists_in_active_rooms_can_be_booked(book, receptionist, room):
    with pytest.raises(services.BookingError) as refusal:
        book(practitioner=receptionist)
    assert refusal.value.field == "practitioner"
    services.set_room_active(room, False)
    with pytest.raises(services.BookingError) as refusal:
        book()
    assert refusal.value.field == "room"


def test_every_write_is_audited(book, actor, tomorrow, patient, at):
    appointment = book(start="10:00", notes="Prefers mornings")
    created = AuditEntry.objects.get(object_type="appointment", action="create")
    assert created.patient_id == patient.pk and created.object_id == str(appointment.pk)
    assert created.changes["kind"] == {"old": None, "new": "consultation"}
    services.move_appointment(actor, appointment, starts_at=at(tomorrow, "12:00"))
    services.mark_arrived(actor, appointment, now=at(tomorrow, "12:00"))
    services.cancel_appointment(actor, appointment, "Left before being seen")
    updates = list(AuditEntry.objects.filter(object_type="appointment", action="update").order_by("seq"))
    assert [sorted(u.changes) for u in updates] == [["ends_at", "starts_at"], ["status"], ["status", "status_reason"]]
    assert updates[2].changes["status"] == {"old": "arrived", "new": "cancelled"}
    assert verify_chain().ok


def test_the_day_and_week_queries_and_a_patients_upcoming_visits(book, clinic, tomorrow, patient, actor, practitioner, room2):
    a = book(start="10:00", day=tomorrow)
    b = book(start="10:00", day=tomorrow + timedelta(days=1), practitioner=practitioner, room=room2)
    c = book(start="12:00", day=tomorrow)
    services.cancel_appointment(actor, c, "changed mind")
    assert services.appointments_for_day(clinic, tomorrow) == [a, c]
    assert services.appointments_for_day(clinic, tomorrow, practitioner=practitioner) == []
    assert services.appointments_for_day(clinic, tomorrow + timedelta(days=1), room=room2) == [b]
    week = services.appointments_for_week(clinic, tomorrow)
    assert a in week and c in week
    assert services.upcoming_for_patient(clinic, patient) == [a, b]


def test_course_fields_are_kept_for_the_treatments_app(book):
    appointment = book(course_id=42, course_session_number=3)
    assert Appointment.objects.filter(course_id=42).get().course_session_number == 3
    assert appointment.course_id == 42
