"""Real concurrency: two waiting patients accept the same freed time at once, each in its own
thread and database connection. Exactly one gets it; the other is refused as taken, with their
session, their waiting-list entry and the audit trail as they were (issue 22, item 2)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from tests import builders

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.portal.models import SelfServiceChange
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment
from anagen.waitlist import services
from anagen.waitlist.models import FreedTime, SlotOffer, WaitingListEntry


def _race(calls):
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
                    # SQLite's shared-cache test database says "locked" at once where a file
                    # database would wait: waiting is this retry (PostgreSQL waits on the row lock).
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


def _actor(user) -> Actor:
    return Actor(user_id=user.pk, username=user.username, clinic_id=user.clinic_id, ip_address=None)


@pytest.mark.django_db(transaction=True)
def test_two_patients_accepting_one_freed_time_at_once_leave_exactly_one_move(clinic, trichologist, receptionist, make_patient, enrol):
    from anagen.scheduling.models import Room
    from anagen.treatments.services import CourseChoices, create_course

    room = Room.objects.create(clinic=clinic, name="Room 1")
    day = timezone.localdate() + dt.timedelta(days=8)
    start = day + dt.timedelta(days=(7 - day.weekday()) % 7)

    def course(patient, first: dt.date, hour: int) -> list[Appointment]:
        consultation = builders.signed_consultation(patient, trichologist)
        formulation = builders.formulation(consultation, trichologist)
        made = create_course(builders.system_actor(clinic), consultation, formulation, CourseChoices(first, 3, 14, 0, 60),
                             practitioner=trichologist, room=room, session_time=dt.time(hour, 0), duration_minutes=45, author=trichologist)
        return list(Appointment.objects.filter(course_id=made.pk).order_by("course_session_number"))

    freeing = course(make_patient(clinic), start, 10)[1]
    waiting = []
    for hour in (10, 12):
        patient = make_patient(clinic)
        user = enrol(patient)
        session = course(patient, start + dt.timedelta(days=7), hour)[1]
        waiting.append((user, patient, services.join(_actor(user), patient, session.pk)))
    scheduling.cancel_appointment(_actor(receptionist), freeing, "The patient is travelling")
    offers = [SlotOffer.objects.get(entry=entry) for _user, _patient, entry in waiting]
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()

    outcomes = _race([lambda u=user, p=patient, o=offer: services.accept(_actor(u), p, o.pk)
                      for (user, patient, _entry), offer in zip(waiting, offers, strict=True)])

    moved = [o for o in outcomes if isinstance(o, Appointment)]
    refused = [o for o in outcomes if isinstance(o, services.WaitlistError)]
    assert len(moved) == 1 and len(refused) == 1, outcomes
    assert str(refused[0].message) == str(services.TAKEN)
    assert Appointment.objects.filter(starts_at=freeing.starts_at, status="booked").count() == 1
    freed = FreedTime.objects.get()
    assert freed.taken_at is not None and SlotOffer.objects.filter(accepted_at__isnull=False).count() == 1
    loser = next(entry for _u, _p, entry in waiting if entry.pk != freed.taken_by_id)
    loser_entry = WaitingListEntry.objects.get(pk=loser.pk)
    assert loser_entry.ended_at is None
    assert Appointment.objects.get(pk=loser.appointment_id).starts_at == loser.joined_starts_at
    assert SelfServiceChange.objects.filter(kind="moved").count() == 1
    # The winner's move, its self-service record and the accepted offer: nothing written for the loser.
    after = AuditEntry.objects.filter(seq__gt=last_seq)
    assert after.filter(patient_id=freed.taken_by.patient_id, object_type="waitlist_offer").count() == 1
    assert not after.filter(patient_id=loser.patient_id).exclude(action="read").exists()
