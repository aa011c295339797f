"""One patient cannot hold two overlapping appointments (issue 19, finding 11): the attack booked
the same patient at the same hour with another practitioner in another room."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from anagen.audit.services import Actor
from anagen.scheduling import services
from anagen.scheduling.models import Appointment, PatientSlot, Room

from .test_scheduling_concurrency import _race

pytestmark = pytest.mark.django_db


def test_a_patient_cannot_be_booked_twice_at_the_same_hour_with_another_practitioner_and_room(book, practitioner, room2):
    book(start="10:00")
    with pytest.raises(services.SlotTaken) as refusal:
        book(start="10:30", practitioner=practitioner, room=room2)
    assert refusal.value.field == "patient"
    assert "is already booked at 10:00" in refusal.value.message
    assert Appointment.objects.count() == 1


def test_the_patients_slots_are_held_and_freed_with_the_appointment(book, actor, practitioner, room2):
    appointment = book(start="10:00", duration_minutes=45)
    assert PatientSlot.objects.filter(appointment=appointment).count() == 3
    services.cancel_appointment(actor, appointment, "Patient travelling")
    assert PatientSlot.objects.count() == 0
    assert book(start="10:00", practitioner=practitioner, room=room2).status == "booked"


def test_back_to_back_appointments_of_one_patient_are_allowed(book, practitioner, room2):
    book(start="10:00", duration_minutes=45)
    book(start="10:45", practitioner=practitioner, room=room2)
    assert Appointment.objects.count() == 2


def test_moving_an_appointment_onto_the_patients_other_appointment_is_refused(book, actor, practitioner, room2, tomorrow, at):
    book(start="10:00")
    later = book(start="12:00", practitioner=practitioner, room=room2)
    with pytest.raises(services.SlotTaken) as refusal:
        services.move_appointment(actor, later, starts_at=at(tomorrow, "10:15"))
    assert refusal.value.field == "patient"
    later.refresh_from_db()
    assert later.starts_at == at(tomorrow, "12:00")


def test_the_database_refuses_a_second_hold_of_the_patients_slot(book, patient, tomorrow, at):
    first = book(start="10:00")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientSlot.objects.create(patient=patient, slot_start=at(tomorrow, "10:15"), appointment=first)


def test_the_database_refuses_when_the_friendly_check_is_bypassed(book, monkeypatch, practitioner, room2):
    book(start="10:00")
    monkeypatch.setattr(services, "_check_free", lambda *args, **kwargs: None)
    with pytest.raises(services.SlotTaken) as refusal:
        book(start="10:30", practitioner=practitioner, room=room2)
    assert refusal.value.field == "patient"
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_bookings_of_one_patient_with_different_practitioners_leave_one(clinic, patient, make_user, at, tomorrow, monkeypatch):
    # Every thread passes the friendly check: the unique constraint alone decides.
    monkeypatch.setattr(services, "_check_free", lambda *args, **kwargs: None)
    count = 4
    practitioners = [make_user(clinic, "practitioner") for _ in range(count)]
    rooms = [Room.objects.create(clinic=clinic, name=f"Room {i}") for i in range(count)]
    actor = Actor.system("race", clinic.pk)

    def booking(i):
        return lambda: services.book_appointment(
            actor, clinic, patient=patient, practitioner=practitioners[i], room=rooms[i], kind="consultation",
            starts_at=at(tomorrow, "10:00" if i % 2 else "10:15"), duration_minutes=45,
        )

    outcomes = _race(clinic, [booking(i) for i in range(count)])
    assert sum(isinstance(o, Appointment) for o in outcomes) == 1, outcomes
    assert {o.field for o in outcomes if isinstance(o, services.SlotTaken)} == {"patient"}
    assert Appointment.objects.count() == 1


def test_the_booking_page_names_the_patient_field(client, receptionist, book, practitioner, room2, patient, tomorrow):
    book(start="10:00")
    client.force_login(receptionist)
    response = client.post(reverse("scheduling:book"), {
        "patient_query": "", "patient": patient.pk, "practitioner": practitioner.pk, "room": room2.pk,
        "kind": "consultation", "date": tomorrow.isoformat(), "start_time": "10:15", "duration_minutes": "45", "notes": "",
    })
    assert response.status_code == 400
    assert "is already booked at 10:00" in " ".join(response.context["form"].errors.get("patient", []))
