"""Real concurrency: several threads book the same slot at once through the service.

Each thread has its own database connection (closed at thread end). Exactly one booking may
commit; every other thread must be refused with SlotTaken, never a 500-style error, and the slot
holds must belong to the one appointment that exists.
"""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from anagen.audit.services import Actor
from anagen.scheduling import services
from anagen.scheduling.models import Appointment, PractitionerSlot, RoomSlot

THREADS = 6


def _race(clinic, calls):
    """Run each call in its own thread, released together by a barrier; collect outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            for _attempt in range(200):
                try:
                    outcomes[index] = call()
                    break
                except OperationalError as exc:
                    # An in-memory SQLite test database shares one cache between connections,
                    # where a busy writer makes others fail at once ("locked") instead of waiting
                    # on the busy timeout as a file database does. Waiting is the retry below.
                    if "locked" not in str(exc):
                        raise
                    threading.Event().wait(0.01)
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("friendly_check", [True, False], ids=["with-the-service-check", "database-constraint-alone"])
def test_threads_booking_the_same_practitioner_slot_at_once_leave_exactly_one_appointment(clinic, trichologist, make_patient, at, tomorrow, monkeypatch, friendly_check):
    from anagen.scheduling.models import Room

    if not friendly_check:
        # Prove the unique constraints alone hold the line when every thread passes the pre-check.
        monkeypatch.setattr(services, "_check_free", lambda *args, **kwargs: None)

    rooms = [Room.objects.create(clinic=clinic, name=f"Room {i}") for i in range(THREADS)]
    patients = [make_patient(clinic) for _ in range(THREADS)]
    actor = Actor.system("race", clinic.pk)

    def booking(i):
        # Same practitioner, different rooms and overlapping (not all identical) times.
        return lambda: services.book_appointment(
            actor, clinic, patient=patients[i], practitioner=trichologist, room=rooms[i],
            kind="consultation", starts_at=at(tomorrow, "10:00" if i % 2 else "10:15"), duration_minutes=45,
        )

    outcomes = _race(clinic, [booking(i) for i in range(THREADS)])
    booked = [o for o in outcomes if isinstance(o, Appointment)]
    refused = [o for o in outcomes if isinstance(o, services.SlotTaken)]
    assert len(booked) == 1, outcomes
    assert len(refused) == THREADS - 1, outcomes
    assert {r.field for r in refused} == {"practitioner"}
    assert Appointment.objects.count() == 1
    assert set(PractitionerSlot.objects.values_list("appointment_id", flat=True)) == {booked[0].pk}
    assert RoomSlot.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_threads_booking_the_same_room_slot_at_once_leave_exactly_one_appointment(clinic, make_user, make_patient, at, tomorrow):
    from anagen.scheduling.models import Room

    room = Room.objects.create(clinic=clinic, name="Procedure room 1")
    people = [make_user(clinic, "practitioner") for _ in range(THREADS)]
    patients = [make_patient(clinic) for _ in range(THREADS)]
    actor = Actor.system("race", clinic.pk)
    outcomes = _race(clinic, [
        (lambda i=i: services.book_appointment(
            actor, clinic, patient=patients[i], practitioner=people[i], room=room,
            kind="prf", starts_at=at(tomorrow, "16:00"), duration_minutes=60,
        ))
        for i in range(THREADS)
    ])
    assert sum(isinstance(o, Appointment) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, Appointment | services.SlotTaken) for o in outcomes), outcomes
    assert {o.field for o in outcomes if isinstance(o, services.SlotTaken)} == {"room"}
    assert Appointment.objects.count() == 1 and RoomSlot.objects.count() == 4
